// What `npm run agent` prints for staff: the status as a short summary in Spanish (times in Ecuador), and a
// sentence for what a change did. A PIN lock names the credential the way the customer knows it (the card
// ending 1234, the company key, the virtual key), never its number.

import type { StaffChangeResult } from '../../lambdas/assisted/actions.ts';
import type { CustomerStatus } from '../../lambdas/assisted/status.ts';
import { ecuadorTime } from '../../lambdas/registration/completion-email.ts';

type Lock = CustomerStatus['locks'][number];
type Event = CustomerStatus['recentEvents'][number];

const at = (iso: string): string => `${ecuadorTime(Date.parse(iso))} (hora de Ecuador)`;

const secondFactorText: Record<string, string> = {
  active: 'Token digital activo',
  'pending-activation': 'Token digital elegido, aún sin activar',
  later: 'Sin token digital (lo pedirá más tarde)',
};

function credentialText(lock: Lock): string {
  switch (lock.credentialType) {
    case 'card':
      return lock.last4 ? `de la tarjeta terminada en ${lock.last4}` : 'de una tarjeta';
    case 'company':
      return 'de la clave empresa (RUC)';
    case 'virtual-key':
      return 'de la clave virtual';
    default:
      return `de la credencial ${lock.credential ?? ''}`.trim();
  }
}

function lockText(lock: Lock): string {
  switch (lock.kind) {
    case 'credential-pin':
      return `Clave de 4 dígitos ${credentialText(lock)} bloqueada por intentos fallidos`;
    case 'sms-codes':
      return 'Claves temporales por SMS bloqueadas (demasiadas claves incorrectas)';
    case 'token-activation':
      return 'Activación del Token digital bloqueada (demasiadas claves incorrectas)';
    case 'password':
      return 'Ingreso con usuario y clave bloqueado (demasiados intentos)';
    case 'digital-token':
      return 'Código del Token digital bloqueado (demasiados códigos incorrectos)';
  }
}

/**
 * Each action and audit kind in words. Keyed by string, with the raw name as the fallback, so that a new
 * action or kind shows (in English) before it has its words here.
 */
const actionText: Record<string, string> = {
  unlock: 'Desbloqueo de todos los accesos',
  'revoke-sessions': 'Cierre de todas las sesiones',
  'reset-token': 'Desactivación del Token digital',
  disable: 'Usuario deshabilitado',
  enable: 'Usuario habilitado nuevamente',
  'release-hold': 'Cambio en espera aplicado (cliente verificado)',
  'cancel-hold': 'Cambio en espera cancelado',
};

const kindText: Record<string, string> = {
  'registration-completed': 'Registro completado',
  'token-activated': 'Token digital activado',
  'recovery-completed': 'Recuperó su acceso con una nueva clave',
  'recovery-on-hold': 'Pidió recuperar su acceso sin su Token digital: el cambio está en espera',
  'hold-cancelled': 'Cambio en espera cancelado',
  'password-changed': 'Cambió su clave',
  'sign-in': 'Ingresó a Produbanco en línea',
  'customer-report': 'Reportó «No fui yo»: su acceso quedó congelado',
  'token-locked': 'Token digital bloqueado por códigos incorrectos',
  'identity-check': 'Verificación de identidad por pregunta desafío',
  'staff-change': 'Cambio hecho por el personal',
};

function eventText(event: Event): string {
  const what =
    event.kind === 'staff-change' && event.action
      ? `${actionText[event.action] ?? event.action} (${event.actor}: «${event.reason ?? ''}»)`
      : event.kind === 'identity-check'
        ? `${kindText[event.kind]}: ${event.details?.match ? 'coincide' : 'no coincide'} (${event.actor})`
        : event.kind === 'recovery-completed' && event.details?.tokenReset
          ? `${kindText[event.kind]} y desactivó el Token digital`
          : (kindText[event.kind] ?? event.kind);
  return `  - ${at(event.at)}: ${what}`;
}

/** The status, as an agent reads it to the customer on the phone. */
export function statusSummary(status: CustomerStatus): string {
  const lines = [`Cliente ${status.customerId}${status.name ? `: ${status.name}` : ''}`];
  lines.push(`Contacto: celular ${status.contact.phone}, correo ${status.contact.email}`);
  if (!status.user) {
    lines.push('No tiene usuario de Produbanco en línea.');
  } else {
    lines.push(`Usuario: ${status.user.username}`);
    if (status.user.disabled)
      lines.push(`DESHABILITADO desde el ${at(status.user.disabled.at)} por ${status.user.disabled.by}`);
    if (status.secondFactor)
      lines.push(`Segundo factor: ${secondFactorText[status.secondFactor] ?? status.secondFactor}`);
  }
  if (status.locks.length === 0) lines.push('Bloqueos: ninguno');
  else {
    lines.push('Bloqueos:');
    for (const lock of status.locks) lines.push(`  - ${lockText(lock)}, hasta el ${at(lock.until)}`);
  }
  if (status.openRegistration)
    lines.push(
      `Registro abierto en el paso «${status.openRegistration.step}», vence el ${at(status.openRegistration.expiresAt)}`,
    );
  if (status.openRecovery)
    lines.push(
      `Recuperación abierta en el paso «${status.openRecovery.step}», vence el ${at(status.openRecovery.expiresAt)}`,
    );
  lines.push(
    `Sesiones abiertas: ${status.sessions.active}; ingresos en curso: ${status.sessions.openSignIns}`,
  );
  if (status.challengeQuestions?.length)
    lines.push(
      'Preguntas desafío (para verify-answer):',
      ...status.challengeQuestions.map((q) => `  - ${q.id}: ${q.text}`),
    );
  if (status.recentEvents.length === 0) lines.push('Últimos eventos: ninguno');
  else lines.push('Últimos eventos (el más reciente primero):', ...status.recentEvents.map(eventText));
  return `${lines.join('\n')}\n`;
}

const changeDone: Record<string, string> = {
  unlock: 'se quitaron todos los bloqueos del cliente',
  'revoke-sessions': 'se cerraron todas las sesiones y los ingresos en curso del usuario',
  'reset-token': 'se desactivó el Token digital y se cerraron las sesiones del usuario',
  disable: 'el usuario quedó deshabilitado y sus sesiones cerradas',
  enable: 'el usuario quedó habilitado',
  'release-hold': 'se aplicó el cambio en espera: nueva clave, Token digital desactivado y sesiones cerradas',
  'cancel-hold': 'se canceló el cambio en espera',
};

/** What a change did, in one sentence. */
export const changeSummary = (result: StaffChangeResult): string =>
  `Listo: ${changeDone[result.action] ?? result.action} (cliente ${result.customerId}, ${at(result.at)}). El cliente recibirá un correo con el cambio.\n`;

/** What a 409 nothing_to_change says the state already is. */
export const stateText: Record<string, string> = {
  no_lock: 'el cliente no tiene ningún bloqueo',
  no_token: 'el cliente no tiene un Token digital activo ni en activación',
  disabled: 'el usuario ya está deshabilitado',
  enabled: 'el usuario ya está habilitado',
};
