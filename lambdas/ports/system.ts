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
  digest(purpose: 'credential' | 'otp' | 'phone' | 'address', value: string): string;
}

/** argon2id with the secret pepper (SECURITY.md rule 19). */
export interface Hasher {
  hash(plain: string): Promise<string>;
  verify(hash: string, plain: string): Promise<boolean>;
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
    | 'email_failed';
  [field: string]: string | number | boolean | undefined;
}

/** Structured security events (rule 27). Callers pass masks and ids only, never secrets. */
export interface EventLog {
  record(event: SecurityEvent): void;
}
