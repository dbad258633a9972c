// Pasos 6 and the end of the guide: smartphone question and second factor, completion, and the dead ends
// (an expired registration) with a way to start again.
import { api, type Completed } from '../api.ts';
import type { App } from '../app.ts';
import { h, uid } from '../dom.ts';
import { stepActions } from '../step-actions.ts';
import { actions, button, Errors, groupField, onSubmit, type Screen, screen } from '../ui.ts';

export function radio(name: string, value: string, label: string, description?: string): HTMLElement {
  const id = uid('r');
  const descId = description ? uid('d') : undefined;
  return h(
    'div',
    { class: 'radio' },
    h('input', { type: 'radio', name, value, id, 'aria-describedby': descId }),
    h('label', { for: id }, label),
    description ? h('p', { class: 'hint', id: descId }, description) : null,
  );
}

async function complete(app: App, errors: Errors): Promise<void> {
  try {
    app.completed = await api.complete(app.session());
    app.go('completed');
  } catch (err) {
    app.fail(err, errors);
  }
}

/** Guide screen 9, "Confirmación Segundo Factor": does the customer have a smart device? */
export function secondFactorView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const device = h(
    'fieldset',
    { class: 'choice-group' },
    h('legend', {}, '¿Cuentas con un dispositivo inteligente (teléfono o tableta) con conexión a internet?'),
    radio('device', 'yes', 'Sí'),
    radio('device', 'no', 'No'),
  );
  const known = app.saved?.hasSmartDevice;
  if (known !== undefined) {
    const input = device.querySelector<HTMLInputElement>(`input[value="${known ? 'yes' : 'no'}"]`);
    if (input) input.checked = true;
  }
  errors.add(
    'hasSmartDevice',
    groupField(device, () => device.querySelector('input')),
  );
  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    device,
    stepActions(app, submit, 'challenge-questions'),
  );
  onSubmit(form, submit, async () => {
    const answer = device.querySelector<HTMLInputElement>('input:checked')?.value;
    if (!answer)
      return errors.show([{ field: 'hasSmartDevice', message: 'Responde si cuentas con un dispositivo.' }]);
    // Nothing is sent yet: the API takes the device and the factor in one call, on the next screen.
    app.update({ hasSmartDevice: answer === 'yes' });
    app.go('second-factor-choice');
  });

  return screen({
    title: 'Confirmación Segundo Factor',
    paso: 6,
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Para continuar con el proceso de creación de tu usuario necesitamos saber si cuentas con un dispositivo inteligente con conexión a internet.',
      ),
      h(
        'p',
        { class: 'hint' },
        'Nota: si no cuentas con un dispositivo inteligente, te presentaremos una opción para que puedas continuar.',
      ),
      form,
    ],
  });
}

/** Guide screen 10, "Solicitud Segundo Factor": the factor, then the one PUT second-factor and complete. */
export function secondFactorChoiceView(app: App, notice?: string): Screen {
  const hasDevice = app.saved?.hasSmartDevice;
  // Reached without an answer to screen 9 (a reload, the browser's history): ask it first.
  if (hasDevice === undefined) return secondFactorView(app, notice);
  const errors = new Errors();
  const options = hasDevice
    ? [
        radio(
          'factor',
          'digital-token',
          'Token digital',
          'Una aplicación de autenticación en tu teléfono (la descargas gratis de Google Play o App Store) que te da un código distinto cada 30 segundos para confirmar tus ingresos y transacciones.',
        ),
      ]
    : [
        h(
          'p',
          { class: 'hint' },
          'Como no cuentas con un dispositivo inteligente, puedes continuar y solicitar tu segundo factor más tarde.',
        ),
      ];
  const factor = h(
    'fieldset',
    { class: 'choice-group' },
    h(
      'legend',
      {},
      'Elige el segundo factor de seguridad que prefieras para transaccionar en nuestro sitio web',
    ),
    options,
    radio(
      'factor',
      'later',
      'Solicitar más tarde',
      'Podrás solicitarlo luego en Servicios Bancarios / Segundo Factor de Seguridad.',
    ),
  );
  if (!hasDevice) (factor.querySelector('input[value="later"]') as HTMLInputElement).checked = true;
  errors.add(
    'choice',
    groupField(factor, () => factor.querySelector('input')),
  );
  errors.add(
    'hasSmartDevice',
    groupField(factor, () => factor.querySelector('input')),
  );

  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    factor,
    stepActions(app, submit, 'second-factor'),
  );

  onSubmit(form, submit, async () => {
    const choice = factor.querySelector<HTMLInputElement>('input:checked')?.value;
    if (!choice) return errors.show([{ field: 'choice', message: 'Elige una opción para continuar.' }]);
    try {
      const res = await api.secondFactor(app.session(), hasDevice, choice as 'digital-token' | 'later');
      if (res.step === 'finish') await complete(app, errors);
      else app.go(res.step);
    } catch (err) {
      app.fail(err, errors);
    }
  });

  return screen({
    title: 'Solicitud Segundo Factor',
    paso: 6,
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Tus datos fueron guardados exitosamente. Para culminar este proceso, elige el segundo factor de seguridad que prefieras para transaccionar en nuestro sitio web.',
      ),
      form,
    ],
  });
}

