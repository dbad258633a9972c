// The customer emails: completion (rule 28: the username and how to activate the digital token) and token
// activation (rule 50: the time). None carries a password, code, card number, answer or seed.
import type { CustomerDirectory } from '../ports/customer-directory.ts';
import type { Email, EmailSender } from '../ports/notifications.ts';
import type { ReportLinkStore } from '../ports/recovery.ts';
import type {
  AccessChangedMessage,
  AccessFrozenMessage,
  CompletionMessage,
  NewDeviceMessage,
  Outbox,
  OutboxMessage,
  PasswordChangedMessage,
  RecoveryCompletedMessage,
  RecoveryOnHoldMessage,
  TokenActivatedMessage,
  TokenLockedMessage,
} from '../ports/stores.ts';
import type { Clock, EventLog, RandomSource } from '../ports/system.ts';
import { DependencyError } from '../rules/errors.ts';
import { maskEmail } from '../rules/masking.ts';
import { newToken } from '../rules/tokens.ts';

const ECUADOR = 'America/Guayaquil';

const escapeHtml = (text: string): string => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A security email's «No fui yo» link (rule 55): one use, valid for days, freezes the access at once. */
export interface ReportLinkText {
  url: string;
  validDays: number;
}

/**
 * Every customer email: the same paragraphs as plain text and as escaped HTML; a security email ends with its
 * «No fui yo» link.
 */
const emailOf = (to: string, subject: string, paragraphs: string[], report?: ReportLinkText): Email => {
  const lead = report
    ? `¿No fuiste tú? Bloquea tu acceso de inmediato con este enlace (sirve una sola vez, durante ${report.validDays} días):`
    : '';
  return {
    to,
    subject,
    text: `${[...paragraphs, ...(report ? [`${lead} ${report.url}`] : [])].join('\n\n')}\n`,
    html: `<!doctype html><html lang="es"><body>${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}${
      report
        ? `<p>${escapeHtml(lead)} <a href="${escapeHtml(report.url)}">No fui yo: bloquear mi acceso</a></p>`
        : ''
    }</body></html>`,
  };
};

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
  report?: ReportLinkText,
): Email {
  const when = ecuadorTime(message.activatedAt);
  const paragraphs = [
    `Se activó el Token digital de tu usuario ${message.username} de Produbanco en línea el ${when} (hora de Ecuador).`,
    'Desde ahora, cada vez que ingreses te pediremos el código de 6 dígitos de tu aplicación de autenticación.',
    'Si no fuiste tú, comunícate de inmediato con nuestro Call Center al 1700 123 123.',
    'Produbanco nunca te pedirá tu clave ni los códigos de tu token por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Activaste tu Token digital de Produbanco', paragraphs, report);
}

/** The digital-token sign-in was locked after repeated wrong codes: when it ends, and what to do if it was not them. */
export function tokenLockedEmail(
  to: string,
  message: Pick<TokenLockedMessage, 'username' | 'lockedUntil'>,
  report?: ReportLinkText,
): Email {
  const until = ecuadorTime(message.lockedUntil);
  const paragraphs = [
    `Bloqueamos el ingreso con Token digital de tu usuario ${message.username} de Produbanco en línea porque se ingresaron varios códigos incorrectos.`,
    `Podrás volver a ingresar después del ${until} (hora de Ecuador).`,
    'Si no fuiste tú, alguien podría conocer tu clave: comunícate de inmediato con nuestro Call Center al 1700 123 123.',
    'Produbanco nunca te pedirá tu clave ni los códigos de tu token por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Bloqueamos el ingreso con tu Token digital', paragraphs, report);
}

/** A recovery changed the password (and maybe deactivated the token): when, and what to do if it was not them. */
export function recoveryCompletedEmail(
  to: string,
  message: Pick<RecoveryCompletedMessage, 'username' | 'tokenReset' | 'at'>,
  report?: ReportLinkText,
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
  return emailOf(to, 'Recuperaste el acceso a Produbanco en línea', paragraphs, report);
}

/** What staff did, said before «tu usuario». */
const staffChangeText: Record<AccessChangedMessage['action'], string> = {
  unlock: 'desbloqueó el ingreso de',
  'revoke-sessions': 'cerró todas las sesiones abiertas de',
  'reset-token': 'desactivó el Token digital de',
  disable: 'deshabilitó',
  enable: 'habilitó nuevamente',
  'release-hold': 'aplicó el cambio de clave pendiente de',
  'cancel-hold': 'canceló el cambio de clave pendiente de',
};

/** Staff changed the customer's access (assisted service): what and when; never who or the internal reason. */
export function accessChangedEmail(
  to: string,
  message: Pick<AccessChangedMessage, 'username' | 'action' | 'at'>,
  report?: ReportLinkText,
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
  return emailOf(to, 'Cambio en tu acceso a Produbanco en línea', paragraphs, report);
}

