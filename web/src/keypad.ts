// The virtual keyboard for the 4-digit key and the SMS code. The digit order is reshuffled every time the
// keyboard is shown or cleared, so the positions clicked tell an observer (or a click logger) nothing.
// It is one Tab stop: a WAI-ARIA grid of 4 rows by 3 keys with a roving tabindex, where the arrow keys, Home
// and End move between keys and Enter or Space presses one. Physical digit keys are ignored on purpose: a
// key logger reads them; web/README.md says why that is kept.
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

const COLUMNS = 3;

export function createKeypad(opts: { length: number; legend: string; hint: string; name: string }): Keypad {
  const digits: string[] = [];
  const hintId = uid('kp-hint');
  const errorId = uid('kp-error');
  const slots = Array.from({ length: opts.length }, () => h('span', { class: 'pin-slot' }));
  const status = h('p', { class: 'sr-only', 'aria-live': 'polite', 'aria-atomic': 'true' });
  const keys = h('div', {
    class: 'keys',
    role: 'grid',
    'aria-label': 'Teclado virtual',
    'aria-describedby': hintId,
  });
  const error = h('p', { class: 'field-error', id: errorId, hidden: true });
  const root = h(
    'fieldset',
    { class: 'keypad', 'aria-describedby': `${hintId} ${errorId}`, 'data-keypad': opts.name },
    h('legend', {}, opts.legend),
    h(
      'p',
      { class: 'hint', id: hintId },
      opts.hint,
      ' ',
      h('span', { class: 'sr-only' }, 'Usa las flechas para moverte entre las teclas.'),
    ),
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

  let buttons: HTMLButtonElement[] = [];
  /** The key that holds the grid's single Tab stop; it survives a reshuffle by position. */
  let active = 0;
  const activate = (index: number, focus: boolean): void => {
    active = Math.max(0, Math.min(buttons.length - 1, index));
    buttons.forEach((b, i) => {
      b.tabIndex = i === active ? 0 : -1;
    });
    if (focus) buttons[active]?.focus();
  };

  const layout = (): void => {
    const order = shuffledDigits();
    const digitButton = (d: string): HTMLButtonElement => {
      const b = h('button', { type: 'button', class: 'key', 'data-digit': d }, d);
      b.addEventListener('click', () => press(d));
      return b;
    };
    // The visible text is the accessible name (WCAG 2.5.3): a voice user says what is written.
    const clearButton = h('button', { type: 'button', class: 'key key-aux' }, 'Limpiar');
    clearButton.addEventListener('click', clear);
    const backButton = h(
      'button',
      { type: 'button', class: 'key key-aux', 'aria-label': 'Borrar último dígito' },
      'Borrar',
    );
    backButton.addEventListener('click', backspace);
    buttons = [
      ...order.slice(0, 9).map(digitButton),
      clearButton,
      digitButton(order[9] as string),
      backButton,
    ];
    const rows: HTMLElement[] = [];
    for (let i = 0; i < buttons.length; i += COLUMNS) {
      const cells = buttons.slice(i, i + COLUMNS).map((b) => h('div', { role: 'gridcell' }, b));
      rows.push(h('div', { class: 'keys-row', role: 'row' }, cells));
    }
    const hadFocus = keys.contains(document.activeElement);
    keys.replaceChildren(...rows);
    activate(active, hadFocus);
  };

  keys.addEventListener('keydown', (event) => {
    const row = Math.floor(active / COLUMNS);
    const col = active % COLUMNS;
    const last = buttons.length - 1;
    const moves: Record<string, number> = {
      ArrowRight: col < COLUMNS - 1 ? active + 1 : active,
      ArrowLeft: col > 0 ? active - 1 : active,
      ArrowDown: active + COLUMNS <= last ? active + COLUMNS : active,
      ArrowUp: active - COLUMNS >= 0 ? active - COLUMNS : active,
      Home: event.ctrlKey ? 0 : row * COLUMNS,
      End: event.ctrlKey ? last : Math.min(last, row * COLUMNS + COLUMNS - 1),
    };
    if (event.key in moves) {
      event.preventDefault();
      activate(moves[event.key] as number, true);
    } else if (event.key === 'Backspace') {
      event.preventDefault();
      backspace();
    }
  });
  // A click or a programmatic focus on any key makes it the Tab stop, so Tab comes back to where the user was.
  keys.addEventListener('focusin', (event) => {
    const index = buttons.indexOf(event.target as HTMLButtonElement);
    if (index !== -1 && index !== active) activate(index, false);
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
      // The status follows the slots: once a refused key emptied them it says "0 de 4", never a stale "4 de 4".
      paint(true);
    },
    focus: () => buttons[active]?.focus(),
  };
}
