// Pasos 1-4 of the guide: username, password (policy explained while typing), security image and phones.
import { ApiError, api } from '../api.ts';
import type { App } from '../app.ts';
import { h, uid } from '../dom.ts';
import { stepActions } from '../step-actions.ts';
import { button, Errors, groupField, onSubmit, type Screen, screen, textField } from '../ui.ts';
import {
  normalisePhone,
  passwordChecks,
  passwordProblemText,
  phoneValid,
  usernameProblem,
} from '../validation.ts';

export function usernameView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const username = textField({
    label: 'Nombre de usuario',
    hint: 'De 6 a 20 caracteres: letras sin tilde, números, punto (.), guion (-) o guion bajo (_). Debe empezar con una letra y no puede ser tu cédula, RUC ni número de tarjeta.',
    autocomplete: 'username',
    maxlength: 20,
    value: app.saved?.username,
  });
  const confirmation = textField({ label: 'Confirmación de usuario', maxlength: 20 });
  errors.add('username', username.field);
  errors.add('confirmation', confirmation.field);
  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    username.wrap,
    confirmation.wrap,
    stepActions(app, submit),
  );

  onSubmit(form, submit, async () => {
    const u = username.input.value.trim();
    const c = confirmation.input.value.trim();
    const problems: { field: string; message: string }[] = [];
    const rule = u ? usernameProblem(u) : 'Ingresa un nombre de usuario.';
    if (rule) problems.push({ field: 'username', message: rule });
    if (!c) problems.push({ field: 'confirmation', message: 'Vuelve a escribir tu nombre de usuario.' });
    else if (c !== u)
      problems.push({ field: 'confirmation', message: 'No coincide con el nombre de usuario.' });
    if (problems.length) return errors.show(problems);
    try {
      const res = await api.username(app.session(), u, c);
      app.update({ username: u });
      app.go(res.step);
    } catch (err) {
      if (err instanceof ApiError && err.problem.code === 'username_taken') {
        errors.show([{ field: 'username', message: 'Ese nombre de usuario ya está en uso. Elige otro.' }]);
      } else app.fail(err, errors);
    }
  });

  return screen({
    title: 'Creación de usuario',
    paso: 1,
    notice,
    body: [h('p', { class: 'lead' }, 'Con este nombre ingresarás a Produbanco en línea.'), form],
  });
}

/**
 * Step 5's password and confirmation with the live checklist (the API's own `passwordErrors`, see
 * validation.ts), «Mostrar clave», and the same messages; shared by the registration and the recovery.
 */
export function passwordFields(
  errors: Errors,
  opts: { context: () => { username?: string; cedula?: string }; onLeave: (fn: () => void) => void },
): {
  elements: HTMLElement[];
  /** The two values, or the problems shown at their fields. */
  check(): { password: string; confirmation: string } | undefined;
  /** After the API refused the password: a common one turns its line of the checklist red. */
  refused(err: unknown, password: string): void;
} {
  const password = textField({ label: 'Clave', type: 'password', autocomplete: 'new-password' });
  const confirmation = textField({
    label: 'Clave de confirmación',
    type: 'password',
    autocomplete: 'new-password',
  });
  errors.add('password', password.field);
  errors.add('confirmation', confirmation.field);

  const listId = uid('policy');
  const items = new Map<string, HTMLLIElement>();
  const list = h('ul', { class: 'policy', id: listId });
  password.input.setAttribute(
    'aria-describedby',
    `${listId} ${password.input.getAttribute('aria-describedby') ?? ''}`.trim(),
  );
  const summary = h('p', { class: 'sr-only', 'aria-live': 'polite' });
  // The password the server refused as common, so the checklist shows that line as failed, as it said.
  let rejectedAsCommon: string | undefined;
  const context = () => ({ ...opts.context(), rejectedAsCommon });

  let announce: ReturnType<typeof setTimeout> | undefined;
  const render = (): void => {
    const checks = passwordChecks(password.input.value, confirmation.input.value, context());
    for (const c of checks) {
      let li = items.get(c.id);
      if (!li) {
        li = h('li', {});
        items.set(c.id, li);
        list.append(li);
      }
      const state = c.ok === null ? 'pending' : c.ok ? 'ok' : 'bad';
      li.className = `policy-${state}`;
      li.dataset.rule = c.id;
      const prefix = state === 'ok' ? 'Cumple: ' : state === 'bad' ? 'No cumple: ' : '';
      li.replaceChildren(h('span', { class: 'sr-only' }, prefix), c.text);
    }
    clearTimeout(announce);
    // Announced after a pause in typing, so a screen reader is not interrupted at every key.
    announce = setTimeout(() => {
      if (!password.input.value) return;
      const failing = checks.filter((c) => c.ok === false).map((c) => c.text);
      summary.textContent = failing.length
        ? `La clave aún no cumple: ${failing.join('; ')}.`
        : 'La clave cumple los requisitos que se revisan aquí.';
    }, 1200);
  };
  password.input.addEventListener('input', render);
  confirmation.input.addEventListener('input', render);
  opts.onLeave(() => clearTimeout(announce));
  render();

  const show = h(
    'button',
    { type: 'button', class: 'btn btn-link', 'aria-pressed': 'false' },
    'Mostrar clave',
  );
  show.addEventListener('click', () => {
    const visible = show.getAttribute('aria-pressed') !== 'true';
    show.setAttribute('aria-pressed', String(visible));
    password.input.type = visible ? 'text' : 'password';
    confirmation.input.type = visible ? 'text' : 'password';
  });

  const policy = h(
    'div',
    { class: 'policy-box' },
    h(
      'p',
      {},
      'Usa una frase o combinación fácil de recordar para ti y difícil de adivinar. Puedes usar espacios, letras, números y símbolos. Tu clave debe cumplir:',
    ),
    list,
    h(
      'p',
      { class: 'hint' },
      'Al continuar revisamos que no esté en la lista de claves más usadas (más de 200.000).',
    ),
  );

  return {
    elements: [password.wrap, policy, summary, confirmation.wrap, h('p', {}, show)],
    check() {
      const p = password.input.value;
      const c = confirmation.input.value;
      const checks = passwordChecks(p, c, context());
      const problems: { field: string; message: string }[] = [];
      if (!p) problems.push({ field: 'password', message: 'Ingresa tu clave.' });
      else {
        const message = passwordProblemText(checks);
        if (message) problems.push({ field: 'password', message });
      }
      if (!c) problems.push({ field: 'confirmation', message: 'Vuelve a escribir tu clave.' });
      else if (c !== p) problems.push({ field: 'confirmation', message: 'No coincide con la clave.' });
      if (problems.length) {
        errors.show(problems);
        return undefined;
      }
      return { password: p, confirmation: c };
    },
    refused(err, p) {
      if (err instanceof ApiError && err.problem.errors?.some((e) => e.code === 'password_common')) {
        rejectedAsCommon = p;
        render();
      }
    },
  };
}