/** A recovery that removes the active token is on hold (rule 54): what was asked, when it applies, how to stop it. */
export function recoveryOnHoldEmail(
  to: string,
  message: Pick<RecoveryOnHoldMessage, 'username' | 'until'>,
  report?: ReportLinkText,
): Email {
  const paragraphs = [
    `Recibimos un pedido para cambiar la clave de tu usuario ${message.username} de Produbanco en línea y desactivar tu Token digital, hecho con los datos de tu tarjeta y una clave temporal enviada a tu celular.`,
    `Por tu seguridad, el cambio se aplicará el ${ecuadorTime(message.until)} (hora de Ecuador). Hasta entonces, tu clave y tu Token digital actuales siguen funcionando.`,
    'Si lo pediste tú, no necesitas hacer nada. Si no lo pediste, alguien podría tener tu tarjeta y tu número de celular: bloquea tu acceso con el enlace de abajo o llama de inmediato a nuestro Call Center al 1700 123 123.',
  ];
  return emailOf(to, 'Pedido de cambio de clave y Token digital', paragraphs, report);
}

/** A sign-in from a device the user had not used (rule 56): the device, when, a coarse place; never the address. */
export function newDeviceEmail(
  to: string,
  message: Pick<NewDeviceMessage, 'username' | 'device' | 'place' | 'at'>,
  report?: ReportLinkText,
): Email {
  const paragraphs = [
    `Se inició sesión en tu usuario ${message.username} de Produbanco en línea desde un dispositivo nuevo: ${message.device}, el ${ecuadorTime(message.at)} (hora de Ecuador), desde la red ${message.place}.`,
    'Si fuiste tú, no necesitas hacer nada.',
    'Produbanco nunca te pedirá tu clave ni los códigos de tu token por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Nuevo inicio de sesión en Produbanco en línea', paragraphs, report);
}

/** The signed-in customer changed the password (rule 58). */
export function passwordChangedEmail(
  to: string,
  message: Pick<PasswordChangedMessage, 'username' | 'at'>,
  report?: ReportLinkText,
): Email {
  const paragraphs = [
    `Se cambió la clave de tu usuario ${message.username} de Produbanco en línea el ${ecuadorTime(message.at)} (hora de Ecuador), desde una sesión abierta con tu clave anterior.`,
    'Cerramos las demás sesiones abiertas de tu usuario.',
    'Produbanco nunca te pedirá tu clave ni tu clave temporal por correo, llamada o mensaje.',
  ];
  return emailOf(to, 'Cambiaste tu clave de Produbanco en línea', paragraphs, report);
}

/** A «No fui yo» report froze the access (rule 55): what was done and how to get access back. */
export function accessFrozenEmail(to: string, message: Pick<AccessFrozenMessage, 'username' | 'at'>): Email {
  const paragraphs = [
    `Bloqueamos tu usuario ${message.username} de Produbanco en línea el ${ecuadorTime(message.at)} (hora de Ecuador), porque nos avisaste que no reconoces una actividad.`,
    'Cerramos todas las sesiones abiertas y cancelamos cualquier cambio de clave o de Token digital pendiente. Nadie puede ingresar con tu usuario ni recuperarlo en línea.',
    'Para recuperar tu acceso, acércate con tu cédula a cualquier agencia de Produbanco o llama a nuestro Call Center al 1700 123 123: un asesor verificará tu identidad y habilitará tu usuario.',
  ];
  return emailOf(to, 'Bloqueamos tu acceso a Produbanco en línea', paragraphs);
}

/** The emails that tell of a change to the customer's access: each carries a «No fui yo» link (rule 55). */
export const carriesReportLink = (message: OutboxMessage): boolean =>
  message.kind !== undefined && message.kind !== 'registration-completed' && message.kind !== 'access-frozen';

const emailFor = (to: string, message: OutboxMessage, report?: ReportLinkText): Email => {
  switch (message.kind) {
    case 'recovery-completed':
      return recoveryCompletedEmail(to, message, report);
    case 'recovery-on-hold':
      return recoveryOnHoldEmail(to, message, report);
    case 'access-changed':
      return accessChangedEmail(to, message, report);
    case 'token-activated':
      return tokenActivatedEmail(to, message, report);
    case 'token-locked':
      return tokenLockedEmail(to, message, report);
    case 'new-device':
      return newDeviceEmail(to, message, report);
    case 'password-changed':
      return passwordChangedEmail(to, message, report);
    case 'access-frozen':
      return accessFrozenEmail(to, message);
    default:
      return completionEmail(to, message);
  }
};

export interface SendCompletionEmailDeps {
  directory: CustomerDirectory;
  email: EmailSender;
  events: EventLog;
  clock: Clock;
  random: RandomSource;
  /** Where «No fui yo» links are kept (hashed), and what they point to. */
  reportLinks: ReportLinkStore;
  reports: { ttlSeconds: number; webBaseUrl: string };
}

/**
 * A new «No fui yo» link for a security email: 256 random bits that only the email holds, stored as their
 * hash. Made at delivery, so no stored message ever holds a usable link; a retried delivery makes another.
 */
async function reportLinkFor(deps: SendCompletionEmailDeps, message: OutboxMessage): Promise<ReportLinkText> {
  const { token, tokenHash } = newToken(deps.random);
  const now = deps.clock.now();
  await deps.reportLinks.create({
    hash: tokenHash,
    customerId: message.customerId,
    userPk: `CUSTOMER#${message.customerId}`,
    createdAt: now,
    expiresAt: now + deps.reports.ttlSeconds * 1000,
  });
  return {
    url: `${deps.reports.webBaseUrl}/#/no-fui-yo/${token}`,
    validDays: Math.max(1, Math.round(deps.reports.ttlSeconds / 86_400)),
  };
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
    const report = carriesReportLink(message) ? await reportLinkFor(deps, message) : undefined;
    await deps.email.send(emailFor(customer.email, message, report));
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
