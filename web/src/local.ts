// What only the local stack's build shows: web/build.ts defines LOCAL_SMS_VIEWER as true there and false in
// every other build, where the minifier drops this code.
import { h } from './dom.ts';

declare const LOCAL_SMS_VIEWER: boolean;

/** On a code screen of the local stack: a link to its SMS outbox, where the code "sent" can be read. */
export function localSmsLink(): HTMLElement | null {
  if (typeof LOCAL_SMS_VIEWER === 'undefined' || !LOCAL_SMS_VIEWER) return null;
  return h(
    'p',
    { class: 'hint', 'data-local-sms': '' },
    'Entorno local: ',
    h('a', { href: '/_local/sms', target: '_blank', rel: 'noopener' }, 'ver los SMS enviados'),
    ' (un despliegue los envía de verdad).',
  );
}
