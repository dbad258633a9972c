// What the sign-in pages share: their frame (the wizard's screen with this site's title), the error policy
// of a sign-in or a signed-in session, and the 6-digit code on the wizard's shuffled keypad.
import { ApiError } from '../api.ts';
import type { App } from '../app.ts';
import { type Child, h } from '../dom.ts';
import { createKeypad, type Keypad } from '../keypad.ts';
import { signInProblemText } from '../messages.ts';
import { type Errors, groupField, onSubmit, type Screen, screen } from '../ui.ts';
import { signInState } from './state.ts';

export const MENU_PATH = [
  'Menú Principal',
  'Servicios Bancarios',
  'Segundo Factor de Seguridad',
  'Activación',
];

export function page(opts: { title: string; notice?: string; body: Child[] }): Screen {
  const s = screen(opts);
  return { ...s, title: `${opts.title} – Produbanco en línea` };
}

/**
 * A dead sign-in or session goes back to "Usuario" with the reason; field errors go to their fields; anything
 * else is said in Spanish in the form's alert region.
 */
export function signInFail(app: App, err: unknown, errors: Errors): void {
  if (!(err instanceof ApiError)) {
    errors.screen('Ocurrió un error inesperado. Inténtalo de nuevo.');
    return;
  }
  const p = err.problem;
  if (p.code === 'session_invalid') {
    signInState.clear();
    app.go('sign-in', signInProblemText(p));
  } else if (p.code === 'validation_failed') {
    errors.fromApi(p.errors, p.detail);
  } else {
    errors.screen(signInProblemText(p));
  }
}

/**
 * A wrong code (with the attempts left), or a right one already used (no attempt lost: the app's next code
 * will do): the reason in the alert, and the keypad marked and emptied.
 */
export function wrongCode(err: unknown, errors: Errors, keypad: Keypad): boolean {
  const p = err instanceof ApiError ? err.problem : undefined;
  if (p?.code !== 'otp_invalid' && p?.code !== 'otp_already_used') return false;
  keypad.reset();
  const again = p.code === 'otp_invalid' ? 'Vuelve a ingresar el código.' : 'Ingresa el siguiente código.';
  errors.show([{ field: 'code', message: again }], signInProblemText(p));
  return true;
}

/** A 6-digit code on the keypad; an app's code is a one-time password too, hence the one name "otp". */
export function codeKeypad(errors: Errors, opts: { legend: string; hint: string }) {
  const keypad = createKeypad({ ...opts, name: 'otp', length: 6 });
  errors.add(
    'code',
    groupField(keypad.root, () => keypad.root.querySelector('.key'), keypad.error),
  );
  /** Sends the six digits typed (the keypad empties and reshuffles), or says that six are needed. */
  const submitCode = (
    form: HTMLFormElement,
    submit: HTMLButtonElement,
    run: (code: string) => Promise<void>,
  ) =>
    onSubmit(form, submit, async () => {
      const code = keypad.value();
      if (code.length !== 6)
        return errors.show([{ field: 'code', message: 'Ingresa los 6 dígitos con el teclado virtual.' }]);
      keypad.reset();
      await run(code);
    });
  return { keypad, submitCode };
}

/** The guide's menu path as a breadcrumb; the last entry is the current page when `current` is set. */
export function menuPath(current: boolean): HTMLElement {
  return h(
    'nav',
    { class: 'breadcrumb', 'aria-label': 'Ruta del menú' },
    h(
      'ol',
      {},
      MENU_PATH.map((label, i) =>
        h('li', { 'aria-current': current && i === MENU_PATH.length - 1 ? 'page' : null }, label),
      ),
    ),
  );
}

/** The code of the customer's authenticator app, on the keypad. */
export const tokenKeypad = (errors: Errors, hint: string) =>
  codeKeypad(errors, { legend: 'Código del Token digital', hint });

/** A page of the activation: under the menu path, with what the customer does next as a numbered list. */
export function activationPage(opts: {
  title: string;
  notice?: string;
  steps?: string[];
  body: Child[];
}): Screen {
  return page({
    title: opts.title,
    notice: opts.notice,
    body: [
      menuPath(true),
      opts.steps
        ? h(
            'ol',
            { class: 'how' },
            opts.steps.map((s) => h('li', {}, s)),
          )
        : null,
      ...opts.body,
    ],
  });
}
