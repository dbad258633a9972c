// Client of the public registration API (same origin, /v1). Every failure becomes an ApiError carrying the
// problem details, so screens branch on the stable `code`, never on message text.

export type Step =
  | 'verify-contact'
  | 'enter-otp'
  | 'choose-username'
  | 'create-password'
  | 'choose-image'
  | 'update-contact'
  | 'challenge-questions'
  | 'second-factor'
  | 'finish'
  | 'completed';

export interface Contact {
  phone: string;
  email: string | null;
}

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface Problem {
  status: number;
  /** API code, or `network_error` when no answer arrived. */
  code: string;
  detail?: string;
  errors?: FieldError[];
  attemptsLeft?: number;
  currentStep?: Step;
  /**
   * Which limit a 429 hit (resend_cooldown, sends_per_registration, sends_per_phone, per_address,
   * username_tries, recoveries_per_customer), or `revoked` on a 401 session_invalid the bank closed early.
   */
  reason?: string;
  /** Seconds, from the Retry-After header. */
  retryAfter?: number;
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.code);
  }
}

export type Identification =
  | { type: 'card'; cardNumber: string; expiryMonth: number; expiryYear: number; pin: string }
  | { type: 'company'; ruc: string; cedula?: string; pin: string }
  | { type: 'virtual-key'; cedula: string; pin: string };

export interface Started {
  registrationId: string;
  token: string;
  step: Step;
  contact: Contact;
  expiresAt: string;
}

export interface OtpSent {
  step: Step;
  expiresAt: string;
  resendAvailableAt: string;
  sendsLeft: number;
}

export interface SecurityImage {
  id: string;
  url: string;
  label: string;
}

export interface Questions {
  questions: { id: string; text: string }[];
  required: number;
  terms: { version: string; text: string };
}

export interface Completed {
  step: 'completed';
  username: string;
  secondFactor: 'pending-activation' | 'later';
}

export interface Session {
  id: string;
  token: string;
}

/** Server time minus client time, so countdowns follow the server's clock even on a skewed device. */
let clockOffsetMs = 0;
export const serverNow = (): number => Date.now() + clockOffsetMs;

export async function call<T>(method: string, path: string, token?: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(`/v1${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
      credentials: 'omit',
    });
  } catch {
    throw new ApiError({ status: 0, code: 'network_error' });
  }
  const date = Date.parse(res.headers.get('date') ?? '');
  if (!Number.isNaN(date)) {
    // The header has whole seconds: take the middle of that second, and ignore what rounding alone explains.
    const offset = date + 500 - Date.now();
    clockOffsetMs = Math.abs(offset) < 1500 ? 0 : offset;
  }
  const data = res.status === 204 ? undefined : await res.json().catch(() => undefined);
  if (res.ok) return data as T;
  const problem: Problem = { status: res.status, code: 'service_unavailable', ...(data as object) };
  const retryAfter = Number(res.headers.get('retry-after'));
  if (Number.isFinite(retryAfter) && retryAfter > 0) problem.retryAfter = retryAfter;
  throw new ApiError(problem);
}

const reg = (s: Session, suffix = ''): string => `/registrations/${encodeURIComponent(s.id)}${suffix}`;

export const api = {
  start: (body: Identification) => call<Started>('POST', '/registrations', undefined, body),
  get: (s: Session) => call<{ step: Step; expiresAt: string; contact: Contact }>('GET', reg(s), s.token),
  cancel: (s: Session) => call<void>('DELETE', reg(s), s.token),
  sendOtp: (s: Session) => call<OtpSent>('POST', reg(s, '/otp'), s.token),
  verifyOtp: (s: Session, code: string) =>
    call<{ step: Step; token: string }>('POST', reg(s, '/otp/verify'), s.token, { code }),
  username: (s: Session, username: string, confirmation: string) =>
    call<{ step: Step }>('PUT', reg(s, '/username'), s.token, { username, confirmation }),
  password: (s: Session, password: string, confirmation: string) =>
    call<{ step: Step }>('PUT', reg(s, '/password'), s.token, { password, confirmation }),
  images: (s: Session) => call<{ images: SecurityImage[] }>('GET', reg(s, '/security-images'), s.token),
  image: (s: Session, imageId: string) =>
    call<{ step: Step }>('PUT', reg(s, '/security-image'), s.token, { imageId }),
  contact: (s: Session, homePhone: string, workPhone: string) =>
    call<{ step: Step }>('PUT', reg(s, '/contact'), s.token, { homePhone, workPhone }),
  questions: (s: Session) => call<Questions>('GET', reg(s, '/challenge-questions'), s.token),
  answers: (s: Session, answers: { questionId: string; answer: string }[], termsVersion: string) =>
    call<{ step: Step }>('PUT', reg(s, '/challenge-answers'), s.token, {
      answers,
      acceptTerms: true,
      termsVersion,
    }),
  secondFactor: (s: Session, hasSmartDevice: boolean, choice: 'digital-token' | 'later') =>
    call<{ step: Step }>('PUT', reg(s, '/second-factor'), s.token, { hasSmartDevice, choice }),
  complete: (s: Session) => call<Completed>('POST', reg(s, '/complete'), s.token),
};
