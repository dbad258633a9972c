// What the sign-in pages remember across a reload (sessionStorage, this tab only): the pending sign-in with the
// image it showed, then the signed-in session token. The digital-token secret never goes here: it lives in
// memory for the one screen that shows it.
import type { OtpSent, SecurityImage } from '../api.ts';
import type { PendingSignIn, Scan } from './api.ts';

const KEY = 'produbanco.ingreso';

export interface SignInSaved {
  pending?: PendingSignIn & { username: string; image: SecurityImage };
  /** Bearer of M1, M2 and T1-T3. */
  session?: string;
  /** T1's answer, for the resend advice on the SMS-code screen. */
  activation?: OtpSent;
}

function load(): SignInSaved {
  try {
    return JSON.parse(sessionStorage.getItem(KEY) ?? '{}') as SignInSaved;
  } catch {
    return {};
  }
}

let saved: SignInSaved = load();
let scan: Scan | undefined;

export const signInState = {
  get: (): SignInSaved => saved,
  set(next: SignInSaved): void {
    saved = next;
    if (next.pending || next.session) sessionStorage.setItem(KEY, JSON.stringify(next));
    else sessionStorage.removeItem(KEY);
  },
  update(patch: Partial<SignInSaved>): void {
    signInState.set({ ...saved, ...patch });
  },
  /** Forgets everything, the in-memory secret included. */
  clear(): void {
    scan = undefined;
    signInState.set({});
  },
  scan: (): Scan | undefined => scan,
  setScan(next: Scan | undefined): void {
    scan = next;
  },
};
