// «¿Olvidaste tu usuario o clave?»: the recovery of access with step 1's proof (the registration's own form),
// the SMS code (the registration's own screens), a new password (step 5's checklist) that also shows the
// username, and, when the digital token is active, whether to keep it or turn it off (a lost phone).
import { ApiError, type Session } from '../api.ts';
import type { App, RecoveryView } from '../app.ts';
import { h } from '../dom.ts';
import { recoveryProblemText } from '../messages.ts';
import { MENU_PATH, page } from '../sign-in/common.ts';
import { signInState } from '../sign-in/state.ts';
import { confirmCancel } from '../step-actions.ts';
import { actions, button, Errors, groupField, onSubmit, type Screen } from '../ui.ts';
import { messageView, radio } from '../views/finish.ts';
import { type CodeJourney, codeScreen, contactScreen } from '../views/otp.ts';
import { passwordFields } from '../views/profile.ts';
import { credentialChoices, identificationForm, type Kind } from '../views/start.ts';
import { type RecoveryStep, recoveryApi, type TokenChoice } from './api.ts';
import { recoveryState } from './state.ts';

export const TITLE = 'Recupera tu acceso';

/** The screen of each step the API reports. */
export const RECOVERY_STEP_VIEW: Record<RecoveryStep, RecoveryView> = {
  'verify-contact': 'recovery-contact',
  'enter-otp': 'recovery-otp',
  'new-password': 'recovery-password',
  'on-hold': 'recovery-done',
  completed: 'recovery-done',
};

const KIND_TEXT: Record<Kind, string> = {
  card: 'con tu tarjeta de débito o de crédito',
  company: 'con el RUC de tu empresa',
  'virtual-key': 'con tu clave virtual',
};

function session(): Session {
  const saved = recoveryState.get();
  if (!saved) throw new ApiError({ status: 401, code: 'session_invalid' });
  return saved;
}

/** The recovery's error policy: a dead session starts over, a step out of order goes where the API says. */
export function recoveryFail(app: App, err: unknown, errors: Errors): void {
  if (!(err instanceof ApiError)) {
    errors.screen('Ocurrió un error inesperado. Inténtalo de nuevo.');
    return;
  }
  const p = err.problem;
  const current = p.currentStep as string | undefined;
  if (p.code === 'session_invalid') {
    recoveryState.set(undefined);
    app.go('recovery-expired');
  } else if (p.code === 'step_out_of_order' && current && current in RECOVERY_STEP_VIEW) {
    app.go(RECOVERY_STEP_VIEW[current as RecoveryStep], 'Continuamos en el paso en el que te quedaste.');
  } else if (p.code === 'validation_failed') {
    errors.fromApi(p.errors, p.detail);
  } else {
    errors.screen(recoveryProblemText(p));
  }
}

/** «Cancelar recuperación»: asks, closes the recovery (DELETE) and returns to the sign-in. */
function cancelLink(app: App): HTMLElement {
  const cancel = button('Cancelar recuperación', 'link');
  cancel.addEventListener('click', async () => {
    const yes = await confirmCancel(cancel, {
      title: '¿Cancelar la recuperación de tu acceso?',
      text: 'Tu usuario y tu clave no cambiarán. Podrás empezar de nuevo cuando quieras.',
      yes: 'Sí, cancelar la recuperación',
      no: 'No, continuar',
    });
    if (!yes) return;
    const saved = recoveryState.get();
    recoveryState.clear();
    // If this fails the recovery simply expires.
    if (saved) await recoveryApi.cancel(saved).catch(() => undefined);
    app.go('sign-in', 'Cancelaste la recuperación de tu acceso. Tu usuario y tu clave no cambiaron.');
  });
  return h('p', { class: 'cancel' }, cancel);
}

function withCancel(app: App, s: Screen): Screen {
  s.root.append(cancelLink(app));
  return s;
}

async function startOver(app: App): Promise<void> {
  const saved = recoveryState.get();
  recoveryState.clear();
  if (saved) await recoveryApi.cancel(saved).catch(() => undefined);
  app.go('recovery');
}

/** The credential choice, as the registration's first screen. */
export function recoveryStartView(app: App, notice?: string): Screen {
  const back = button('Regresar al ingreso', 'link');
  back.addEventListener('click', () => app.go('sign-in'));
  return page({
    title: TITLE,
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        '¿Olvidaste tu usuario o tu clave, o perdiste el teléfono con tu Token digital? Confirma que eres tú con la misma clave de 4 dígitos con la que te registraste, y una clave temporal que te enviaremos por SMS. Después verás tu usuario y crearás una nueva clave.',
      ),
      credentialChoices((kind) => app.go(`recovery-${kind}`)),
      h(
        'p',
        { class: 'hint' },
        'Si no cuentas con tu clave de 4 dígitos, acércate a cualquier agencia Produbanco a nivel nacional.',
      ),
      h('p', { class: 'cancel' }, back),
    ],
  });
}

