// RFC 9457 problem details: each error code's status and Spanish text. A 5xx never reveals internals.
import type { ErrorCode, ErrorExtras, RateLimitReason, SessionEndReason } from '../rules/errors.ts';
import { waitText } from '../rules/wait-text.ts';

interface ProblemText {
  status: number;
  title: string;
  detail: string;
}

const problems: Record<ErrorCode, ProblemText> = {
  malformed_request: {
    status: 400,
    title: 'Solicitud mal formada',
    detail: 'La solicitud no es JSON válido o no declara Content-Type application/json.',
  },
  payload_too_large: {
    status: 413,
    title: 'Solicitud demasiado grande',
    detail: 'La solicitud supera el tamaño máximo de 16 KiB.',
  },
  validation_failed: {
    status: 422,
    title: 'Datos no válidos',
    detail: 'Revisa los campos marcados y vuelve a intentarlo.',
  },
  invalid_credentials: {
    status: 401,
    title: 'Datos incorrectos',
    detail: 'Los datos ingresados no son correctos. Verifica tu información y tu clave de 4 dígitos.',
  },
  credential_locked: {
    status: 423,
    title: 'Clave bloqueada',
    detail:
      'Por seguridad bloqueamos el registro con estos datos por demasiados intentos fallidos. Inténtalo más tarde o acércate a una agencia.',
  },
  already_registered: {
    status: 409,
    title: 'Ya tienes un usuario',
    detail:
      'Ya tienes un usuario de Produbanco en línea. Ingresa con tu usuario y clave; si no cuentas con ellos, acércate a cualquier agencia Produbanco a nivel nacional.',
  },
  not_registered: {
    status: 409,
    title: 'Aún no tienes un usuario',
    detail:
      'Aún no tienes un usuario de Produbanco en línea. Regístrate primero con tu tarjeta, tu RUC o tu clave virtual.',
  },
  user_disabled: {
    status: 403,
    title: 'Usuario deshabilitado',
    detail:
      'Tu usuario de Produbanco en línea está deshabilitado. Comunícate con nuestro Call Center al 1700 123 123 o acércate a una agencia.',
  },
  session_invalid: {
    status: 401,
    title: 'Sesión no válida',
    detail: 'Tu sesión de registro terminó o no es válida. Empieza el registro de nuevo.',
  },
  step_out_of_order: {
    status: 409,
    title: 'Paso no disponible',
    detail: 'Este paso todavía no está disponible.',
  },
  otp_invalid: {
    status: 401,
    title: 'Clave temporal incorrecta',
    detail: 'La clave temporal no es correcta.',
  },
  otp_already_used: {
    status: 401,
    title: 'Código ya usado',
    detail: 'Este código ya se usó. Espera el siguiente código de tu aplicación de autenticación.',
  },
  otp_expired: {
    status: 410,
    title: 'Clave temporal vencida',
    detail: 'La clave temporal venció. Solicita una nueva.',
  },
  otp_locked: {
    status: 423,
    title: 'Clave temporal bloqueada',
    detail: 'Superaste los intentos permitidos para esta clave temporal. Solicita una nueva.',
  },
  rate_limited: {
    status: 429,
    title: 'Demasiadas solicitudes',
    detail: 'Hiciste demasiadas solicitudes. Espera un momento antes de volver a intentarlo.',
  },
  username_taken: {
    status: 409,
    title: 'Usuario no disponible',
    detail: 'Ese nombre de usuario ya está en uso. Elige otro.',
  },
  token_already_active: {
    status: 409,
    title: 'Token digital ya activo',
    detail: 'Tu token digital ya está activo. Si cambiaste de teléfono, comunícate con nuestro Call Center.',
  },
  recovery_on_hold: {
    status: 409,
    title: 'Cambio pendiente',
    detail:
      'Ya hay un cambio de clave y de Token digital pendiente para tu usuario. Se aplicará cuando termine la espera de seguridad; si no lo pediste, usa el enlace «No fui yo» de tu correo o llama al Call Center al 1700 123 123.',
  },
  report_link_invalid: {
    status: 410,
    title: 'Enlace no válido',
    detail:
      'Este enlace ya se usó, venció o no es válido. Si no reconoces una actividad en tu usuario, llama de inmediato a nuestro Call Center al 1700 123 123.',
  },
  no_held_reset: {
    status: 409,
    title: 'Sin cambio pendiente',
    detail: 'El usuario no tiene un cambio de clave y de Token digital pendiente.',
  },
  nothing_to_change: {
    status: 409,
    title: 'Nada que cambiar',
    detail: 'La acción no cambiaría nada: el acceso del cliente ya está así.',
  },
  idempotency_key_reused: {
    status: 409,
    title: 'Clave de idempotencia ya usada',
    detail: 'Esta Idempotency-Key ya se usó para otra solicitud. Usa una clave nueva para cada cambio.',
  },
  customer_ambiguous: {
    status: 409,
    title: 'Varios clientes',
    detail: 'El dato corresponde a varios clientes. Usa el código de cliente o el usuario.',
  },
  not_found: { status: 404, title: 'No encontrado', detail: 'El recurso solicitado no existe.' },
  method_not_allowed: {
    status: 405,
    title: 'Método no permitido',
    detail: 'El recurso no admite este método.',
  },
  forbidden: {
    status: 403,
    title: 'Acceso no permitido',
    detail: 'La solicitud no llegó por el canal autorizado de Produbanco. Ingresa desde el sitio oficial.',
  },
  service_unavailable: {
    status: 503,
    title: 'Servicio no disponible',
    detail:
      'No pudimos completar la operación. No se guardó ningún cambio; inténtalo de nuevo en unos momentos.',
  },
  internal_error: {
    status: 500,
    title: 'Error interno',
    detail: 'Ocurrió un error inesperado. Inténtalo de nuevo en unos momentos.',
  },
};

