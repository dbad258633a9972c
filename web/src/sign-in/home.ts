// The signed-in home and the guide's "Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad /
// Activación": an SMS code to the phone on file, then the QR code and the secret (shown once), then the first
// code of the app to confirm.
import { ApiError } from '../api.ts';
import type { App } from '../app.ts';
import { h, uid } from '../dom.ts';
import { signInProblemText } from '../messages.ts';
import { actions, button, Errors, onSubmit, type Screen } from '../ui.ts';
import { activationCodeScreen } from './activation-code.ts';
import { type Me, type Scan, type SecondFactor, signInApi } from './api.ts';
import { activationPage, MENU_PATH, page, signInFail, tokenKeypad, wrongCode } from './common.ts';
import { groupSecret, qrDataUrl } from './scan.ts';
import { copySecretButton, openInAppLink } from './scan-actions.ts';
import { usernameView } from './sign-in.ts';
import { signInState } from './state.ts';

const FACTOR_TEXT: Record<SecondFactor, string> = {
  active: 'Token digital activo',
  'pending-activation': 'Token digital pendiente de activación',
  later: 'Sin segundo factor (puedes solicitarlo cuando cuentes con un dispositivo inteligente)',
};

function contactList(me: Me): HTMLElement {
  const row = (term: string, value: string, key: string) =>
    h('div', {}, h('dt', {}, term), h('dd', { [`data-${key}`]: '' }, value));
  return h(
    'dl',
    { class: 'summary' },
    row('Usuario:', me.username, 'username'),
    row('Teléfono celular:', me.contact.phone, 'phone'),
    row('Correo electrónico:', me.contact.email || 'No registrado', 'email'),
    row('Segundo factor:', FACTOR_TEXT[me.secondFactor], 'second-factor'),
  );
}

/** The guide's menu as nested lists; only "Activación" does something on this small home. */
function mainMenu(app: App): HTMLElement {
  const activation = button(MENU_PATH[3] as string, 'link');
  activation.addEventListener('click', () => app.go('activation'));
  const [main, banking, factor] = MENU_PATH;
  return h(
    'nav',
    { class: 'menu', 'aria-label': main },
    h('h2', {}, main),
    h('ul', {}, h('li', {}, banking, h('ul', {}, h('li', {}, factor, h('ul', {}, h('li', {}, activation)))))),
  );
}

/** «Seguridad»: sessions and devices, the password, the recent activity (security.ts). */
function securityLink(app: App): HTMLElement {
  const open = button('Seguridad: sesiones, clave y actividad', 'link');
  open.addEventListener('click', () => app.go('security'));
  return h('p', { class: 'security-link' }, open);
}

function signOutButton(app: App, errors: Errors): HTMLElement {
  const out = button('Cerrar sesión', 'secondary');
  out.addEventListener('click', async () => {
    const session = signInState.get().session;
    try {
      if (session) await signInApi.signOut(session);
    } catch (err) {
      // A session that is already dead is as good as closed; anything else leaves it open, so say so.
      if (!(err instanceof ApiError && err.problem.code === 'session_invalid'))
        return signInFail(app, err, errors);
    }
    signInState.clear();
    app.go('sign-in', 'Cerraste tu sesión. Gracias por usar Produbanco en línea.');
  });
  return out;
}

function session(): string | undefined {
  return signInState.get().session;
}

export async function homeView(app: App, notice?: string): Promise<Screen> {
  const token = session();
  if (!token) return usernameView(app, notice);
  const me = await signInApi.me(token);
  const errors = new Errors();
  return page({
    title: 'Te damos la bienvenida',
    notice,
    body: [
      h('p', { class: 'lead' }, 'Ingresaste como ', h('strong', { class: 'username' }, me.username), '.'),
      errors.alert,
      contactList(me),
      me.secondFactor === 'active'
        ? null
        : h(
            'p',
            { class: 'hint' },
            `Para transaccionar necesitas tu Token digital: actívalo en ${MENU_PATH.join(' / ')}.`,
          ),
      mainMenu(app),
      securityLink(app),
      actions(signOutButton(app, errors)),
    ],
  });
}

