// Ports to the outside world that every use case may need: time, randomness, keyed digests and hashing.

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export interface RandomSource {
  /** Cryptographically secure random bytes. */
  bytes(length: number): Buffer;
  /** A uniformly random integer in [0, max). */
  int(max: number): number;
  uuid(): string;
}

/** HMAC-SHA256 under the service's secret key, domain-separated by purpose. */
export interface Keyed {
  digest(
    purpose: 'credential' | 'otp' | 'phone' | 'address' | 'username' | 'decoy' | 'identity' | 'staff-request',
    value: string,
  ): string;
}

/** argon2id with the secret pepper (SECURITY.md rule 19). */
export interface Hasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}

/** Seals small secrets (digital-token seeds) with AES-256-GCM; the AAD binds a sealed value to its owner. */
export interface SecretBox {
  seal(plain: Buffer, aad: string): string;
  /** Throws when the value was altered or belongs to another owner. */
  open(sealed: string, aad: string): Buffer;
}

export interface SecurityEvent {
  event:
    | 'registration_started'
    | 'credential_failure'
    | 'credential_locked'
    | 'otp_sent'
    | 'otp_failure'
    | 'otp_verified'
    | 'step_refused'
    | 'step_completed'
    | 'registration_cancelled'
    | 'registration_completed'
    | 'rate_limited'
    | 'email_sent'
    | 'email_failed'
    | 'sign_in_started'
    | 'sign_in_failure'
    | 'sign_in_locked'
    | 'signed_in'
    | 'signed_out'
    | 'token_failure'
    | 'token_activation_started'
    | 'token_activated'
    | 'sign_in_refused'
    | 'recovery_started'
    | 'recovery_cancelled'
    | 'recovery_completed'
    | 'staff_status_read'
    | 'staff_lookup'
    | 'staff_identity_check'
    | 'staff_change';
  [field: string]: string | number | boolean | undefined;
}

/** Structured security events (rule 27). Callers pass masks and ids only, never secrets. */
export interface EventLog {
  record(event: SecurityEvent): void;
}