/** Step 1's form for the chosen credential; `not_registered` offers the registration instead. */
export function recoveryIdentifyView(app: App, kind: Kind): Screen {
  const register = button('Regístrate aquí', 'link');
  register.addEventListener('click', () => app.go('start'));
  const registerHelp = h('p', { class: 'notice-action', hidden: true }, register);
  const form = identificationForm(app, kind, {
    submit: 'Continuar',
    back: () => app.go('recovery'),
    start: async (body) => {
      const started = await recoveryApi.start(body);
      const previous = recoveryState.get();
      recoveryState.set({ id: started.recoveryId, token: started.token, contact: started.contact });
      // An older recovery of this tab would otherwise stay open until it expires.
      if (previous) void recoveryApi.cancel(previous).catch(() => undefined);
      app.go('recovery-contact');
    },
    fail: (err, errors) => {
      recoveryFail(app, err, errors);
      // The way to the registration, right under the message that sends there.
      registerHelp.hidden = !(err instanceof ApiError && err.problem.code === 'not_registered');
      errors.alert.after(registerHelp);
    },
  });
  const s = page({
    title: TITLE,
    body: [h('p', { class: 'lead' }, `Ingresa los datos ${KIND_TEXT[kind]}.`), form],
  });
  return { ...s, title: `${TITLE} ${KIND_TEXT[kind]} – Produbanco en línea` };
}

export function recoveryCodeJourney(app: App): CodeJourney {
  return {
    contact: () => recoveryState.get()?.contact,
    otp: () => recoveryState.get()?.otp,
    keepOtp: (otp) => recoveryState.update({ otp }),
    send: () => recoveryApi.sendOtp(session()),
    verify: async (code) => {
      const verified = await recoveryApi.verifyOtp(session(), code);
      // The token of R3 replaces R1's.
      recoveryState.update({
        token: verified.token,
        otp: undefined,
        username: verified.username,
        secondFactor: verified.secondFactor,
      });
      app.go('recovery-password');
    },
    back: () => app.go(app.draft ? `recovery-${app.draft.kind}` : 'recovery'),
    toCode: () => app.go('recovery-otp'),
    toContact: () => app.go('recovery-contact'),
    restart: () => void startOver(app),
    expired: (notice) => {
      recoveryState.set(undefined);
      app.go('recovery-expired', notice);
    },
    fail: (err, errors) => recoveryFail(app, err, errors),
    onLeave: (fn) => app.onLeave(fn),
    words: { this: 'esta recuperación', the: 'la recuperación' },
  };
}

export function recoveryContactView(app: App, notice?: string): Screen {
  return withCancel(
    app,
    contactScreen(recoveryCodeJourney(app), {
      title: 'Confirma que eres tú',
      submit: 'Enviar clave temporal',
      notice,
      intro: h(
        'p',
        {},
        'Te enviaremos una clave temporal por SMS al número celular que tenemos registrado (abajo). Con ella confirmas que eres tú. Si perdiste tu teléfono, te llega igual a un chip de reemplazo con el mismo número.',
      ),
      hint: 'Si el número o el correo ya no son los tuyos, acércate a la Caja de Servicios de cualquier agencia a nivel nacional para actualizarlos.',
    }),
  );
}

export function recoveryCodeView(app: App, notice?: string): Screen {
  return withCancel(app, codeScreen(recoveryCodeJourney(app), notice));
}

/** The username, the new password with step 5's checklist, and the digital token: keep it or turn it off. */
export function newPasswordView(app: App, notice?: string): Screen {
  const saved = recoveryState.get();
  const username = saved?.username;
  if (!saved || username === undefined) return recoveryStartView(app, notice);
  const errors = new Errors();
  const fields = passwordFields(errors, {
    context: () => ({ username, cedula: app.cedula }),
    onLeave: (fn) => app.onLeave(fn),
  });
  const tokenActive = saved.secondFactor === 'active';
  const token = tokenActive
    ? h(
        'fieldset',
        { class: 'choice-group' },
        h('legend', {}, 'Tu Token digital'),
        radio(
          'digital-token',
          'keep',
          'Conservar mi token digital',
          'Sigues usando la aplicación de autenticación de tu teléfono como hasta ahora.',
        ),
        radio(
          'digital-token',
          'reset',
          'Desactivar mi token digital (perdí mi teléfono)',
          'Ingresarás solo con tu usuario y tu nueva clave, y podrás activar el Token digital de nuevo en tu nuevo teléfono.',
        ),
      )
    : null;
  if (token)
    errors.add(
      'digitalToken',
      groupField(token, () => token.querySelector('input')),
    );
  const submit = button('Cambiar clave', 'primary', 'submit');
  // The username rides along, hidden, so a password manager files the new password under the right account.
  const account = h('input', { type: 'text', autocomplete: 'username', hidden: true, readonly: true });
  account.value = username;
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    account,
    fields.elements,
    token,
    actions(submit),
  );
  onSubmit(form, submit, async () => {
    const values = fields.check();
    if (!values) return;
    const choice = (token?.querySelector<HTMLInputElement>('input:checked')?.value ??
      (tokenActive ? undefined : 'keep')) as TokenChoice | undefined;
    if (!choice)
      return errors.show([
        { field: 'digitalToken', message: 'Elige si conservas o desactivas tu Token digital.' },
      ]);
    try {
      const done = await recoveryApi.password(session(), values.password, values.confirmation, choice);
      recoveryState.finish(
        done.step === 'on-hold'
          ? { username: done.username, secondFactor: 'active', digitalToken: choice, until: done.until }
          : { username: done.username, secondFactor: done.secondFactor, digitalToken: choice },
      );
      app.go('recovery-done');
    } catch (err) {
      fields.refused(err, values.password);
      recoveryFail(app, err, errors);
    }
  });
  return withCancel(
    app,
    page({
      title: 'Crea tu nueva clave',
      notice,
      body: [
        h(
          'p',
          { class: 'lead' },
          'Tu usuario es ',
          h('strong', { class: 'username', 'data-username': username }, username),
          '. Con él y tu nueva clave ingresarás a Produbanco en línea.',
        ),
        form,
      ],
    }),
  );
}

