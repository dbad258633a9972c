// The virtual keyboard for the 4-digit key and the SMS code. The digit order is reshuffled every time the
// keyboard is shown or cleared, so the positions clicked tell an observer (or a click logger) nothing.
// Physical digit keys are ignored on purpose; keyboard users Tab to the buttons and press Enter or Space.
import { h, uid } from './dom.ts';
import { shuffledDigits } from './random.ts';

export interface Keypad {
  root: HTMLFieldSetElement;
  /** Where field errors are written; referenced by the group's aria-describedby. */
  error: HTMLElement;
  value(): string;
  reset(): void;
  focus(): void;
}

export function createKeypad(opts: { length: number; legend: string; hint: string; name: string }): Keypad {
  const digits: string[] = [];
  const hintId = uid('kp-hint');
  const errorId = uid('kp-error');
  const slots = Array.from({ length: opts.length }, () => h('span', { class: 'pin-slot' }));
  const status = h('p', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const keys = h('div', { class: 'keys', role: 'group', 'aria-label': 'Teclado virtual' });
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const root = h(
    'fieldset',
    { class: 'keypad', 'aria-describedby': `${hintId} ${errorId}`, 'data-keypad': opts.name },
    h('legend', {}, opts.legend),
    h('p', { class: 'hint', id: hintId }, opts.hint),
    h('div', { class: 'pin-slots', 'aria-hidden': 'true' }, slots),
    status,
    keys,
    error,
  );

  const paint = (announce: boolean): void => {
    slots.forEach((slot, i) => {
      slot.classList.toggle('filled', i < digits.length);
    });
    root.dataset.count = String(digits.length);
    if (announce) status.textContent = `${digits.length} de ${opts.length} dígitos ingresados`;
  };

  const press = (digit: string): void => {
    if (digits.length >= opts.length) {
      status.textContent = `Ya ingresaste los ${opts.length} dígitos`;
      return;
    }
    digits.push(digit);
    paint(true);
  };
  const backspace = (): void => {
    digits.pop();
    paint(true);
  };
  const clear = (): void => {
    digits.length = 0;
    paint(true);
  };

  const layout = (): void => {
    const order = shuffledDigits();
    const digitButton = (d: string): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: 'key', 'data-digit': d }, d);
      b.addEventListener('click', () => press(d));
      return b;
    };
    const clearButton = h(
      'button',
      { type: 'button', class: 'key key-aux', 'aria-label': 'Borrar todo' },
      'Limpiar',
    );
    clearButton.addEventListener('click', clear);
    const backButton = h(
      'button',
      { type: 'button', class: 'key key-aux', 'aria-label': 'Borrar último dígito' },
      'Borrar',
    );
    backButton.addEventListener('click', backspace);
    keys.replaceChildren(
      ...order.slice(0, 9).map(digitButton),
      clearButton,
      digitButton(order[9] as string),
      backButton,
    );
  };

  keys.addEventListener('keydown', (event) => {
    if (event.key === 'Backspace') {
      event.preventDefault();
      backspace();
    }
  });

  layout();
  paint(false);

  return {
    root,
    error,
    value: () => digits.join(''),
    reset: () => {
      digits.length = 0;
      layout();
      paint(false);
    },
    focus: () => keys.querySelector('button')?.focus(),
  };
}
