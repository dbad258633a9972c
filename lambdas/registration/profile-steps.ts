// Steps 6 to 10: security image, contact phones, challenge questions with the terms, and the second factor.
import * as z from 'zod/mini';
import type { Hasher } from '../ports/system.ts';
import {
  catalogImage,
  challengeQuestions,
  REQUIRED_ANSWERS,
  securityImages,
  terms,
} from '../rules/catalog.ts';
import { NON_PRINTABLE, normaliseAnswer } from '../rules/credentials-policy.ts';
import { fieldError, parseBody, rejectFields } from '../rules/validation.ts';
import { loadSession, runStep, type SessionDeps, type SessionInput } from './session.ts';
import { assertStepOpen, type Step } from './steps.ts';

type BodyInput = SessionInput & { readBody: () => unknown };

/** Reads of a step's catalogue count as activity and need the step to be open. */
async function openRead(deps: SessionDeps, input: SessionInput, step: Step): Promise<void> {
  const registration = await loadSession(deps, input);
  try {
    assertStepOpen(registration.step, step);
  } catch (error) {
    deps.events.record({
      event: 'step_refused',
      registrationId: registration.registrationId,
      requested: step,
    });
    throw error;
  }
  await deps.registrations.touch(registration.registrationId, deps.clock.now());
}

export async function listSecurityImages(deps: SessionDeps, input: SessionInput) {
  await openRead(deps, input, 'choose-image');
  return { images: securityImages.map((image) => catalogImage(image.id)) };
}

export const chooseImageSchema = z.strictObject({
  imageId: z
    .string()
    .check(z.refine((id) => securityImages.some((image) => image.id === id), 'image_unknown')),
});

export async function chooseSecurityImage(deps: SessionDeps, input: BodyInput): Promise<{ step: Step }> {
  const changes = () => ({ imageId: parseBody(chooseImageSchema, input.readBody()).imageId });
  return { step: (await runStep(deps, input, 'choose-image', changes)).step };
}

/** Ecuadorian landline with area code (9 digits from 0) or mobile (10 digits from 09), or the +593 form. */
export function normalisePhone(value: string): string | undefined {
  const compact = value.replace(/[\s-]/g, '');
  const national = compact.startsWith('+593') ? `0${compact.slice(4)}` : compact;
  return /^0[2-7]\d{7}$/.test(national) || /^09\d{8}$/.test(national) ? national : undefined;
}

const phone = z.string().check(
  z.maxLength(20, 'phone_format'),
  z.refine((v) => normalisePhone(v) !== undefined, 'phone_format'),
);

export const updateContactSchema = z.strictObject({ homePhone: phone, workPhone: phone });

export async function updateContact(deps: SessionDeps, input: BodyInput): Promise<{ step: Step }> {
  const changes = () => {
    const { homePhone, workPhone } = parseBody(updateContactSchema, input.readBody());
    return { homePhone: normalisePhone(homePhone), workPhone: normalisePhone(workPhone) };
  };
  return { step: (await runStep(deps, input, 'update-contact', changes)).step };
}

export async function listChallengeQuestions(deps: SessionDeps, input: SessionInput) {
  await openRead(deps, input, 'challenge-questions');
  return {
    questions: challengeQuestions.map(({ id, text }) => ({ id, text })),
    required: REQUIRED_ANSWERS,
    terms,
  };
}

/** A challenge answer as typed: printable, 2 to 60 characters once trimmed. */
export const answerText = z.string().check(
  z.maxLength(600, 'answer_length'),
  z.refine((v) => !NON_PRINTABLE.test(v), 'answer_characters'),
  z.refine((v) => {
    const length = [...v.trim()].length;
    return length >= 2 && length <= 60;
  }, 'answer_length'),
);

export const challengeAnswersSchema = z.strictObject({
  answers: z
    .array(
      z.strictObject({
        questionId: z
          .string()
          .check(z.refine((id) => challengeQuestions.some((q) => q.id === id), 'question_unknown')),
        answer: answerText,
      }),
    )
    .check(
      z.length(REQUIRED_ANSWERS, 'answers_count'),
      z.refine(
        (answers) => new Set(answers.map((a) => a.questionId)).size === answers.length,
        'question_repeated',
      ),
    ),
  acceptTerms: z.literal(true, 'terms_not_accepted'),
  // In the schema, not after it: every broken field is reported in one answer.
  termsVersion: z.string().check(
    z.maxLength(64, 'terms_version'),
    z.refine((v) => v === terms.version, 'terms_version'),
  ),
});

export interface AnswerDeps extends SessionDeps {
  hasher: Hasher;
}

export async function answerChallengeQuestions(deps: AnswerDeps, input: BodyInput): Promise<{ step: Step }> {
  const result = await runStep(deps, input, 'challenge-questions', async () => {
    const body = parseBody(challengeAnswersSchema, input.readBody());
    return {
      answers: await Promise.all(
        body.answers.map(async (a) => ({
          questionId: a.questionId,
          answerHash: await deps.hasher.hash(normaliseAnswer(a.answer)),
        })),
      ),
      terms: { version: terms.version, acceptedAt: deps.clock.now() },
    };
  });
  return { step: result.step };
}

export const secondFactorSchema = z.strictObject({
  hasSmartDevice: z.boolean(),
  choice: z.enum(['digital-token', 'later']),
});

export async function chooseSecondFactor(deps: SessionDeps, input: BodyInput): Promise<{ step: Step }> {
  const changes = () => {
    const secondFactor = parseBody(secondFactorSchema, input.readBody());
    const needsDevice = !secondFactor.hasSmartDevice && secondFactor.choice === 'digital-token';
    rejectFields(needsDevice ? [fieldError('choice', 'second_factor_needs_device')] : []);
    return { secondFactor };
  };
  return { step: (await runStep(deps, input, 'second-factor', changes)).step };
}
