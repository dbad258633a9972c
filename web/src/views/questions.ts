// Paso 5 of the guide: three distinct challenge questions with their answers, and the terms of service.
import { api } from '../api.ts';
import type { App } from '../app.ts';
import { h, uid } from '../dom.ts';
import { stepActions } from '../step-actions.ts';
import { button, Errors, onSubmit, type Screen, screen, selectField, textField } from '../ui.ts';
import { answerValid } from '../validation.ts';

export async function questionsView(app: App, notice?: string): Promise<Screen> {
  const errors = new Errors();
  const { questions, required, terms } = await api.questions(app.session());
  const options = questions.map((q) => ({ value: q.id, text: q.text }));

  const pairs = Array.from({ length: required }, (_, i) => {
    const select = selectField({
      label: `Pregunta ${i + 1}`,
      options,
      placeholder: '-Selecciona una pregunta-',
    });
    const answer = textField({ label: `Respuesta ${i + 1}`, hint: 'De 2 a 60 caracteres.', maxlength: 60 });
    errors.add(`answers.${i}.questionId`, select.field);
    errors.add(`answers.${i}.answer`, answer.field);
    return {
      select: select.select,
      answer: answer.input,
      wrap: h('div', { class: 'qa' }, select.wrap, answer.wrap),
    };
  });
  // A question taken in one list is disabled in the others, so the three are always distinct.
  const syncOptions = (): void => {
    const taken = pairs.map((p) => p.select.value);
    pairs.forEach((p, i) => {
      for (const option of p.select.options) {
        option.disabled = option.value !== '' && taken.some((t, j) => j !== i && t === option.value);
      }
    });
  };
  for (const p of pairs) p.select.addEventListener('change', syncOptions);

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
    pairs.map((p) => p.wrap),
    h('h2', { id: termsId }, 'Condiciones de servicio'),
    h(
      'div',
      { class: 'terms', tabindex: '0', role: 'region', 'aria-labelledby': termsId },
      h('p', {}, terms.text),
    ),
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
    const problems: { field: string; message: string }[] = [];
    pairs.forEach((p, i) => {
      if (!p.select.value)
        problems.push({ field: `answers.${i}.questionId`, message: 'Escoge una pregunta.' });
      if (!answerValid(p.answer.value)) {
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
      const answers = pairs.map((p) => ({ questionId: p.select.value, answer: p.answer.value.trim() }));
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
