// What the recovery pages remember across a reload (sessionStorage, this tab only), the way the wizard keeps
// its registration: the recovery's id and token with what the screens show, then, once the password changed,
// only what the final screen says (the token is dead by then).
import type { Contact, OtpSent, Session } from '../api.ts';
import type { SecondFactor } from '../sign-in/api.ts';
import type { TokenChoice } from './api.ts';

const KEY = 'produbanco.recuperacion';
const DONE_KEY = 'produbanco.recuperacion.finalizada';

export interface RecoverySaved extends Session {
  contact?: Contact;
  otp?: OtpSent;
  /** Known once the code is verified: the screens before it cannot be shown again. */
  username?: string;
  secondFactor?: SecondFactor;
}

export interface RecoveryDone {
  username: string;
  secondFactor: SecondFactor;
  digitalToken: TokenChoice;
  /** The change is held until then (ISO time): nothing changed yet. */
  until?: string;
}

function load<T>(key: string): T | undefined {
  try {
    const raw = sessionStorage.getItem(key);
    return raw ? (JSON.parse(raw) as T) : undefined;
  } catch {
    return undefined;
  }
}

let saved = load<RecoverySaved>(KEY);

export const recoveryState = {
  get: (): RecoverySaved | undefined => saved,
  set(next: RecoverySaved | undefined): void {
    saved = next;
    if (next) {
      sessionStorage.setItem(KEY, JSON.stringify(next));
      sessionStorage.removeItem(DONE_KEY);
    } else sessionStorage.removeItem(KEY);
  },
  update(patch: Partial<RecoverySaved>): void {
    if (saved) recoveryState.set({ ...saved, ...patch });
  },
  verified: (): boolean => saved?.username !== undefined,
  done: (): RecoveryDone | undefined => load<RecoveryDone>(DONE_KEY),
  /** The password changed: forget the session, keep what the final screen shows. */
  finish(done: RecoveryDone): void {
    recoveryState.set(undefined);
    sessionStorage.setItem(DONE_KEY, JSON.stringify(done));
  },
  clear(): void {
    recoveryState.set(undefined);
    sessionStorage.removeItem(DONE_KEY);
  },
};