export function passwordView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const fields = passwordFields(errors, {
    context: () => ({ username: app.saved?.username, cedula: app.cedula }),
    onLeave: (fn) => app.onLeave(fn),
  });
  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    fields.elements,
    stepActions(app, submit, 'choose-username'),
  );

  onSubmit(form, submit, async () => {
    const values = fields.check();
    if (!values) return;
    try {
      const res = await api.password(app.session(), values.password, values.confirmation);
      app.go(res.step);
    } catch (err) {
      fields.refused(err, values.password);
      app.fail(err, errors);
    }
  });

  return screen({ title: 'Creación de clave', paso: 2, notice, body: [form] });
}

export async function imageView(app: App, notice?: string): Promise<Screen> {
  const errors = new Errors();
  const { images } = await api.images(app.session());
  const group = h(
    'fieldset',
    { class: 'image-grid' },
    h(
      'legend',
      {},
      'Escoge una de las imágenes. Te servirá para reconocer nuestra página cuando inicies sesión.',
    ),
    h(
      'div',
      { class: 'tiles' },
      images.map((img) => {
        const id = uid('img');
        return h(
          'div',
          { class: 'tile' },
          h('input', { type: 'radio', name: 'security-image', id, value: img.id, class: 'tile-input' }),
          h(
            'label',
            { for: id, class: 'tile-label' },
            h('img', { src: img.url, alt: '', width: 72, height: 72 }),
            h('span', {}, img.label),
          ),
        );
      }),
    ),
  );
  errors.add(
    'imageId',
    groupField(group, () => group.querySelector('input')),
  );
  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    group,
    stepActions(app, submit, 'create-password'),
  );
  onSubmit(form, submit, async () => {
    const chosen = group.querySelector<HTMLInputElement>('input:checked');
    if (!chosen) return errors.show([{ field: 'imageId', message: 'Escoge una imagen para continuar.' }]);
    try {
      const res = await api.image(app.session(), chosen.value);
      app.go(res.step);
    } catch (err) {
      app.fail(err, errors);
    }
  });
  return screen({ title: 'Selección de imagen', paso: 3, notice, body: [form] });
}

export function contactView(app: App, notice?: string): Screen {
  const errors = new Errors();
  const example = 'Con el código de provincia, por ejemplo 022345678, o un celular como 0991234567.';
  const home = textField({
    label: 'Teléfono domicilio',
    hint: example,
    type: 'tel',
    autocomplete: 'home tel-national',
    maxlength: 16,
  });
  const work = textField({
    label: 'Teléfono trabajo',
    hint: example,
    type: 'tel',
    autocomplete: 'work tel-national',
    maxlength: 16,
  });
  errors.add('homePhone', home.field);
  errors.add('workPhone', work.field);
  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    h('h2', {}, 'b) Ingresa los números telefónicos de tu domicilio y trabajo'),
    home.wrap,
    work.wrap,
    stepActions(app, submit, 'choose-image'),
  );
  onSubmit(form, submit, async () => {
    const problems: { field: string; message: string }[] = [];
    for (const [field, input, name] of [
      ['homePhone', home.input, 'de tu domicilio'],
      ['workPhone', work.input, 'de tu trabajo'],
    ] as const) {
      if (!input.value.trim()) problems.push({ field, message: `Ingresa el teléfono ${name}.` });
      else if (!phoneValid(input.value)) {
        problems.push({
          field,
          message: 'Revisa el número: 9 dígitos con el código de provincia o 10 si es celular.',
        });
      }
    }
    if (problems.length) return errors.show(problems);
    try {
      const res = await api.contact(
        app.session(),
        normalisePhone(home.input.value),
        normalisePhone(work.input.value),
      );
      app.go(res.step);
    } catch (err) {
      app.fail(err, errors);
    }
  });
  const email = app.saved?.contact?.email;
  return screen({
    title: 'Actualización de datos',
    paso: 4,
    notice,
    body: [
      h('h2', {}, 'a) Correo electrónico registrado'),
      h(
        'dl',
        { class: 'summary' },
        h(
          'div',
          {},
          h('dt', {}, 'Correo electrónico:'),
          h('dd', { 'data-contact': 'email' }, email || 'No registrado'),
        ),
      ),
      h(
        'p',
        { class: 'hint' },
        'Si tu correo electrónico no es correcto, termina el proceso y actualízalo en Servicios Bancarios / Canales de Notificaciones / Actualización Datos de Contacto.',
      ),
      form,
    ],
  });
}
