// «Seguridad» in the signed-in home (rule 58): where the customer is signed in, with «Cerrar» for each other
// session and «Cerrar sesión en los demás dispositivos»; «Cambiar clave» with step 5's checklist; and the
// customer's recent security activity, in their words.
import { ApiError } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { signInProblemText } from '../messages.ts';
import { actions, button, Errors, onSubmit, type Screen, textField } from '../ui.ts';
import { passwordFields } from '../views/profile.ts';
import { type ActivityEvent, type SessionInfo, signInApi } from './api.ts';
import { page, signInFail } from './common.ts';
import { usernameView } from './sign-in.ts';
import { signInState } from './state.ts';

/** A time as the customer reads it: «6 de diciembre de 2026, 14:05», in Ecuador. */
export const localTime = (iso: string): string =>
  new Intl.DateTimeFormat('es-EC', {
    dateStyle: 'long',
    timeStyle: 'short',
    timeZone: 'America/Guayaquil',
  }).format(new Date(iso));

/** What each activity kind means to the customer. */
const KIND_TEXT: Record<string, string> = {
  'sign-in': 'Ingreso a Produbanco en línea',
  'password-changed': 'Cambio de clave',
  'recovery-completed': 'Recuperación de acceso (nueva clave)',
  'recovery-on-hold': 'Pedido de cambio de clave y Token digital (en espera)',
  'token-reset': 'Recuperación de acceso con desactivación del Token digital',
  'hold-cancelled': 'Cambio en espera cancelado',
  'token-locked': 'Bloqueo del ingreso con Token digital',
  'staff-change': 'Cambio hecho por un asesor de Produbanco',
  'customer-report': 'Bloqueo por «No fui yo»',
  'registration-completed': 'Registro en Produbanco en línea',
  'token-activated': 'Activación del Token digital',
  'identity-check': 'Verificación de tu identidad por un asesor del Call Center',
};

const STAFF_TEXT: Record<string, string> = {
  unlock: 'desbloqueo',
  'revoke-sessions': 'cierre de sesiones',
  'reset-token': 'desactivación del Token digital',
  disable: 'usuario deshabilitado',
  enable: 'usuario habilitado',
  'release-hold': 'cambio en espera aplicado',
  'cancel-hold': 'cambio en espera cancelado',
};

export function activityText(event: ActivityEvent): string {
  const base = KIND_TEXT[event.kind] ?? 'Evento de seguridad';
  const action = event.details?.action;
  const staff = typeof action === 'string' && STAFF_TEXT[action] ? `: ${STAFF_TEXT[action]}` : '';
  const fresh =
    event.kind === 'sign-in' && event.details?.newDevice === true ? ' desde un dispositivo nuevo' : '';
  return `${base}${staff}${fresh}`;
}

function sessionItem(app: App, token: string, s: SessionInfo, errors: Errors): HTMLElement {
  const label = h('span', { class: 'session-device' }, s.device);
  const facts = h(
    'span',
    { class: 'hint' },
    ` · red ${s.place} · desde ${localTime(s.createdAt)} · última actividad ${localTime(s.lastSeenAt)}`,
  );
  if (s.current) {
    return h('li', { 'data-session': s.id }, label, h('strong', {}, ' (esta sesión)'), facts);
  }
  const close = button('Cerrar', 'secondary');
  close.setAttribute('aria-label', `Cerrar la sesión de ${s.device}`);
  close.addEventListener('click', async () => {
    try {
      await signInApi.endSession(token, s.id);
      app.go('security', `Cerramos la sesión de ${s.device}.`);
    } catch (err) {
      signInFail(app, err, errors);
    }
  });
  return h('li', { 'data-session': s.id }, label, facts, ' ', close);
}