/** Step 1 of the activation: what will happen, and the SMS code to the phone on file. */
export async function activationView(app: App, notice?: string): Promise<Screen> {
  const token = session();
  if (!token) return usernameView(app, notice);
  const me = await signInApi.me(token);
  const errors = new Errors();
  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => app.go('home'));
  if (me.secondFactor === 'active') {
    return activationPage({
      title: 'Activación del Token digital',
      notice,
      body: [
        h('p', { class: 'lead' }, signInProblemText({ status: 409, code: 'token_already_active' })),
        actions(back),
      ],
    });
  }
  const submit = button('Enviar clave por SMS', 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, actions(back, submit));
  onSubmit(form, submit, async () => {
    try {
      signInState.update({ activation: await signInApi.sendActivationCode(token) });
      app.go('activation-code');
    } catch (err) {
      signInFail(app, err, errors);
    }
  });
  return activationPage({
    title: 'Activación del Token digital',
    notice,
    steps: [
      `Confirmamos que eres tú con una clave temporal que enviamos por SMS a tu celular ${me.contact.phone}.`,
      'Escaneas un código QR con la aplicación de autenticación de tu teléfono.',
      'Ingresas el primer código que muestra la aplicación de autenticación, y tu Token digital queda activo.',
    ],
    body: [form],
  });
}

/** Step 2: the SMS code on the keypad (activation-code.ts). */
export function activationCodeView(app: App, notice?: string): Screen {
  const token = session();
  if (!token) return usernameView(app, notice);
  return activationCodeScreen(app, token, notice);
}

function qrImage(scan: Scan): HTMLImageElement | null {
  const src = qrDataUrl(scan.qrSvg);
  return src
    ? h('img', {
        class: 'qr',
        src,
        alt: 'Código QR para activar tu Token digital en la aplicación de autenticación',
        width: 220,
        height: 220,
      })
    : null;
}

/** Step 3: the QR code and the secret, shown once, and the app's first code to confirm. */
export function activationScanView(app: App, notice?: string): Screen | Promise<Screen> {
  const token = session();
  const scan = signInState.scan();
  if (!token) return usernameView(app, notice);
  if (!scan)
    return activationView(
      app,
      'Por tu seguridad, el código QR y la clave se muestran una sola vez y no se guardan en este navegador, así que al recargar la página ya no están. Pide una nueva clave por SMS para verlos de nuevo; el código anterior deja de servir.',
    );
  const errors = new Errors();
  const helpId = uid('secret-help');
  const { keypad, submitCode } = tokenKeypad(
    errors,
    'Los 6 dígitos que muestra ahora la aplicación de autenticación. Ingrésalos con el teclado virtual.',
  );
  const cancel = button('Cancelar', 'secondary');
  cancel.addEventListener('click', () => {
    signInState.setScan(undefined);
    app.go('home');
  });
  const submit = button('Activar Token digital', 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, keypad.root, actions(cancel, submit));
  submitCode(form, submit, async (code) => {
    try {
      await signInApi.confirmActivation(token, code);
      signInState.setScan(undefined);
      app.go(
        'home',
        'Tu Token digital quedó activado. Te enviamos un correo de confirmación. Desde ahora te pediremos su código cada vez que ingreses.',
      );
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : undefined;
      if (wrongCode(err, errors, keypad)) return;
      if (p?.code === 'otp_locked' || p?.code === 'step_out_of_order') {
        signInState.setScan(undefined);
        app.go(
          'activation',
          p.code === 'otp_locked'
            ? 'Agotaste los intentos con el código de la aplicación de autenticación. Por tu seguridad, empieza de nuevo la activación de tu Token digital.'
            : signInProblemText(p),
        );
      } else signInFail(app, err, errors);
    }
  });
  return activationPage({
    title: 'Escanea el código QR',
    notice,
    steps: [
      'Descarga en tu teléfono una aplicación de autenticación (por ejemplo Google Authenticator o Microsoft Authenticator) desde Google Play o App Store.',
      'En la aplicación de autenticación, elige «Escanear un código QR» y apunta la cámara a este código.',
    ],
    body: [
      openInAppLink(scan),
      qrImage(scan),
      h(
        'div',
        { class: 'secret-box' },
        h(
          'p',
          { id: helpId },
          'Si no puedes escanearlo, elige «Ingresar una clave de configuración» (basada en tiempo) y escribe esta clave:',
        ),
        h('p', {}, h('code', { class: 'secret', 'aria-describedby': helpId }, groupSecret(scan.secret))),
        copySecretButton(scan.secret),
        h(
          'p',
          { class: 'hint' },
          'Por tu seguridad, esta clave se muestra una sola vez y nunca te la pediremos.',
        ),
      ),
      form,
    ],
  });
}