/** Sign-in speaks of the username and password, not of the registration and the 4-digit key. */
const signInText: Partial<Record<ErrorCode, Pick<ProblemText, 'title' | 'detail'>>> = {
  invalid_credentials: {
    title: 'Datos incorrectos',
    detail: 'El usuario o la clave no son correctos. Verifica tus datos e inténtalo de nuevo.',
  },
  credential_locked: {
    title: 'Usuario bloqueado',
    detail:
      'Por seguridad bloqueamos el ingreso con este usuario por demasiados intentos fallidos. Inténtalo más tarde.',
  },
  session_invalid: {
    title: 'Sesión no válida',
    detail: 'Tu sesión terminó o no es válida. Ingresa de nuevo con tu usuario y clave.',
  },
  otp_locked: {
    title: 'Código bloqueado',
    detail: 'Superaste los intentos permitidos. Vuelve a empezar.',
  },
};

/** Recovery speaks of recovering access, not of the registration. */
const recoveryText: Partial<Record<ErrorCode, Pick<ProblemText, 'title' | 'detail'>>> = {
  credential_locked: {
    title: 'Clave bloqueada',
    detail:
      'Por seguridad bloqueamos estos datos por demasiados intentos fallidos. Inténtalo más tarde o acércate a una agencia.',
  },
  session_invalid: {
    title: 'Sesión no válida',
    detail: 'Tu sesión de recuperación terminó o no es válida. Empieza de nuevo.',
  },
};

const journeyText = { 'sign-in': signInText, recovery: recoveryText } as const;

/** The Spanish names of the steps, for the detail of step_out_of_order. */
const stepNames: Record<string, string> = {
  'verify-contact': 'verificación de datos de contacto',
  'enter-otp': 'clave temporal',
  'choose-username': 'creación de usuario',
  'create-password': 'creación de clave',
  'choose-image': 'selección de imagen',
  'update-contact': 'actualización de datos',
  'challenge-questions': 'preguntas desafío',
  'second-factor': 'segundo factor de seguridad',
  finish: 'finalización',
  completed: 'registro terminado',
  password: 'clave',
  'digital-token': 'token digital',
  scan: 'activación del token digital',
  'new-password': 'nueva clave',
};

