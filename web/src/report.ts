// «No fui yo» (rule 55), at `#/no-fui-yo/<token>` from a security email: says what freezing does, and freezes
// only when the customer presses the button (a mail scanner that opens the link freezes nothing). The token
// leaves the address once used.
import { ApiError } from './api.ts';
import { h } from './dom.ts';
import { problemText } from './messages.ts';
import { signInApi } from './sign-in/api.ts';
import { signInState } from './sign-in/state.ts';
import { actions, button, Errors, onSubmit, type Screen, screen } from './ui.ts';

export const REPORT_HASH = '#/no-fui-yo/';

/** The link token in the address, if this is a «No fui yo» address. */
export const reportToken = (hash: string): string | undefined =>
  hash.startsWith(REPORT_HASH) ? hash.slice(REPORT_HASH.length) : undefined;

const callCenter = () => h('a', { href: 'tel:1700123123' }, '1700 123 123');

const titled = (title: string, body: Parameters<typeof screen>[0]['body']): Screen => ({
  ...screen({ title, body }),
  title: `${title} – Produbanco en línea`,
});

function frozenView(): Screen {
  return titled('Bloqueamos tu acceso', [
    h(
      'p',
      { class: 'lead', 'data-frozen': '' },
      'Listo. Nadie puede ingresar con tu usuario ni recuperarlo en línea.',
    ),
    h(
      'p',
      {},
      'Cerramos todas tus sesiones y cancelamos cualquier cambio de clave o de Token digital pendiente. Te enviamos un correo con estos pasos.',
    ),
    h(
      'p',
      {},
      'Para volver a usar Produbanco en línea, acércate con tu cédula a cualquier agencia de Produbanco o llama a nuestro Call Center al ',
      callCenter(),
      ': un asesor verificará tu identidad y habilitará tu usuario.',
    ),
  ]);
}

export function reportView(token: string, mount: (s: Screen) => void): Screen {
  const errors = new Errors();
  const submit = button('Bloquear mi acceso', 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, actions(submit));
  onSubmit(form, submit, async () => {
    try {
      await signInApi.report(token);
      // The link is used up: it leaves the address and this tab forgets any session.
      history.replaceState(null, '', `${location.pathname}${location.search}`);
      signInState.clear();
      mount(frozenView());
    } catch (err) {
      const p = err instanceof ApiError ? err.problem : undefined;
      errors.screen(p ? problemText(p) : 'Ocurrió un error inesperado. Inténtalo de nuevo.');
    }
  });
  return titled('¿No reconoces esta actividad?', [
    h(
      'p',
      { class: 'lead' },
      'Si no fuiste tú, bloquea tu acceso a Produbanco en línea ahora. Al bloquearlo:',
    ),
    h(
      'ul',
      {},
      h('li', {}, 'cerramos todas las sesiones abiertas con tu usuario;'),
      h('li', {}, 'cancelamos cualquier cambio de clave o de Token digital pendiente;'),
      h('li', {}, 'nadie podrá ingresar con tu usuario ni recuperarlo en línea, tampoco tú.'),
    ),
    h(
      'p',
      {},
      'Para volver a usarlo tendrás que acercarte a una agencia o llamar al Call Center al ',
      callCenter(),
      '. Este enlace sirve una sola vez.',
    ),
    form,
  ]);
}
