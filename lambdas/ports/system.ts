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

export type KeyedPurpose =
  | 'credential'
  | 'otp'
  | 'phone'
  | 'address'
  | 'username'
  | 'decoy'
  | 'identity'
  | 'staff-request';

/** HMAC-SHA256 under the service's secret key, domain-separated by purpose. */
export interface Keyed {
  /** Under the current key: what is written. */
  digest(purpose: KeyedPurpose, value: string): string;
  /**
   * Under every key version a stored digest may have been made with (current first, then a version staged
   * for rotation, then the previous one; rule 62): what a stored digest is looked up or compared with.
   */
  digests(purpose: KeyedPurpose, value: string): string[];
}

/** argon2id with the secret pepper (SECURITY.md rule 19); hashes with the current pepper, verifies with any version. */
export interface Hasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
}

/**
 * Seals small secrets (digital-token seeds) with AES-256-GCM; the AAD binds a sealed value to its owner. Seals
 * with the current key, opens with any version (rule 62).
 */
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
    | 'staff_change'
    | 'staff_lookup'
    | 'staff_identity_check'
    | 'recovery_on_hold'
    | 'hold_sms_failed'
    | 'held_reset_applied'
    | 'access_frozen'
    | 'report_link_refused'
    | 'new_device'
    | 'device_forgotten'
    | 'session_ended'
    | 'password_changed';
  [field: string]: string | number | boolean | undefined;
}

/** Structured security events (rule 27). Callers pass masks and ids only, never secrets. */
export interface EventLog {
  record(event: SecurityEvent): void;
}
