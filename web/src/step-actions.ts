// The buttons under every "Paso" screen (back one screen, continue, cancel) and the dialog that confirms a
// cancellation: an in-page modal <dialog>, labelled and described, that keeps focus inside, closes with
// Escape and gives focus back to the link that opened it.
import type { App, View } from './app.ts';
import { h, uid } from './dom.ts';
import { actions, button } from './ui.ts';

export interface CancelTexts {
  title: string;
  text: string;
  yes: string;
  no: string;
}

const REGISTRATION_CANCEL: CancelTexts = {
  title: '¿Cancelar tu registro?',
  text: 'Se borrarán los datos que ingresaste y tendrás que empezar de nuevo desde la elección de tu clave.',
  yes: 'Sí, cancelar mi registro',
  no: 'No, continuar con mi registro',
};

/** Asks before cancelling; resolves true only on an explicit "yes". */
export function confirmCancel(
  opener: HTMLElement,
  texts: CancelTexts = REGISTRATION_CANCEL,
): Promise<boolean> {
  const titleId = uid('dlg-title');
  const textId = uid('dlg-text');
  const yes = button(texts.yes, 'secondary');
  const no = button(texts.no, 'primary');
  const dialog = h(
    'dialog',
    { class: 'dialog', 'aria-labelledby': titleId, 'aria-describedby': textId },
    h('h2', { id: titleId }, texts.title),
    h('p', { id: textId }, texts.text),
    actions(yes, no),
  );
  document.body.append(dialog);
  return new Promise((resolve) => {
    const close = (answer: boolean): void => {
      dialog.close();
      dialog.remove();
      if (!answer) opener.focus();
      resolve(answer);
    };
    yes.addEventListener('click', () => close(true));
    no.addEventListener('click', () => close(false));
    // Escape fires `cancel`; it answers "no", like the safe button.
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      close(false);
    });
    // The modal makes the page inert; this also keeps Tab from leaving for the browser's own controls.
    dialog.addEventListener('keydown', (event) => {
      if (event.key !== 'Tab') return;
      const [first, last] = [yes, no];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    });
    dialog.showModal();
    no.focus();
  });
}

/** "Regresar" (when there is a screen to go back to), the screen's submit button, and "Cancelar registro". */
export function stepActions(app: App, submit: HTMLButtonElement, back?: View): HTMLElement {
  const buttons: HTMLElement[] = [];
  if (back) {
    const b = button('Regresar', 'secondary');
    b.addEventListener('click', () => app.back(back));
    buttons.push(b);
  }
  buttons.push(submit);
  const cancel = button('Cancelar registro', 'link');
  cancel.addEventListener('click', async () => {
    if (await confirmCancel(cancel)) void app.restart();
  });
  return h('div', {}, actions(...buttons), h('p', { class: 'cancel' }, cancel));
}
