// The customer emails: completion (rule 28: the username and how to activate the digital token) and token
// activation (rule 50: the time). None carries a password, code, card number, answer or seed.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { Email, EmailSender } from '../ports/notifications.ts';
import type {
  AccessChangedMessage,
  CompletionMessage,
  Outbox,
  OutboxMessage,
  RecoveryCompletedMessage,
  TokenActivatedMessage,
  TokenLockedMessage,
} from '../ports/stores.ts';
import type { Clock, EventLog } from '../ports/system.ts';
import { DependencyError } from '../rules/errors.ts';
import { maskEmail } from '../rules/masking.ts';

const ECUADOR = 'America/Guayaquil';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Every customer email: the same paragraphs as plain text and as escaped HTML. */
const emailOf = (to: string, subject: string, paragraphs: string[]): Email => ({
  to,
  subject,
  text: `${paragraphs.join('\n\n')}\n`,
  html: `<!doctype html><html lang="es"><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</body></html>`,
});

/** A time as the customer reads it: long date and short time in Ecuador. */
export const ecuadorTime = (ms: number): string =>
  new Intl.DateTimeFormat('es-EC', { dateStyle: 'long', timeStyle: 'short', timeZone: ECUADOR }).format(ms);

export function completionEmail(
  to: string,
  message: Pick<CompletionMessage, 'username' | 'secondFactor'>,
): Email {
  const tokenLines =
    message.secondFactor === 'pending-activation'
      ? [
          'Elegiste el Token digital como segundo factor de seguridad. Para activarlo, descarga una aplicación de autenticación (por ejemplo Google Authenticator o Microsoft Authenticator) desde Google Play o App Store,',
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
  return emailOf(to, 'Tu usuario de Produbanco en línea está listo', paragraphs);
}

/** Rule 50: the customer learns that a digital token was bound to their user, and when; no seed, no code. */
export function tokenActivatedEmail(
  to: string,
  message: Pick<TokenActivatedMessage, 'username' | 'activatedAt'>,
): Email {
  const when = ecuadorTime(message.activatedAt);
  const paragraphs = [
    `Se activó el Token digital de tu usuario ${message.username} de Produbanco en línea el ${when} (hora de Ecuador).`,
    'Desde ahora, cada vez que ingreses te pediremos el código de 6 dígitos de tu aplicación de autenticación.',
    'Si no fuiste tú, comunícate de inmediato con nuestro Call Center al 1700 123 123.',
    'Produbanco nunca te pedirá tu clave ni los códigos de tu token por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Activaste tu Token digital de Produbanco', paragraphs);
}

/** The digital-token sign-in was locked after repeated wrong codes: when it ends, and what to do if it was not them. */
export function tokenLockedEmail(
  to: string,
  message: Pick<TokenLockedMessage, 'username' | 'lockedUntil'>,
): Email {
  const until = ecuadorTime(message.lockedUntil);
  const paragraphs = [
    `Bloqueamos el ingreso con Token digital de tu usuario ${message.username} de Produbanco en línea porque se ingresaron varios códigos incorrectos.`,
    `Podrás volver a ingresar después del ${until} (hora de Ecuador).`,
    'Si no fuiste tú, alguien podría conocer tu clave: comunícate de inmediato con nuestro Call Center al 1700 123 123.',
    'Produbanco nunca te pedirá tu clave ni los códigos de tu token por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Bloqueamos el ingreso con tu Token digital', paragraphs);
}

/** A recovery changed the password (and maybe deactivated the token): when, and what to do if it was not them. */
export function recoveryCompletedEmail(
  to: string,
  message: Pick<RecoveryCompletedMessage, 'username' | 'tokenReset' | 'at'>,
): Email {
  const when = ecuadorTime(message.at);
  const paragraphs = [
    `Se cambió la clave de tu usuario ${message.username} de Produbanco en línea el ${when} (hora de Ecuador), con tus datos de identificación y una clave temporal enviada a tu celular.`,
    'Cerramos todas las sesiones abiertas de tu usuario.',
    ...(message.tokenReset
      ? [
          'Desactivamos tu Token digital. Para activarlo en tu nuevo teléfono, ingresa a Produbanco en línea y ve a Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad / Activación.',
        ]
      : []),
    'Si no fuiste tú, comunícate de inmediato con nuestro Call Center al 1700 123 123.',
    'Produbanco nunca te pedirá tu clave ni tu clave temporal por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Recuperaste el acceso a Produbanco en línea', paragraphs);
}

/** What staff did, said before «tu usuario». */
const staffChangeText: Record<AccessChangedMessage['action'], string> = {
  unlock: 'desbloqueó el ingreso de',
  'revoke-sessions': 'cerró todas las sesiones abiertas de',
  'reset-token': 'desactivó el Token digital de',
  disable: 'deshabilitó',
  enable: 'habilitó nuevamente',
};

/** Staff changed the customer's access (assisted service): what and when; never who or the internal reason. */
export function accessChangedEmail(
  to: string,
  message: Pick<AccessChangedMessage, 'username' | 'action' | 'at'>,
): Email {
  const when = ecuadorTime(message.at);
  const user = message.username ? ` ${message.username}` : '';
  const paragraphs = [
    `Un asesor de Produbanco ${staffChangeText[message.action]} tu usuario${user} de Produbanco en línea el ${when} (hora de Ecuador).`,
    ...(message.action === 'reset-token'
      ? [
          'Para activarlo de nuevo, ingresa a Produbanco en línea y ve a Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad / Activación.',
        ]
      : []),
    'Si no reconoces este cambio, comunícate de inmediato con nuestro Call Center al 1700 123 123.',
    'Produbanco nunca te pedirá tu clave ni tu clave temporal por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Cambio en tu acceso a Produbanco en línea', paragraphs);
}

const emailFor = (to: string, message: OutboxMessage): Email => {
  switch (message.kind) {
    case 'recovery-completed':
      return recoveryCompletedEmail(to, message);
    case 'access-changed':
      return accessChangedEmail(to, message);
    case 'token-activated':
      return tokenActivatedEmail(to, message);
    case 'token-locked':
      return tokenLockedEmail(to, message);
    default:
      return completionEmail(to, message);
  }
};

export interface SendCompletionEmailDeps {
  directory: CustomerDirectory;
  email: EmailSender;
  events: EventLog;
}

/** Sends one outbox message to the email on file. Throws (so the outbox retries) when it cannot. */
export async function sendCompletionEmail(
  deps: SendCompletionEmailDeps,
  message: OutboxMessage,
): Promise<void> {
  const customer = await deps.directory.getCustomer(message.customerId);
  if (!customer)
    throw new DependencyError('the customer of a completion message is missing from the directory');
  try {
    await deps.email.send(emailFor(customer.email, message));
  } catch (error) {
    deps.events.record({
      event: 'email_failed',
      messageId: message.messageId,
      kind: message.kind,
      to: maskEmail(customer.email),
    });
    throw error;
  }
  deps.events.record({
    event: 'email_sent',
    messageId: message.messageId,
    kind: message.kind,
    to: maskEmail(customer.email),
  });
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
