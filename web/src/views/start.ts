// Screens 1-2 of the guide: the credential choice and the identification with the 4-digit key.

import { ApiError, api, type Identification } from '../api.ts';
import type { App } from '../app.ts';
import { h } from '../dom.ts';
import { createKeypad } from '../keypad.ts';
import { ALREADY_REGISTERED_TEXT, waitText } from '../messages.ts';
import {
  actions,
  button,
  Errors,
  groupField,
  onSubmit,
  type Screen,
  screen,
  selectField,
  textField,
} from '../ui.ts';
import { cedulaValid, digitsOnly, luhnValid, rucValid } from '../validation.ts';

export type Kind = 'card' | 'company' | 'virtual-key';

const CHOICES: { kind: Kind; title: string; text: string }[] = [
  {
    kind: 'card',
    title: 'Para personas',
    text: 'Con tu tarjeta de débito o de crédito y su clave de cajero automático.',
  },
  {
    kind: 'company',
    title: 'Para empresas',
    text: 'Con el RUC de la empresa y su clave de 4 dígitos; si eres usuario adicional, también con tu cédula.',
  },
  { kind: 'virtual-key', title: 'Con tu clave virtual', text: 'Con tu número de cédula y tu clave virtual.' },
];

/** The three credentials as a list of buttons; `choose` receives the one picked. */
export function credentialChoices(choose: (kind: Kind) => void): HTMLElement {
  return h(
    'ul',
    { class: 'choices' },
    CHOICES.map((c) => {
      const b = h(
        'button',
        { type: 'button', class: 'choice', 'data-kind': c.kind },
        h('span', { class: 'choice-title' }, c.title),
        h('span', { class: 'choice-text' }, c.text),
      );
      b.addEventListener('click', () => choose(c.kind));
      return h('li', {}, b);
    }),
  );
}

export function startView(app: App, notice?: string): Screen {
  const list = credentialChoices((kind) => app.go(kind));
  // A customer who registered already (the guide's last screen sends them to sign in) finds the way here too.
  const signIn = button('Ingresa aquí', 'link');
  signIn.addEventListener('click', () => app.signIn());
  return screen({
    title: 'Registro de usuario',
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Escoge la opción con la que deseas activar Produbanco en línea. Para continuar necesitas la clave de 4 dígitos de la opción que elijas.',
      ),
      list,
      h(
        'p',
        { class: 'hint' },
        'Si no cuentas con tu clave, acércate a cualquier agencia Produbanco a nivel nacional.',
      ),
      h('p', { class: 'cancel' }, '¿Ya tienes usuario? ', signIn),
    ],
  });
}

/** What a journey that starts with step 1's proof does with it (the registration, or the recovery of access). */
export interface IdentificationUse {
  /** The submit button's text. */
  submit: string;
  back: () => void;
  /** Sends the identification and moves on; a failure it throws is shown on the form. */
  start: (body: Identification) => Promise<void>;
  /** Shows any failure but a wrong or locked key (which the form explains itself). */
  fail: (err: unknown, errors: Errors) => void;
}

/**
 * Step 1's form for one credential: its fields, the 4-digit key on the keypad, the same checks, and the same
 * texts for a wrong or locked key. The registration and the recovery of access both start with it.
 */
