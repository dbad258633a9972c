// Spanish (Ecuador) texts for the API's error codes that any screen can meet.
import type { Problem } from './api.ts';

export function waitText(seconds: number): string {
  if (seconds < 60) return `${seconds} ${seconds === 1 ? 'segundo' : 'segundos'}`;
  const minutes = Math.ceil(seconds / 60);
  return `${minutes} ${minutes === 1 ? 'minuto' : 'minutos'}`;
}

export function problemText(p: Problem): string {
  switch (p.code) {
    case 'network_error':
      return 'No pudimos conectarnos con Produbanco. Revisa tu conexión a internet e inténtalo de nuevo.';
    case 'rate_limited':
      return p.retryAfter
        ? `Hiciste demasiados intentos seguidos. Espera ${waitText(p.retryAfter)} e inténtalo de nuevo.`
        : 'Hiciste demasiados intentos seguidos. Espera unos minutos e inténtalo de nuevo.';
    case 'service_unavailable':
      return 'El servicio no está disponible en este momento. Tus datos no se perdieron: inténtalo de nuevo en unos minutos.';
    case 'payload_too_large':
    case 'malformed_request':
      return 'No pudimos procesar los datos enviados. Revisa la información e inténtalo de nuevo.';
    case 'already_registered':
      return 'Ya tienes un usuario de Produbanco en línea. Ingresa con tu usuario y clave; si los olvidaste, acércate a cualquier agencia Produbanco.';
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
    case 'otp_expired':
      return 'La clave temporal venció. Pide una nueva con «Reenviar clave» e ingrésala.';
    case 'otp_locked':
      return 'Agotaste los intentos con este código. Por tu seguridad, debes empezar de nuevo.';
    case 'token_already_active':
      return 'Tu Token digital ya está activo. Úsalo cada vez que ingreses a Produbanco en línea.';
    case 'session_invalid':
      return 'Tu sesión terminó: por tu seguridad se cierra tras unos minutos sin actividad. Ingresa de nuevo con tu usuario y clave.';
    case 'step_out_of_order':
      return 'La activación no se completó a tiempo. Empieza de nuevo la activación de tu Token digital.';
    default:
      return problemText(p);
  }
}
