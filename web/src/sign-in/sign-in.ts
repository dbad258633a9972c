// The sign-in of the guide's last screen ("ingresa nuevamente con tu usuario y clave"): "Usuario", then the
// security image the customer chose with the warning not to go on without recognising it, "Clave", and the
// digital-token code when a token is active.
import { ApiError } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { signInProblemText } from '../messages.ts';
import { actions, button, Errors, onSubmit, type Screen, textField } from '../ui.ts';
import { type SignedIn, signInApi } from './api.ts';
import { page, signInFail, tokenKeypad, wrongCode } from './common.ts';
import { deviceTokens } from './device.ts';
import { signInState } from './state.ts';

function signedIn(app: App, res: SignedIn, username: string): void {
  deviceTokens.keep(username, res.deviceToken);
  signInState.set({ session: res.session.token });
  app.go('home');
}

function startOver(app: App, notice?: string): void {
  signInState.clear();
  app.go('sign-in', notice);
}

/**
 * «¿Olvidaste tu usuario o clave?»: leaves this sign-in for the recovery of access (the one in progress in
 * this tab, or a new one).
 */
export function forgotLink(app: App): HTMLButtonElement {
  const forgot = button('¿Olvidaste tu usuario o clave?', 'link');
  forgot.addEventListener('click', () => {
    signInState.clear();
    app.recover();
  });
  return forgot;
}

export function usernameView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const username = textField({ label: 'Usuario', autocomplete: 'username', maxlength: 64 });
  errors.add('username', username.field);
  const submit = button('Continuar', 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, username.wrap, actions(submit));
  onSubmit(form, submit, async () => {
    const name = username.input.value.trim();
    if (!name) return errors.show([{ field: 'username', message: 'Ingresa tu usuario.' }]);
    try {
      const res = await signInApi.start(name, deviceTokens.of(name));
      signInState.set({ pending: { id: res.signInId, token: res.token, username: name, image: res.image } });
      app.go('sign-in-password');
    } catch (err) {
      signInFail(app, err, errors);
    }
  });
  const register = button('Regístrate aquí', 'link');
  register.addEventListener('click', () => app.go('start'));
  return page({
    title: 'Ingreso a Produbanco en línea',
    notice,
    body: [
      h('p', { class: 'lead' }, 'Ingresa con el usuario que creaste al registrarte.'),
      form,
      h('p', { class: 'cancel' }, forgotLink(app)),
      h('p', { class: 'cancel' }, '¿Aún no tienes usuario? ', register),
    ],
  });
}

export function passwordView(app: App, notice?: string): Screen {
  const pending = signInState.get().pending;
  if (!pending) return usernameView(app, notice);
  const errors = new Errors();
  const password = textField({ label: 'Clave', type: 'password', autocomplete: 'current-password' });
  errors.add('password', password.field);
  const submit = button('Ingresar', 'primary', 'submit');
  const other = button('No es mi usuario', 'secondary');
  other.addEventListener('click', () => startOver(app));
  // The username rides along, hidden, so a password manager files the password under the right account.
  const account = h('input', { type: 'text', autocomplete: 'username', hidden: true, readonly: true });
  account.value = pending.username;
  const form = h('form', { novalidate: true }, errors.alert, account, password.wrap, actions(other, submit));
  // A locked user is offered the way back right under the lock message: the same link, moved up.
  const forgot = forgotLink(app);
  const forgotBox = h('p', { class: 'cancel' }, forgot);
  const lockedHelp = h('p', { class: 'notice-action' });
  onSubmit(form, submit, async () => {
    if (!password.input.value) return errors.show([{ field: 'password', message: 'Ingresa tu clave.' }]);
    try {
      const res = await signInApi.password(pending, password.input.value);
      password.input.value = '';
      if (res.step === 'digital-token') app.go('sign-in-token');
      else signedIn(app, res, pending.username);
    } catch (err) {
      password.input.value = '';
      const p = err instanceof ApiError ? err.problem : undefined;
      if (p?.code === 'invalid_credentials')
        errors.show([{ field: 'password', message: 'Vuelve a escribir tu clave.' }], signInProblemText(p));
      else signInFail(app, err, errors);
      if (p?.code === 'credential_locked' && !lockedHelp.isConnected) {
        lockedHelp.append('Si olvidaste tu clave, puedes crear una nueva ahora: ', forgot);
        errors.alert.after(lockedHelp);
        forgotBox.remove();
      }
    }
  });
  const image = pending.image;
  return page({
    title: 'Ingresa tu clave',
    notice,
    body: [
      h(
        'dl',
        { class: 'summary' },
        h('div', {}, h('dt', {}, 'Usuario:'), h('dd', { 'data-username': '' }, pending.username)),
      ),
      h(
        'figure',
        { class: 'security-image' },
        h('img', { src: image.url, alt: image.label, width: 96, height: 96, 'data-image': image.id }),
        h(
          'figcaption',
          {},
          h('strong', {}, image.label),
          h('span', {}, 'Esta es tu imagen de seguridad. Si no la reconoces, no ingreses tu clave.'),
        ),
      ),
      form,
      forgotBox,
    ],
  });
}

export function tokenView(app: App, notice?: string): Screen {
  const pending = signInState.get().pending;
  if (!pending) return usernameView(app, notice);
  const errors = new Errors();
  const { keypad, submitCode } = tokenKeypad(
    errors,
    'Los 6 dígitos que muestra ahora tu aplicación de autenticación. Ingrésalos con el teclado virtual; los números cambian de lugar cada vez.',
  );
  const submit = button('Ingresar', 'primary', 'submit');
  const cancel = button('Cancelar', 'secondary');
  cancel.addEventListener('click', () => startOver(app));
  const form = h('form', { novalidate: true }, errors.alert, keypad.root, actions(cancel, submit));
  submitCode(form, submit, async (code) => {
    try {
      signedIn(app, await signInApi.digitalToken(pending, code), pending.username);
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : undefined;
      if (wrongCode(err, errors, keypad)) return;
      if (p?.code === 'otp_locked')
        startOver(
          app,
          'Agotaste los intentos con el Token digital. Por tu seguridad, ingresa de nuevo tu usuario y clave.',
        );
      else signInFail(app, err, errors);
    }
  });
  return page({
    title: 'Token digital',
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        `Hola, ${pending.username}. Tienes activo el Token digital: abre la aplicación de autenticación de tu teléfono e ingresa el código que muestra.`,
      ),
      form,
      h('p', { class: 'cancel' }, '¿Perdiste tu teléfono? ', forgotLink(app)),
    ],
  });
}