/** Which limit a 429 hit and when to try again, in the customer's words (API.md error table). */
const rateLimitText: Record<RateLimitReason, (wait: string) => string> = {
  resend_cooldown: (wait) => `Podrás pedir una nueva clave temporal en ${wait}.`,
  sends_per_registration: (wait) =>
    `Ya pediste todas las claves temporales que permite este registro. Empieza el registro de nuevo o inténtalo en ${wait}.`,
  sends_per_phone: (wait) =>
    `Enviamos a tu celular el máximo de claves temporales por hora. Podrás pedir otra en ${wait}.`,
  per_address: (wait) =>
    `Recibimos demasiados intentos desde tu conexión. Podrás intentarlo de nuevo en ${wait}.`,
  username_tries: () =>
    'Probaste demasiados nombres de usuario en este registro. Empieza el registro de nuevo para elegir otro.',
  recoveries_per_customer: (wait) =>
    `Ya recuperaste tu acceso varias veces hoy. Por seguridad podrás hacerlo de nuevo en ${wait}, o acércate a una agencia.`,
  staff_changes: (wait) =>
    `Hiciste el máximo de cambios por hora permitido a un funcionario. Podrás hacer otro en ${wait}.`,
  identity_checks: (wait) =>
    `Ya se hicieron las verificaciones de identidad permitidas hoy para este cliente. Podrás verificar de nuevo en ${wait}.`,
};

export const statusOf = (code: ErrorCode): number => problems[code].status;

export interface Problem {
  type: string;
  title: string;
  status: number;
  code: ErrorCode;
  detail: string;
  requestId: string;
  errors?: { field: string; code: string; message: string }[];
  attemptsLeft?: number;
  currentStep?: string;
  reason?: RateLimitReason | SessionEndReason;
  until?: string;
  state?: string;
  candidates?: string[];
  value?: string;
}

/** A session closed before its time, in the customer's words: not "tras unos minutos sin actividad". */
const sessionEndText: Record<SessionEndReason, string> = {
  revoked:
    'Por tu seguridad cerramos tu sesión: tu clave cambió, recuperaste tu acceso o el banco cerró tus sesiones. Ingresa de nuevo con tu usuario y clave.',
};

const isRateLimitReason = (reason: string): reason is RateLimitReason => !(reason in sessionEndText);

export function problemBody(code: ErrorCode, requestId: string, extras: ErrorExtras = {}): Problem {
  const text = { ...problems[code], ...(extras.journey ? journeyText[extras.journey][code] : {}) };
  let detail = text.detail;
  if (code === 'step_out_of_order' && extras.currentStep) {
    detail = `${detail} Continúa en el paso: ${stepNames[extras.currentStep] ?? extras.currentStep}.`;
  }
  if (code === 'otp_invalid' && extras.attemptsLeft !== undefined) {
    detail = `${detail} ${extras.attemptsLeft === 1 ? 'Te queda 1 intento' : `Te quedan ${extras.attemptsLeft} intentos`}.`;
  }
  let reason: Problem['reason'];
  if (code === 'rate_limited' && extras.reason && isRateLimitReason(extras.reason)) {
    reason = extras.reason;
    detail = rateLimitText[reason](waitText(extras.retryAfterSeconds ?? 1));
  } else if (code === 'session_invalid' && extras.reason && !isRateLimitReason(extras.reason)) {
    reason = extras.reason;
    detail = sessionEndText[reason];
  }
  return {
    type: `https://api.produbanco.com.ec/problems/${code.replaceAll('_', '-')}`,
    title: text.title,
    status: text.status,
    code,
    detail,
    requestId,
    ...(extras.errors ? { errors: extras.errors } : {}),
    ...(extras.attemptsLeft !== undefined ? { attemptsLeft: extras.attemptsLeft } : {}),
    ...(extras.currentStep ? { currentStep: extras.currentStep } : {}),
    ...(reason ? { reason } : {}),
    ...(extras.until ? { until: extras.until } : {}),
    ...(extras.state ? { state: extras.state } : {}),
    ...(extras.candidates ? { candidates: extras.candidates } : {}),
    ...(extras.value !== undefined ? { value: extras.value } : {}),
  };
}
