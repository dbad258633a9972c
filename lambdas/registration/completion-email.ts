// The completion email (rule 28): it names the username and tells how to activate the digital token; it
// carries no password, code, card number or answer.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { Email, EmailSender } from '../ports/notifications.ts';
import type { CompletionMessage, Outbox } from '../ports/stores.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { DependencyError } from './errors.ts';
import { maskEmail } from './masking.ts';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function completionEmail(
  to: string,
  message: Pick<CompletionMessage, 'username' | 'secondFactor'>,
): Email {
  const tokenLines =
    message.secondFactor === 'pending-activation'
      ? [
          'Elegiste el Token digital como segundo factor de seguridad. Para activarlo, descarga la aplicación Produbanco desde Google Play o App Store,',
          'ingresa a Produbanco en línea y ve a Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad / Activación.',
        ]
      : [
          'Elegiste solicitar tu segundo factor de seguridad más tarde. Cuando lo necesites, ingresa a Produbanco en línea y ve a',
          'Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad / Activación.',
        ];
  const paragraphs = [
    'El proceso de registro en Produbanco en línea fue exitoso.',
    `Tu nombre de usuario es: ${message.username}`,
    tokenLines.join(' '),
    'Produbanco nunca te pedirá tu clave, tu clave temporal ni tus respuestas de seguridad por correo, llamada o mensaje.',
    'Si no realizaste este registro o tienes dudas, comunícate con nuestro Call Center al 1700 123 123.',
  ];
  return {
    to,
    subject: 'Tu usuario de Produbanco en línea está listo',
    text: `${paragraphs.join('\n\n')}\n`,
    html: `<!doctype html><html lang="es"><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</body></html>`,
  };
}

export interface SendCompletionEmailDeps {
  directory: CustomerDirectory;
  email: EmailSender;
  events: EventLog;
}

/** Sends one outbox message to the email on file. Throws (so the outbox retries) when it cannot. */
export async function sendCompletionEmail(
  deps: SendCompletionEmailDeps,
  message: CompletionMessage,
): Promise<void> {
  const customer = await deps.directory.getCustomer(message.customerId);
  if (!customer)
    throw new DependencyError('the customer of a completion message is missing from the directory');
  try {
    await deps.email.send(completionEmail(customer.email, message));
  } catch (error) {
    deps.events.record({
      event: 'email_failed',
      messageId: message.messageId,
      to: maskEmail(customer.email),
    });
    throw error;
  }
  deps.events.record({ event: 'email_sent', messageId: message.messageId, to: maskEmail(customer.email) });
}

export interface DeliverDeps extends SendCompletionEmailDeps {
  outbox: Outbox;
  clock: Clock;
}

/** A claimed message left unfinished (a crashed delivery) is taken again after this long. */
export const DELIVERY_LEASE_MS = 60_000;

/**
 * Delivers one outbox message at most once at a time: claim, send, mark sent; on failure the claim is given
 * back and the error rethrown, so the stream (or the local drain) tries again later.
 */
export async function deliverCompletionMessage(
  deps: DeliverDeps,
  messageId: string,
): Promise<'sent' | 'skipped'> {
  const message = await deps.outbox.claim(messageId, deps.clock.now(), DELIVERY_LEASE_MS);
  if (!message) return 'skipped';
  try {
    await sendCompletionEmail(deps, message);
  } catch (error) {
    await deps.outbox.release(messageId, deps.clock.now());
    throw error;
  }
  await deps.outbox.markSent(messageId, deps.clock.now());
  return 'sent';
}
