// Building blocks shared by the screens: the screen frame with the guide's step indicator, labelled fields
// wired to their hint and error text, and the error presenter that announces problems and moves focus.
import type { FieldError } from './api.ts';
import { addDescribedBy, type Child, h, uid } from './dom.ts';

export const PASOS = [
  'Creación de usuario',
  'Creación de clave',
  'Selección de imagen',
  'Actualización de datos',
  'Preguntas desafío',
  'Segundo factor seguridad',
] as const;

function stepIndicator(current: number): HTMLElement {
  return h(
    'nav',
    { class: 'steps', 'aria-label': 'Progreso del registro' },
    h(
      'ol',
      {},
      PASOS.map((label, i) => {
        const n = i + 1;
        const state = n < current ? 'done' : n === current ? 'current' : 'todo';
        return h(
          'li',
          { class: `step step-${state}`, 'aria-current': n === current ? 'step' : null },
          h('span', { class: 'step-number' }, `Paso ${n}`),
          ' ',
          h('span', { class: 'step-label' }, label),
          state === 'done' ? h('span', { class: 'sr-only' }, ' (completado)') : null,
        );
      }),
    ),
  );
}

export interface Screen {
  root: HTMLElement;
  heading: HTMLHeadingElement;
  /** The document title: "[Paso N de 6: ]<screen> – Produbanco en línea", the screen named once. */
  title: string;
}

export function screen(opts: {
  title: string;
  /** 1-6: the guide's "Paso N"; omitted on the screens before and after the six steps. */
  paso?: number;
  notice?: string;
  body: Child[];
}): Screen {
  const heading = h('h1', { tabindex: '-1' }, opts.title);
  const root = h(
    'section',
    { class: 'screen', 'aria-labelledby': uid('h') },
    opts.paso ? stepIndicator(opts.paso) : null,
    heading,
    opts.notice ? h('p', { class: 'notice', role: 'status' }, opts.notice) : null,
    opts.body,
  );
  heading.id = root.getAttribute('aria-labelledby') as string;
  const prefix = opts.paso ? `Paso ${opts.paso} de 6: ` : '';
  return { root, heading, title: `${prefix}${opts.title} – Produbanco en línea` };
}

export interface Field {
  /** Receives focus when the field is in error. */
  control: HTMLElement;
  error: HTMLElement;
  /** Carries aria-invalid when that is not the control itself (a group). */
  invalid?: HTMLElement;
}

function errorFor(control: HTMLElement): HTMLElement {
  const error = h('p', { class: 'field-error', id: uid('err'), hidden: true });
  addDescribedBy(control, error.id);
  return error;
}

export function textField(opts: {
  label: string;
  hint?: string;
  type?: string;
  autocomplete?: string;
  inputmode?: string;
  maxlength?: number;
  required?: boolean;
  value?: string;
}): { wrap: HTMLElement; input: HTMLInputElement; field: Field } {
  const id = uid('f');
  const hint = opts.hint ? h('p', { class: 'hint', id: uid('hint') }, opts.hint) : null;
  const input = h('input', {
    id,
    type: opts.type ?? 'text',
    autocomplete: opts.autocomplete ?? 'off',
    inputmode: opts.inputmode,
    maxlength: opts.maxlength,
    required: opts.required ?? true,
    spellcheck: 'false',
    autocapitalize: 'off',
    'aria-describedby': hint?.id,
  });
  if (opts.value) input.value = opts.value;
  const error = errorFor(input);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, opts.label), hint, input, error);
  return { wrap, input, field: { control: input, error } };
}

export function selectField(opts: {
  label: string;
  options: { value: string; text: string }[];
  placeholder?: string;
}): { wrap: HTMLElement; select: HTMLSelectElement; field: Field } {
  const id = uid('f');
  const select = h(
    'select',
    { id, required: true },
    h('option', { value: '' }, opts.placeholder ?? '-Seleccionar-'),
    opts.options.map((o) => h('option', { value: o.value }, o.text)),
  );
  const error = errorFor(select);
  const wrap = h('div', { class: 'field' }, h('label', { for: id }, opts.label), select, error);
  return { wrap, select, field: { control: select, error } };
}

/** A fieldset (radio group, keypad) as an error target: the message hangs off the group, focus goes inside. */
export function groupField(
  group: HTMLFieldSetElement,
  focusTarget: () => HTMLElement | null,
  ownError?: HTMLElement,
): Field {
  const error = ownError ?? errorFor(group);
  if (!ownError) group.append(error);
  return {
    get control() {
      return focusTarget() ?? group;
    },
    error,
    invalid: group,
  };
}

/**
 * Shows errors of one form: each at its field (text, aria-invalid, aria-describedby) and a summary in the
 * form's alert region, which screen readers announce; focus moves to the first field in error.
 */
export class Errors {
  readonly alert = h('div', { class: 'alert', role: 'alert', hidden: true });
  private readonly fields = new Map<string, Field>();

  add(name: string, field: Field): void {
    this.fields.set(name, field);
  }

  clear(): void {
    this.alert.hidden = true;
    this.alert.textContent = '';
    for (const f of this.fields.values()) {
      f.error.hidden = true;
      f.error.textContent = '';
      (f.invalid ?? f.control).removeAttribute('aria-invalid');
      f.error.parentElement?.classList.remove('has-error');
    }
  }

  /** Field errors keyed by the API's field names; `summary` is the screen-level text. */
  show(errors: { field?: string; message: string }[], summary?: string): void {
    this.clear();
    const general: string[] = [];
    let first: HTMLElement | undefined;
    for (const e of errors) {
      const f = e.field === undefined ? undefined : this.fields.get(e.field);
      if (!f) {
        general.push(e.message);
        continue;
      }
      f.error.textContent = e.message;
      f.error.hidden = false;
      f.error.parentElement?.classList.add('has-error');
      (f.invalid ?? f.control).setAttribute('aria-invalid', 'true');
      first ??= f.control;
    }
    const text =
      summary ?? (general.length ? general.join(' ') : 'Revisa los datos marcados e inténtalo de nuevo.');
    this.alert.textContent = first && general.length ? `${text} ${general.join(' ')}`.trim() : text;
    this.alert.hidden = false;
    first?.focus();
  }

  screen(message: string): void {
    this.show([], message);
  }

  fromApi(errors: FieldError[] | undefined, summary?: string): void {
    // `answers[1].answer` and `answers.1.answer` name the same field.
    const name = (field: string): string => field.replace(/\[(\d+)\]/g, '.$1');
    this.show(
      (errors ?? []).map((e) => ({ field: name(e.field), message: e.message })),
      summary,
    );
  }
}

export function actions(...buttons: HTMLElement[]): HTMLElement {
  return h('div', { class: 'actions' }, buttons);
}

export function button(text: string, kind: 'primary' | 'secondary' | 'link' = 'primary', type = 'button') {
  return h('button', { type, class: `btn btn-${kind}` }, text);
}

/** Runs one submission at a time; the button stays focusable (no `disabled`) and says it is working. */
export function onSubmit(form: HTMLFormElement, submit: HTMLButtonElement, run: () => Promise<void>): void {
  let running = false;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (running) return;
    running = true;
    const text = submit.textContent;
    submit.setAttribute('aria-disabled', 'true');
    form.setAttribute('aria-busy', 'true');
    submit.textContent = 'Procesando…';
    try {
      await run();
    } finally {
      running = false;
      submit.removeAttribute('aria-disabled');
      form.removeAttribute('aria-busy');
      submit.textContent = text;
    }
  });
}

export const formatSeconds = (seconds: number): string => {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
};
