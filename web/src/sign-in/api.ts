// Client of the sign-in and digital-token routes (same origin, /v1): the same transport and error shape as the
// registration's client, so every screen branches on the problem's stable `code`.
import { type Contact, call, type OtpSent, type SecurityImage } from '../api.ts';

export type SecondFactor = 'active' | 'pending-activation' | 'later';

export interface SignInStarted {
  signInId: string;
  token: string;
  step: 'password';
  image: SecurityImage;
}

export interface SignedIn {
  step: 'signed-in';
  session: { token: string; expiresAt: string };
  secondFactor: SecondFactor;
  /** A new device's token: this browser keeps it (device.ts). */
  deviceToken?: string;
}

export interface SessionInfo {
  id: string;
  current: boolean;
  createdAt: string;
  lastSeenAt: string;
  device: string;
  place: string;
}

export interface ActivityEvent {
  at: string;
  kind: string;
  device?: string;
  place?: string;
  details?: Record<string, string | number | boolean>;
}

export interface Me {
  username: string;
  contact: Contact;
  secondFactor: SecondFactor;
  image: SecurityImage;
}

/** T2's answer: the secret is shown once and kept in memory only. */
export interface Scan {
  step: 'scan';
  otpauthUri: string;
  secret: string;
  qrSvg: string;
}

export interface PendingSignIn {
  id: string;
  token: string;
}

const signIn = (s: PendingSignIn, suffix: string): string => `/sign-ins/${encodeURIComponent(s.id)}${suffix}`;

export const signInApi = {
  start: (username: string, deviceToken?: string) =>
    call<SignInStarted>(
      'POST',
      '/sign-ins',
      undefined,
      deviceToken ? { username, deviceToken } : { username },
    ),
  password: (s: PendingSignIn, password: string) =>
    call<SignedIn | { step: 'digital-token' }>('POST', signIn(s, '/password'), s.token, { password }),
  digitalToken: (s: PendingSignIn, code: string) =>
    call<SignedIn>('POST', signIn(s, '/digital-token'), s.token, { code }),
  me: (session: string) => call<Me>('GET', '/me', session),
  signOut: (session: string) => call<void>('DELETE', '/me/session', session),
  sendActivationCode: (session: string) => call<OtpSent>('POST', '/me/digital-token/activation', session),
  verifyActivationCode: (session: string, code: string) =>
    call<Scan>('POST', '/me/digital-token/activation/verify', session, { code }),
  confirmActivation: (session: string, code: string) =>
    call<{ secondFactor: 'active' }>('POST', '/me/digital-token/activation/confirm', session, { code }),
  sessions: (session: string) => call<{ sessions: SessionInfo[] }>('GET', '/me/sessions', session),
  endSession: (session: string, id: string) =>
    call<void>('DELETE', `/me/sessions/${encodeURIComponent(id)}`, session),
  endOthers: (session: string) => call<{ ended: number }>('POST', '/me/sessions/end-others', session),
  changePassword: (
    session: string,
    body: { currentPassword: string; password: string; confirmation: string },
  ) => call<void>('PUT', '/me/password', session, body),
  activity: (session: string) => call<{ events: ActivityEvent[] }>('GET', '/me/activity', session),
  report: (token: string) => call<{ frozen: true }>('POST', '/security-reports', undefined, { token }),
};
