// What the QR screen offers a customer who is on the phone that will hold the token: the otpauth link that
// opens the authenticator app with the key already in it (a phone cannot scan its own screen), and the key
// copied in one tap for an app that asks for it.
import { h } from '../dom.ts';
import { button } from '../ui.ts';
import type { Scan } from './api.ts';

/** «Abrir en mi aplicación de autenticación»: the `otpauth://` URI of T2, only when it is one. */
export function openInAppLink(scan: Scan): HTMLElement | null {
  if (!/^otpauth:\/\/totp\//.test(scan.otpauthUri)) return null;
  return h(
    'p',
    { class: 'open-app' },
    h(
      'a',
      { class: 'btn btn-primary', href: scan.otpauthUri, 'data-open-app': '' },
      'Abrir en mi aplicación de autenticación',
    ),
    h(
      'span',
      { class: 'hint' },
      'Si estás en el teléfono donde tendrás tu Token digital, tócalo: la aplicación se abre con la clave ya ingresada. Si no se abre, usa el código QR o la clave de abajo.',
    ),
  );
}

/** «Copiar clave»: the key without its spaces, in one tap; says so, or says to write it by hand. */
export function copySecretButton(secret: string): HTMLElement {
  const copy = button('Copiar clave', 'secondary');
  const status = h('span', { class: 'hint', role: 'status' });
  copy.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(secret);
      status.textContent = 'Clave copiada. Pégala en tu aplicación de autenticación.';
    } catch {
      status.textContent = 'No pudimos copiarla: escríbela tal como aparece.';
    }
  });
  return h('p', { class: 'copy-secret' }, copy, ' ', status);
}
