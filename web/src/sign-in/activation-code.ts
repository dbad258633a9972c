// Step 2 of the digital-token activation: the SMS code on the keypad. It is the registration's own code
// screen (views/otp.ts) driven through a CodeJourney, so «Reenviar clave» follows `resendAvailableAt` and
// `sendsLeft` with the same countdown, texts and singulars as the registration and the recovery.
import type { App } from '../app.ts';
import type { Screen } from '../ui.ts';
import { type CodeJourney, codeScreen } from '../views/otp.ts';
import { signInApi } from './api.ts';
import { menuPath, signInFail } from './common.ts';
import { signInState } from './state.ts';

export function activationCodeJourney(app: App, session: string): CodeJourney {
  return {
    // The masked phone is on the activation's first screen; the code screen names no number.
    contact: () => undefined,
    otp: () => signInState.get().activation,
    keepOtp: (otp) => signInState.update({ activation: otp }),
    send: () => signInApi.sendActivationCode(session),
    verify: async (code) => {
      signInState.setScan(await signInApi.verifyActivationCode(session, code));
      signInState.update({ activation: undefined });
      app.go('activation-scan');
    },
    back: () => app.go('activation'),
    toCode: () => app.go('activation-code'),
    toContact: () => app.go('activation'),
    restart: () => app.go('activation'),
    expired: (notice) => {
      signInState.clear();
      app.go('sign-in', notice);
    },
    fail: (err, errors) => signInFail(app, err, errors),
    onLeave: (fn) => app.onLeave(fn),
    words: { this: 'esta activación', the: 'la activación' },
  };
}

/** The code screen under the guide's menu path. */
export function activationCodeScreen(app: App, session: string, notice?: string): Screen {
  const s = codeScreen(activationCodeJourney(app, session), notice);
  s.heading.after(menuPath(true));
  return s;
}