/** Reached only by resuming after a reload between the second factor and the completion. */
export function finishView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const back = button('Regresar', 'secondary');
  back.addEventListener('click', () => app.go('second-factor-choice'));
  const submit = button('Finalizar registro', 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, actions(back, submit));
  onSubmit(form, submit, () => complete(app, errors));
  return screen({
    title: 'Finaliza tu registro',
    paso: 6,
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Tus datos fueron guardados. Haz clic en «Finalizar registro» para crear tu usuario.',
      ),
      form,
    ],
  });
}

export function completedView(app: App, done: Completed | undefined): Screen {
  const finish = button('Finalizar', 'primary');
  finish.addEventListener('click', () => app.signIn());
  const username = done?.username ?? '';
  return screen({
    title: 'Operación terminada exitosamente',
    body: [
      h('p', { class: 'lead' }, 'El proceso de registro fue exitoso.'),
      h(
        'p',
        {},
        'Recuerda que a partir de ahora, para ingresar a nuestra web transaccional debes usar tu nombre de usuario: ',
        h('strong', { class: 'username', 'data-username': username }, username),
      ),
      done?.secondFactor === 'pending-activation'
        ? h(
            'p',
            {},
            'Ahora debes activar tu Token digital: ingresa con tu usuario y clave y dirígete a Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad / Activación.',
          )
        : h(
            'p',
            {},
            'Cuando cuentes con un dispositivo inteligente, solicita tu segundo factor en Menú Principal / Servicios Bancarios / Segundo Factor de Seguridad.',
          ),
      h('p', {}, 'Recibirás en tu correo electrónico la confirmación de este proceso y sus indicaciones.'),
      h(
        'p',
        {},
        'Si tienes dudas, comunícate con nuestro Call Center al ',
        h('a', { href: 'tel:1700123123' }, '1700 123 123'),
        '.',
      ),
      h('p', { class: 'hint' }, 'Haz clic en «Finalizar» e ingresa nuevamente con tu usuario y clave.'),
      actions(finish),
    ],
  });
}

/** A dead end with one way out: an expired registration, or a screen that could not load. */
export function messageView(opts: { title: string; text: string; action: string; run: () => void }): Screen {
  const b = button(opts.action, 'primary');
  b.addEventListener('click', opts.run);
  return screen({ title: opts.title, body: [h('p', { class: 'lead' }, opts.text), actions(b)] });
}

export function expiredView(app: App, notice?: string): Screen {
  return messageView({
    title: 'Tu registro expiró',
    text:
      notice ??
      'Por tu seguridad, el registro se cierra tras unos minutos sin actividad o cuando ya no es válido. Para continuar, empieza de nuevo.',
    action: 'Empezar de nuevo',
    run: () => void app.restart(),
  });
}
