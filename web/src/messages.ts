// Spanish (Ecuador) texts for the API's error codes that any screen can meet.
import type { Problem } from './api.ts';

export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'segundo' : 'segundos'}`;
  if (seconds > 3600) {
    const hours = Math.ceil(seconds / 3600);
    return `${hours} ${hours === 1 ? 'hora' : 'horas'}`;
  }
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}`;
}

/** "(te queda 1)" / "(te quedan 2)": codes this registration may still ask for. */
export const sendsLeftText = (n: number): string => `te ${n === 1 ? 'queda 1' : `quedan ${n}`}`;

/**
 * A customer who registers again already has a user: one advice, in the order to follow it (sign in;
 * recover here, right under it; the branch only if that fails), never "go to a branch" beside the self-service.
 */
export const ALREADY_REGISTERED_TEXT =
  'Ya tienes un usuario de Produbanco en línea: ingresa con tu usuario y clave. Si olvidaste alguno de los dos, recupéralos aquí mismo con tu clave de 4 dígitos; si no lo logras, acércate a cualquier agencia Produbanco.';

/** Which limit a 429 hit (its `reason`) and when the customer may try again (`Retry-After`). */
export function rateLimitText(p: Problem): string {
  const when = p.retryAfter ? `en ${waitText(p.retryAfter)}` : 'en unos minutos';
  switch (p.reason) {
    case 'resend_cooldown':
      return `Acabamos de enviarte una clave temporal. Podrás pedir otra ${when}.`;
    case 'sends_per_registration':
      return 'Ya pediste el máximo de claves temporales para este registro. Si no te llegó ninguna, empieza de nuevo.';
    case 'sends_per_phone':
      return `Ya enviamos el máximo de claves temporales a tu celular en una hora. Podrás pedir otra ${when}.`;
    case 'per_address':
      return `Hubo demasiados intentos de registro desde tu conexión. Inténtalo de nuevo ${when}.`;
    case 'username_tries':
      return `Probaste demasiados nombres de usuario seguidos. Podrás probar otro ${when}.`;
    default:
      return `Hiciste demasiados intentos seguidos. Espera e inténtalo de nuevo ${when}.`;
  }
}

export function problemText(p: Problem): string {
  switch (p.code) {
    case 'network_error':
      return 'No pudimos conectarnos con Produbanco. Revisa tu conexión a internet e inténtalo de nuevo.';
    case 'rate_limited':
      return rateLimitText(p);
    case 'service_unavailable':
      return 'El servicio no está disponible en este momento. Tus datos no se perdieron: inténtalo de nuevo en unos minutos.';
    case 'payload_too_large':
    case 'malformed_request':
      return 'No pudimos procesar los datos enviados. Revisa la información e inténtalo de nuevo.';
    default:
      return p.status >= 500 || !p.detail
        ? 'Ocurrió un problema al procesar tu solicitud. Inténtalo de nuevo en unos minutos.'
        : p.detail;
  }
}

/** " Te quedan N intentos." after a wrong code; empty when the API did not say. */
export function attemptsLeftText(left: number | undefined): string {
  if (left === undefined) return '';
  if (left <= 0) return ' Agotaste los intentos con esta clave.';
  return ` Te ${left === 1 ? 'queda 1 intento' : `quedan ${left} intentos`}.`;
}

/** Texts for the codes of sign-in, the signed-in session and the digital token; anything else as above. */
export function signInProblemText(p: Problem): string {
  switch (p.code) {
    case 'invalid_credentials':
      return 'El usuario o la clave no son correctos. Revísalos e inténtalo de nuevo.';
    case 'credential_locked':
      return `Por tu seguridad, bloqueamos el ingreso con este usuario tras varios intentos fallidos. Podrás intentarlo de nuevo en ${waitText(p.retryAfter ?? 1800)}.`;
    case 'otp_invalid':
      return `El código ingresado no es correcto.${attemptsLeftText(p.attemptsLeft)}`;
    case 'otp_already_used':
      return 'Este código ya se usó. Espera el siguiente código de tu aplicación.';
    case 'otp_expired':
      return 'La clave temporal venció. Pide una nueva con «Reenviar clave» e ingrésala.';
    case 'otp_locked':
      return 'Agotaste los intentos con este código. Por tu seguridad, debes empezar de nuevo.';
    case 'token_already_active':
      return 'Tu Token digital ya está activo. Úsalo cada vez que ingreses a Produbanco en línea.';
    case 'session_invalid':
      // Closed by the bank before its time (a recovery, a password change, staff): not for inactivity.
      return p.reason === 'revoked'
        ? 'Por tu seguridad cerramos tu sesión: tu clave cambió, recuperaste tu acceso o el banco cerró tus sesiones. Ingresa de nuevo con tu usuario y clave.'
        : 'Tu sesión terminó: por tu seguridad se cierra tras unos minutos sin actividad. Ingresa de nuevo con tu usuario y clave.';
    case 'step_out_of_order':
      return 'La activación no se completó a tiempo. Empieza de nuevo la activación de tu Token digital.';
    default:
      return problemText(p);
  }
}

/** The registration's texts where the recovery of access says something of its own. */
export function recoveryProblemText(p: Problem): string {
  const when = p.retryAfter ? `en ${waitText(p.retryAfter)}` : 'más tarde';
  switch (p.code) {
    case 'not_registered':
      // One advice, the API's (as for already_registered); the page offers «Regístrate aquí» beside it.
      return p.detail ?? 'Aún no tienes un usuario de Produbanco en línea. Regístrate primero.';
    case 'credential_locked':
      return `Por tu seguridad, bloqueamos esta clave por intentos fallidos. Podrás intentarlo de nuevo ${when}. Si la olvidaste, acércate a cualquier agencia Produbanco.`;
    case 'session_invalid':
      return 'Por tu seguridad, la recuperación de tu acceso se cierra tras unos minutos sin actividad. Para continuar, empieza de nuevo.';
    case 'rate_limited':
      if (p.reason === 'recoveries_per_customer')
        return `Ya recuperaste tu acceso el máximo de veces permitido en un día. Podrás hacerlo de nuevo ${when}, o acércate a cualquier agencia Produbanco.`;
      if (p.reason === 'per_address')
        return `Hubo demasiados intentos desde tu conexión. Inténtalo de nuevo ${when}.`;
      if (p.reason === 'sends_per_registration')
        return 'Ya pediste el máximo de claves temporales para esta recuperación. Si no te llegó ninguna, empieza de nuevo.';
      return rateLimitText(p);
    default:
      return problemText(p);
  }
}