export function identificationForm(app: App, kind: Kind, use: IdentificationUse): HTMLFormElement {
  const errors = new Errors();
  const keypad = createKeypad({
    name: 'pin',
    length: 4,
    legend:
      kind === 'card'
        ? 'Clave de cajero automático'
        : kind === 'company'
          ? 'Clave de 4 dígitos de la empresa, o la tuya si eres usuario adicional'
          : 'Clave virtual de 4 dígitos',
    hint: 'Ingrésala con el teclado virtual; los números cambian de lugar cada vez.',
  });
  errors.add(
    'pin',
    groupField(keypad.root, () => keypad.root.querySelector('.key'), keypad.error),
  );

  const fields: HTMLElement[] = [];
  /** Fields to remember for "Regresar" from the contact screen, by name; the key is never kept. */
  const remembered: Record<string, HTMLInputElement | HTMLSelectElement> = {};
  const draft = app.draft?.kind === kind ? app.draft.fields : {};
  let collect: () => { body?: Identification; problems: { field: string; message: string }[] };
  const year = new Date().getFullYear();

  if (kind === 'card') {
    const card = textField({
      label: 'Número de tarjeta',
      hint: 'Los 13 a 19 números que aparecen en el frente de tu tarjeta.',
      inputmode: 'numeric',
      autocomplete: 'cc-number',
      maxlength: 23,
    });
    const month = selectField({
      label: 'Mes de expiración',
      options: Array.from({ length: 12 }, (_, i) => ({
        value: String(i + 1),
        text: String(i + 1).padStart(2, '0'),
      })),
    });
    const yearField = selectField({
      label: 'Año de expiración',
      options: Array.from({ length: 16 }, (_, i) => ({ value: String(year + i), text: String(year + i) })),
    });
    errors.add('cardNumber', card.field);
    errors.add('expiryMonth', month.field);
    errors.add('expiryYear', yearField.field);
    Object.assign(remembered, {
      cardNumber: card.input,
      expiryMonth: month.select,
      expiryYear: yearField.select,
    });
    fields.push(card.wrap, h('div', { class: 'field-row' }, month.wrap, yearField.wrap));
    collect = () => {
      const problems: { field: string; message: string }[] = [];
      const cardNumber = digitsOnly(card.input.value);
      if (!cardNumber) problems.push({ field: 'cardNumber', message: 'Ingresa el número de tu tarjeta.' });
      else if (!luhnValid(cardNumber)) {
        problems.push({
          field: 'cardNumber',
          message: 'Revisa el número de tarjeta: no es un número válido.',
        });
      }
      const m = Number(month.select.value);
      const y = Number(yearField.select.value);
      if (!m) problems.push({ field: 'expiryMonth', message: 'Selecciona el mes de expiración.' });
      if (!y) problems.push({ field: 'expiryYear', message: 'Selecciona el año de expiración.' });
      const now = new Date();
      if (m && y && (y < now.getFullYear() || (y === now.getFullYear() && m < now.getMonth() + 1))) {
        problems.push({ field: 'expiryMonth', message: 'Esa fecha ya pasó: revisa la fecha de expiración.' });
      }
      return {
        problems,
        body: { type: 'card', cardNumber, expiryMonth: m, expiryYear: y, pin: keypad.value() },
      };
    };
  } else if (kind === 'company') {
    const ruc = textField({
      label: 'RUC de la empresa',
      hint: '13 dígitos.',
      inputmode: 'numeric',
      maxlength: 13,
    });
    const cedula = textField({
      label: 'Cédula del usuario adicional (opcional)',
      hint: 'Solo si eres usuario adicional de la empresa: tu número de cédula de 10 dígitos.',
      inputmode: 'numeric',
      maxlength: 10,
      required: false,
    });
    errors.add('ruc', ruc.field);
    errors.add('cedula', cedula.field);
    Object.assign(remembered, { ruc: ruc.input, cedula: cedula.input });
    fields.push(ruc.wrap, cedula.wrap);
    collect = () => {
      const problems: { field: string; message: string }[] = [];
      const r = digitsOnly(ruc.input.value);
      const c = digitsOnly(cedula.input.value);
      if (!r) problems.push({ field: 'ruc', message: 'Ingresa el RUC de la empresa.' });
      else if (!rucValid(r)) problems.push({ field: 'ruc', message: 'Revisa el RUC: no es un RUC válido.' });
      if (c && !cedulaValid(c)) {
        problems.push({ field: 'cedula', message: 'Revisa la cédula: debe tener 10 dígitos y ser válida.' });
      }
      app.cedula = c || undefined;
      return {
        problems,
        body: { type: 'company', ruc: r, ...(c ? { cedula: c } : {}), pin: keypad.value() },
      };
    };
  } else {
    const cedula = textField({
      label: 'Número de cédula',
      hint: '10 dígitos.',
      inputmode: 'numeric',
      maxlength: 10,
    });
    errors.add('cedula', cedula.field);
    Object.assign(remembered, { cedula: cedula.input });
    fields.push(cedula.wrap);
    collect = () => {
      const problems: { field: string; message: string }[] = [];
      const c = digitsOnly(cedula.input.value);
      if (!c) problems.push({ field: 'cedula', message: 'Ingresa tu número de cédula.' });
      else if (!cedulaValid(c)) {
        problems.push({ field: 'cedula', message: 'Revisa la cédula: debe tener 10 dígitos y ser válida.' });
      }
      app.cedula = c;
      return { problems, body: { type: 'virtual-key', cedula: c, pin: keypad.value() } };
    };
  }

  for (const [name, control] of Object.entries(remembered)) control.value = draft[name] ?? '';

  const back = button('Regresar', 'secondary');
  back.addEventListener('click', use.back);
  const submit = button(use.submit, 'primary', 'submit');
  const form = h('form', { novalidate: true }, errors.alert, fields, keypad.root, actions(back, submit));

  onSubmit(form, submit, async () => {
    const { body, problems } = collect();
    if (!/^\d{4}$/.test(keypad.value())) {
      problems.push({ field: 'pin', message: 'Ingresa los 4 dígitos de tu clave con el teclado virtual.' });
    }
    if (problems.length || !body) {
      errors.show(problems);
      return;
    }
    keypad.reset();
    app.draft = {
      kind,
      fields: Object.fromEntries(Object.entries(remembered).map(([name, control]) => [name, control.value])),
    };
    try {
      await use.start(body);
    } catch (err) {
      const code = err instanceof ApiError ? err.problem.code : '';
      if (code === 'invalid_credentials') {
        errors.show(
          [{ field: 'pin', message: 'Ingresa nuevamente tu clave de 4 dígitos.' }],
          'Los datos o la clave ingresados no son correctos. Revísalos e inténtalo de nuevo. Por tu seguridad, tras varios intentos fallidos seguidos la clave se bloquea temporalmente.',
        );
      } else if (code === 'credential_locked') {
        const wait = err instanceof ApiError ? err.problem.retryAfter : undefined;
        errors.screen(
          `Por tu seguridad, bloqueamos esta clave por intentos fallidos${wait ? `. Podrás intentarlo de nuevo en ${waitText(wait)}` : ' por un tiempo'}. Si la olvidaste, acércate a cualquier agencia Produbanco.`,
        );
      } else {
        use.fail(err, errors);
      }
    }
  });
  return form;
}

export function identifyView(app: App, kind: Kind): Screen {
  // A customer who has a user already may have forgotten it: the recovery, right under the advice.
  const forgot = button('¿Olvidaste tu usuario o clave?', 'link');
  forgot.addEventListener('click', () => app.recover());
  const forgotHelp = h('p', { class: 'notice-action' }, forgot);
  const form = identificationForm(app, kind, {
    submit: 'Registrarse ahora',
    back: () => app.go('start'),
    start: async (body) => {
      app.begin(await api.start(body));
      app.go('verify-contact');
    },
    fail: (err, errors) => {
      forgotHelp.remove();
      if (!(err instanceof ApiError && err.problem.code === 'already_registered'))
        return app.fail(err, errors);
      errors.screen(ALREADY_REGISTERED_TEXT);
      errors.alert.after(forgotHelp);
    },
  });
  const titles: Record<Kind, string> = {
    card: 'Registro con tu tarjeta',
    company: 'Registro para empresas',
    'virtual-key': 'Registro con tu clave virtual',
  };
  return screen({
    title: titles[kind],
    body: [h('p', { class: 'lead' }, 'Ingresa los datos solicitados.'), form],
  });
}
