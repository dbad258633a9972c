// Domain errors: a stable machine code per failure. The HTTP layer maps codes to statuses and Spanish text.

export type ErrorCode =
  | 'malformed_request'
  | 'payload_too_large'
  | 'validation_failed'
  | 'invalid_credentials'
  | 'credential_locked'
  | 'already_registered'
  | 'not_registered'
  | 'user_disabled'
  | 'session_invalid'
  | 'step_out_of_order'
  | 'otp_invalid'
  | 'otp_already_used'
  | 'otp_expired'
  | 'otp_locked'
  | 'rate_limited'
  | 'username_taken'
  | 'token_already_active'
  | 'recovery_on_hold'
  | 'report_link_invalid'
  | 'no_held_reset'
  | 'nothing_to_change'
  | 'idempotency_key_reused'
  | 'customer_ambiguous'
  | 'not_found'
  | 'method_not_allowed'
  | 'forbidden'
  | 'service_unavailable'
  | 'internal_error';

/** Which limit a 429 hit (API.md error table): the client shows it and when to try again. */
export const RATE_LIMIT_REASONS = [
  'resend_cooldown',
  'sends_per_registration',
  'sends_per_phone',
  'per_address',
  'username_tries',
  'recoveries_per_customer',
  'staff_changes',
  'identity_checks',
] as const;
export type RateLimitReason = (typeof RATE_LIMIT_REASONS)[number];

/**
 * Why a signed-in session is dead when that is not its idle or absolute timeout (401 session_invalid):
 * `revoked`, a recovery, a password change, or the bank's staff closed every session of the user.
 */
export const SESSION_END_REASONS = ['revoked'] as const;
export type SessionEndReason = (typeof SESSION_END_REASONS)[number];

export interface FieldError {
  field: string;
  code: string;
  message: string;
}

export interface ErrorExtras {
  /** Field-level reasons (validation_failed). */
  errors?: FieldError[];
  /** Seconds until the limit lifts (rate_limited). */
  retryAfterSeconds?: number;
  /** The limit that was hit (rate_limited), or why a session was closed before its time (session_invalid). */
  reason?: RateLimitReason | SessionEndReason;
  /** Wrong OTP tries left (otp_invalid). */
  attemptsLeft?: number;
  /** The step the client must show (step_out_of_order). */
  currentStep?: string;
  /** When a held change applies (recovery_on_hold), ISO time. */
  until?: string;
  /** What the state already is, when a staff action would change nothing (nothing_to_change). */
  state?: string;
  /** The customers an ambiguous staff lookup matched (customer_ambiguous). */
  candidates?: string[];
  /** The value a staff lookup did not find (not_found). */
  value?: string;
  /** The journey the error belongs to, when its text differs from the registration's. */
  journey?: 'sign-in' | 'recovery';
}

export class RegistrationError extends Error {
  constructor(
    readonly code: ErrorCode,
    readonly extras: ErrorExtras = {},
  ) {
    super(code);
    this.name = 'RegistrationError';
  }
}

/** A dependency (DynamoDB, SNS, Secrets Manager) failed: the step fails closed and can be retried. */
export class DependencyError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'DependencyError';
  }
}

/** A Retry-After value: whole seconds from `now` until `until`, at least one. */
export const retryAfterSeconds = (until: number, now: number): number =>
  Math.max(1, Math.ceil((until - now) / 1000));

export const fail = (code: ErrorCode, extras?: ErrorExtras): never => {
  throw new RegistrationError(code, extras);
};
