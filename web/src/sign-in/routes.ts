// The sign-in pages as the wizard's router sees them: which screen each view is, and where a visit to
// `#/ingresar` starts (the home if a session is open, the password if a sign-in is pending).
import type { App, SignInView } from '../app.ts';
import type { Screen } from '../ui.ts';
import { activationCodeView, activationScanView, activationView, homeView } from './home.ts';
import { securityView } from './security.ts';
import { passwordView, tokenView, usernameView } from './sign-in.ts';
import { signInState } from './state.ts';

export const SIGN_IN_HASH = '#/ingresar';

/** The pages of a signed-in session that a reload shows again (each checks what it needs itself). */
const RESUMABLE: readonly SignInView[] = [
  'home',
  'activation',
  'activation-code',
  'activation-scan',
  'security',
];

/**
 * Where a visit to `#/ingresar` starts: the screen a reload was on (`resumed`, from the history entry) when a
 * session is open and it is one of its pages, so a reload of the QR screen says why the QR code is gone
 * instead of jumping to the home; else the home, the password of a pending sign-in, or «Usuario».
 */
export function signInEntry(resumed?: unknown): SignInView {
  const saved = signInState.get();
  if (saved.session) return RESUMABLE.find((view) => view === resumed) ?? 'home';
  return saved.pending ? 'sign-in-password' : 'sign-in';
}

export function signInScreen(app: App, view: SignInView, notice?: string): Screen | Promise<Screen> {
  switch (view) {
    case 'sign-in':
      return usernameView(app, notice);
    case 'sign-in-password':
      return passwordView(app, notice);
    case 'sign-in-token':
      return tokenView(app, notice);
    case 'home':
      return homeView(app, notice);
    case 'activation':
      return activationView(app, notice);
    case 'activation-code':
      return activationCodeView(app, notice);
    case 'activation-scan':
      return activationScanView(app, notice);
    case 'security':
      return securityView(app, notice);
  }
}
