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