/** A time as the customer reads it: «7 de diciembre a las 14:05», in Ecuador. */
export function holdTime(iso: string): string {
  const at = new Date(iso);
  const zone = { timeZone: 'America/Guayaquil' } as const;
  const day = new Intl.DateTimeFormat('es-EC', { ...zone, day: 'numeric', month: 'long' }).format(at);
  const time = new Intl.DateTimeFormat('es-EC', {
    ...zone,
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).format(at);
  return `${day} a las ${time}`;
}

/** A held token reset (rule 54): when it applies, that nothing changed yet, and how to stop it. */
function heldView(app: App, done: { username: string; until: string }, notice?: string): Screen {
  const signIn = button('Ir al ingreso', 'primary');
  signIn.addEventListener('click', () => {
    recoveryState.clear();
    signInState.clear();
    app.go('sign-in');
  });
  return page({
    title: 'Tu cambio está en espera',
    notice,
    body: [
      h(
        'p',
        { class: 'lead', 'data-hold-until': done.until },
        `Tu cambio se aplicará el ${holdTime(done.until)} (hora de Ecuador).`,
      ),
      h(
        'p',
        {},
        'Por tu seguridad, desactivar un Token digital activo y cambiar la clave espera 12 horas. Hasta entonces, tu clave y tu Token digital actuales siguen funcionando. Te enviamos un correo electrónico y un SMS con este aviso.',
      ),
      h(
        'p',
        {},
        `Cuando se aplique, ingresa con tu usuario ${done.username} y tu nueva clave, y activa el Token digital en tu nuevo teléfono desde ${MENU_PATH.join(' / ')}.`,
      ),
      h(
        'p',
        {},
        'Si no lo pediste, usa el enlace «No fui yo» del correo que te enviamos o llama de inmediato a nuestro Call Center al ',
        h('a', { href: 'tel:1700123123' }, '1700 123 123'),
        '.',
      ),
      actions(signIn),
    ],
  });
}

/** «Listo. Tu clave fue cambiada.»: the username, the sessions closed, the email, the token if turned off. */
export function recoveryDoneView(app: App, notice?: string): Screen {
  const done = recoveryState.done();
  if (!done) return recoveryStartView(app, notice);
  if (done.until) return heldView(app, { username: done.username, until: done.until }, notice);
  const signIn = button('Ingresar', 'primary');
  signIn.addEventListener('click', () => {
    recoveryState.clear();
    signInState.clear();
    app.go('sign-in');
  });
  return page({
    title: 'Listo. Tu clave fue cambiada.',
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Tu usuario es ',
        h('strong', { class: 'username', 'data-username': done.username }, done.username),
        '. Ingresa con él y tu nueva clave.',
      ),
      h(
        'p',
        {},
        'Por tu seguridad, cerramos todas las sesiones que tenías abiertas en Produbanco en línea y te enviamos un correo electrónico para confirmarte este cambio.',
      ),
      done.digitalToken === 'reset'
        ? h(
            'p',
            { 'data-token-reset': '' },
            `Desactivamos tu Token digital: los códigos de la aplicación de autenticación de tu teléfono anterior ya no sirven. Después de ingresar, puedes activarlo de nuevo desde ${MENU_PATH.join(' / ')}.`,
          )
        : null,
      h(
        'p',
        {},
        'Si no fuiste tú, comunícate de inmediato con nuestro Call Center al ',
        h('a', { href: 'tel:1700123123' }, '1700 123 123'),
        '.',
      ),
      actions(signIn),
    ],
  });
}

export function recoveryExpiredView(app: App, notice?: string): Screen {
  const s = messageView({
    title: 'Tu recuperación expiró',
    text: notice ?? recoveryProblemText({ status: 401, code: 'session_invalid' }),
    action: 'Empezar de nuevo',
    run: () => app.go('recovery'),
  });
  return { ...s, title: 'Tu recuperación expiró – Produbanco en línea' };
}
