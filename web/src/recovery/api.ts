// Client of the recovery routes (R1-R4, same origin, /v1): the registration's transport and error shape, so
// every screen branches on the problem's stable `code`.
import { type Contact, call, type Identification, type OtpSent, type Session } from '../api.ts';
import type { SecondFactor } from '../sign-in/api.ts';

export type RecoveryStep = 'verify-contact' | 'enter-otp' | 'new-password' | 'on-hold' | 'completed';

export interface RecoveryStarted {
  recoveryId: string;
  token: string;
  step: 'verify-contact';
  contact: Contact;
  expiresAt: string;
}

export interface RecoveryVerified {
  step: 'new-password';
  token: string;
  username: string;
  secondFactor: SecondFactor;
}

export interface RecoveryCompleted {
  step: 'completed';
  username: string;
  secondFactor: SecondFactor;
}

/** A reset of the active token waits until `until` (rule 54): nothing changed yet. */
export interface RecoveryOnHold {
  step: 'on-hold';
  username: string;
  until: string;
}

export interface RecoveryStatus {
  step: RecoveryStep;
  expiresAt: string;
  contact: Contact;
  username?: string;
  secondFactor?: SecondFactor;
}

export type TokenChoice = 'keep' | 'reset';

const rec = (s: Session, suffix = ''): string => `/recoveries/${encodeURIComponent(s.id)}${suffix}`;

export const recoveryApi = {
  start: (body: Identification) => call<RecoveryStarted>('POST', '/recoveries', undefined, body),
  get: (s: Session) => call<RecoveryStatus>('GET', rec(s), s.token),
  cancel: (s: Session) => call<void>('DELETE', rec(s), s.token),
  sendOtp: (s: Session) => call<OtpSent>('POST', rec(s, '/otp'), s.token),
  verifyOtp: (s: Session, code: string) =>
    call<RecoveryVerified>('POST', rec(s, '/otp/verify'), s.token, { code }),
  password: (s: Session, password: string, confirmation: string, digitalToken: TokenChoice) =>
    call<RecoveryCompleted | RecoveryOnHold>('PUT', rec(s, '/password'), s.token, {
      password,
      confirmation,
      digitalToken,
    }),
};
