// What every screen may ask of the wizard: the saved registration, navigation and the shared error policy.
import type { Completed, Contact, OtpSent, Session, Started, Step } from './api.ts';
import type { Errors } from './ui.ts';

/** The API's steps, and the screens the page adds: the choice before step 1, guide screen 10
 * ("Solicitud Segundo Factor", which shares the API step second-factor with screen 9), and the sign-in pages. */
export type View =
  | Step
  | 'start'
  | 'card'
  | 'company'
  | 'virtual-key'
  | 'second-factor-choice'
  | 'expired'
  | SignInView
  | RecoveryView;

/** The pages after the registration, at the address `#/ingresar`: sign-in, the signed-in home, activation. */
export const SIGN_IN_VIEWS = [
  'sign-in',
  'sign-in-password',
  'sign-in-token',
  'home',
  'activation',
  'activation-code',
  'activation-scan',
  'security',
] as const;
export type SignInView = (typeof SIGN_IN_VIEWS)[number];
export const isSignInView = (view: View): view is SignInView =>
  (SIGN_IN_VIEWS as readonly View[]).includes(view);

/** The recovery of access, at the address `#/recuperar`: identification, code, new password, done. */
export const RECOVERY_VIEWS = [
  'recovery',
  'recovery-card',
  'recovery-company',
  'recovery-virtual-key',
  'recovery-contact',
  'recovery-otp',
  'recovery-password',
  'recovery-done',
  'recovery-expired',
] as const;
export type RecoveryView = (typeof RECOVERY_VIEWS)[number];
export const isRecoveryView = (view: View): view is RecoveryView =>
  (RECOVERY_VIEWS as readonly View[]).includes(view);

/** Kept in sessionStorage so a reload resumes the wizard; nothing secret but the registration token. */
export interface Saved extends Session {
  contact?: Contact;
  otp?: OtpSent;
  username?: string;
  /** True once the code is verified: the screens before it cannot be shown again. */
  verified?: boolean;
  /** The answer of guide screen 9, sent with the factor chosen on screen 10. */
  hasSmartDevice?: boolean;
}

/** What was typed at step 1 but the key (memory only), so "Regresar" from the contact screen keeps it. */
export interface Draft {
  kind: 'card' | 'company' | 'virtual-key';
  fields: Record<string, string>;
}

export interface App {
  saved: Saved | null;
  /** The cédula typed at step 1 (memory only), so the password screen can warn about it. */
  cedula?: string;
  draft?: Draft;
  /** The last `complete` answer, for the final screen. */
  completed?: Completed;
  session(): Session;
  begin(started: Started): void;
  update(patch: Partial<Saved>): void;
  go(view: View, notice?: string): void;
  /** «Regresar» to `view`: the browser's Back when the previous history entry is that screen, else `go`. */
  back(view: View): void;
  /** Cancels the open registration (if any) and returns to the credential choice. */
  restart(): Promise<void>;
  /** Applies the errors every screen treats alike; anything else is shown in `errors`. */
  fail(err: unknown, errors: Errors): void;
  /** Leaves the registration (nothing to cancel once completed) for the sign-in page. */
  signIn(notice?: string): void;
  /** Opens the recovery of access: the one in progress in this tab (resumed from the API), or a new one. */
  recover(notice?: string): void;
  /** Runs when the current screen is left (timers). */
  onLeave(fn: () => void): void;
}
