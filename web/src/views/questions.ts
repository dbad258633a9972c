// Paso 5 of the guide: three distinct challenge questions with their answers, and the terms of service.
// The questions are a list of checkboxes, each opening its answer field, not three drop-down lists: a
// <select> cannot wrap, and at 360 px the longer questions were cut off in it.
import { api } from '../api.ts';
import type { App } from '../app.ts';
import { h, uid } from '../dom.ts';
import { stepActions } from '../step-actions.ts';
import { button, Errors, type Field, groupField, onSubmit, type Screen, screen, textField } from '../ui.ts';
import { answerValid } from '../validation.ts';

export async function questionsView(app: App, notice?: string): Promise<Screen> {
  const errors = new Errors();
  const { questions, required, terms } = await api.questions(app.session());

  const items = questions.map((q) => {
    const box = h('input', { type: 'checkbox', id: uid('q'), value: q.id, 'data-question': q.id });
    const answer = textField({ label: 'Respuesta', hint: 'De 2 a 60 caracteres.', maxlength: 60 });
    // The visible label says "Respuesta"; the question before it completes the name a screen reader reads.
    answer.wrap.querySelector('label')?.prepend(h('span', { class: 'sr-only' }, `${q.text} `));
    answer.wrap.hidden = true;
    box.addEventListener('change', () => {
      answer.wrap.hidden = !box.checked;
      limitChoice();
    });
    const boxError = h('p', { class: 'field-error', id: uid('err'), hidden: true });
    box.setAttribute('aria-describedby', boxError.id);
    return {
      box,
      answer,
      boxField: { control: box, error: boxError } satisfies Field,
      wrap: h(
        'div',
        { class: 'question' },
        h('div', { class: 'field checkbox' }, box, h('label', { for: box.id }, q.text), boxError),
        answer.wrap,
      ),
    };
  });
  const chosen = () => items.filter((i) => i.box.checked);
  /** Once `required` are ticked the others cannot be: a fourth tick is impossible, not refused on submit. */
  const limitChoice = (): void => {
    const full = chosen().length >= required;
    for (const i of items) i.box.disabled = full && !i.box.checked;
    count.textContent = full
      ? `Elegiste ${required} de ${required} preguntas. Para cambiar una, primero desmarca otra.`
      : `Elegiste ${chosen().length} de ${required} preguntas.`;
  };

  const count = h('p', { class: 'hint', 'aria-live': 'polite' }, `Elegiste 0 de ${required} preguntas.`);
  const group = h(
    'fieldset',
    { class: 'questions' },
    h('legend', {}, `Escoge ${required} preguntas y responde cada una`),
    count,
    items.map((i) => i.wrap),
  );
  errors.add(
    'answers',
    groupField(group, () => group.querySelector('input')),
  );
  // The API names answers by their position among the chosen questions.
  const bindAnswerFields = (): void => {
    chosen().forEach((item, i) => {
      errors.add(`answers.${i}.questionId`, item.boxField);
      errors.add(`answers.${i}.answer`, item.answer.field);
    });
  };

  const accept = h('input', { type: 'checkbox', id: uid('terms'), required: true });
  const acceptError = h('p', { class: 'field-error', id: uid('err'), hidden: true });
  accept.setAttribute('aria-describedby', acceptError.id);
  errors.add('acceptTerms', { control: accept, error: acceptError });
  errors.add('termsVersion', { control: accept, error: acceptError });

  const termsId = uid('terms-title');
  const submit = button('Continuar', 'primary', 'submit');
  const form = h(
    'form',
    { novalidate: true },
    errors.alert,
    group,
    h('h2', { id: termsId }, 'Condiciones de servicio'),
    // Shown whole, not in a scrolling box: it is short, and nothing of it is hidden from anyone.
    h('div', { class: 'terms', role: 'region', 'aria-labelledby': termsId }, h('p', {}, terms.text)),
    h(
      'div',
      { class: 'field checkbox' },
      accept,
      h(
        'label',
        { for: accept.id },
        'He leído y acepto los términos del contrato descritos en el recuadro anterior.',
      ),
      acceptError,
    ),
    stepActions(app, submit, 'update-contact'),
  );

  onSubmit(form, submit, async () => {
    bindAnswerFields();
    const picked = chosen();
    const problems: { field: string; message: string }[] = [];
    if (picked.length !== required) {
      problems.push({
        field: 'answers',
        message: `Escoge exactamente ${required} preguntas (elegiste ${picked.length}).`,
      });
    }
    picked.forEach((item, i) => {
      if (!answerValid(item.answer.input.value)) {
        problems.push({
          field: `answers.${i}.answer`,
          message: 'Escribe una respuesta de 2 a 60 caracteres.',
        });
      }
    });
    if (!accept.checked) {
      problems.push({ field: 'acceptTerms', message: 'Para continuar, acepta las condiciones de servicio.' });
    }
    if (problems.length) return errors.show(problems);
    try {
      const answers = picked.map((item) => ({
        questionId: item.box.value,
        answer: item.answer.input.value.trim(),
      }));
      const res = await api.answers(app.session(), answers, terms.version);
      app.go(res.step);
    } catch (err) {
      app.fail(err, errors);
    }
  });

  return screen({
    title: 'Preguntas desafío',
    paso: 5,
    notice,
    body: [
      h(
        'p',
        { class: 'lead' },
        'Escoge y responde tres preguntas distintas. Las usaremos para confirmar tu identidad cuando nos pidas ayuda.',
      ),
      form,
    ],
  });
}