function sessionsSection(app: App, token: string, sessions: SessionInfo[]): HTMLElement {
  const errors = new Errors();
  const others = sessions.filter((s) => !s.current).length;
  const endOthers = button('Cerrar sesión en los demás dispositivos', 'secondary');
  endOthers.addEventListener('click', async () => {
    try {
      const { ended } = await signInApi.endOthers(token);
      app.go(
        'security',
        ended === 1
          ? 'Cerramos 1 sesión en otro dispositivo.'
          : `Cerramos ${ended} sesiones en otros dispositivos.`,
      );
    } catch (err) {
      signInFail(app, err, errors);
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'sec-sessions' },
    h('h2', { id: 'sec-sessions' }, 'Dispositivos y sesiones'),
    errors.alert,
    h(
      'ul',
      { class: 'sessions' },
      sessions.map((s) => sessionItem(app, token, s, errors)),
    ),
    others > 0
      ? actions(endOthers)
      : h('p', { class: 'hint' }, 'No tienes sesiones abiertas en otros dispositivos.'),
  );
}

function passwordSection(app: App, token: string, username: string): HTMLElement {
  const errors = new Errors();
  const current = textField({ label: 'Clave actual', type: 'password', autocomplete: 'current-password' });
  errors.add('currentPassword', current.field);
  const fields = passwordFields(errors, {
    context: () => ({ username }),
    onLeave: (fn) => app.onLeave(fn),
  });
  const account = h('input', { type: 'text', autocomplete: 'username', hidden: true, readonly: true });
  account.value = username;
  const submit = button('Cambiar clave', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    account,
    current.wrap,
    fields.elements,
    actions(submit),
  );
  onSubmit(form, submit, async () => {
    const values = fields.check();
    if (!current.input.value)
      return errors.show([{ field: 'currentPassword', message: 'Ingresa tu clave actual.' }]);
    if (!values) return;
    try {
      await signInApi.changePassword(token, { currentPassword: current.input.value, ...values });
      app.go(
        'security',
        'Cambiaste tu clave. Cerramos tus sesiones en los demás dispositivos y te enviamos un correo de confirmación.',
      );
    } catch (err) {
      current.input.value = '';
      const p = err instanceof ApiError ? err.problem : undefined;
      if (p?.code === 'invalid_credentials')
        errors.show(
          [{ field: 'currentPassword', message: 'Tu clave actual no es correcta.' }],
          signInProblemText(p),
        );
      else {
        fields.refused(err, values.password);
        signInFail(app, err, errors);
      }
    }
  });
  return h(
    'section',
    { 'aria-labelledby': 'sec-password' },
    h('h2', { id: 'sec-password' }, 'Cambiar clave'),
    h('p', {}, 'Al cambiar tu clave cerramos tus sesiones en los demás dispositivos.'),
    form,
  );
}

function activitySection(events: ActivityEvent[]): HTMLElement {
  return h(
    'section',
    { 'aria-labelledby': 'sec-activity' },
    h('h2', { id: 'sec-activity' }, 'Actividad reciente'),
    events.length === 0
      ? h('p', {}, 'Aún no hay actividad.')
      : h(
          'ol',
          { class: 'activity' },
          events.map((e) =>
            h(
              'li',
              { 'data-kind': e.kind },
              h('strong', {}, activityText(e)),
              h('span', { class: 'hint' }, ` · ${localTime(e.at)}${e.device ? ` · ${e.device}` : ''}`),
            ),
          ),
        ),
    h(
      'p',
      { class: 'hint' },
      '¿No reconoces algo? Usa el enlace «No fui yo» del correo que te enviamos, o llama al Call Center al ',
      h('a', { href: 'tel:1700123123' }, '1700 123 123'),
      '.',
    ),
  );
}

export async function securityView(app: App, notice?: string): Promise<Screen> {
  const token = signInState.get().session;
  if (!token) return usernameView(app, notice);
  const [me, { sessions }, { events }] = await Promise.all([
    signInApi.me(token),
    signInApi.sessions(token),
    signInApi.activity(token),
  ]);
  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => app.go('home'));
  return page({
    title: 'Seguridad',
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Revisa dónde tienes abierta tu sesión, cambia tu clave y mira tu actividad reciente.',
      ),
      sessionsSection(app, token, sessions),
      passwordSection(app, token, me.username),
      activitySection(events),
      actions(back),
    ],
  });
}
