// Validation answers (issue 12, item 9): every broken field in one answer, and one right error per field.
import { describe, expect, it } from 'vitest';
import { answerChallengeQuestions } from '../../lambdas/registration/profile-steps.ts';
import { identificationSchema as startRegistrationSchema } from '../../lambdas/rules/identify-customer.ts';
import { parseBody } from '../../lambdas/rules/validation.ts';
import { createWorld, goodAnswers, refusal, Wizard } from '../support/fakes.ts';

const fieldsAndCodes = (error: { extras: { errors?: { field: string; code: string }[] } }) =>
  error.extras.errors?.map((e) => [e.field, e.code]);

describe('validation reports every broken field at once', () => {
  it('repeated questions, terms not accepted and an old terms version come back together', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toFinish();
    const [a, b] = goodAnswers as [(typeof goodAnswers)[0], (typeof goodAnswers)[0]];

    // Act
    const error = await refusal(
      answerChallengeQuestions(
        world.deps.answers,
        wizard.with({ answers: [a, a, b], acceptTerms: false, termsVersion: '2020-01' }),
      ),
    );

    // Assess
    expect(error.code).toBe('validation_failed');
    expect(fieldsAndCodes(error)).toEqual([
      ['answers', 'question_repeated'],
      ['acceptTerms', 'terms_not_accepted'],
      ['termsVersion', 'terms_version'],
    ]);
  });
});

describe('one right error per field', () => {
  const card = (cardNumber: string) => ({
    type: 'card',
    cardNumber,
    expiryMonth: 12,
    expiryYear: 2030,
    pin: '1234',
  });
  const errorsOf = (body: unknown) => {
    try {
      parseBody(startRegistrationSchema, body);
      return [];
    } catch (error) {
      return (error as { extras: { errors: { field: string; code: string; message: string }[] } }).extras
        .errors;
    }
  };

  it('a card number with spaces gets one error, which says to type the digits without spaces', () => {
    // Act
    const errors = errorsOf(card('4111 1111 1111 1111'));

    // Assess
    expect(errors.map((e) => [e.field, e.code])).toEqual([['cardNumber', 'card_number_format']]);
    expect(errors[0]?.message).toMatch(/sin espacios/);
  });

  it('a well-formed card number that fails Luhn gets the checksum error alone', () => {
    expect(errorsOf(card('4111111111111112')).map((e) => e.code)).toEqual(['card_number_checksum']);
  });
});
