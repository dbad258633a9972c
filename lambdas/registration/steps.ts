// The wizard's step order and the rule that decides whether a step may run now.
import { fail } from '../rules/errors.ts';

export const steps = [
  'verify-contact',
  'enter-otp',
  'choose-username',
  'create-password',
  'choose-image',
  'update-contact',
  'challenge-questions',
  'second-factor',
  'finish',
  'completed',
] as const;

export type Step = (typeof steps)[number];

const indexOf = (step: Step): number => steps.indexOf(step);

export const nextStep = (step: Step): Step => steps[Math.min(indexOf(step) + 1, steps.length - 1)] as Step;

/** The first step that may be repeated: before it the wizard only moves forward (identify, OTP). */
const FIRST_REPEATABLE: Step = 'choose-username';

/**
 * Steps 4 to 9-10 may run again until `complete`; a step after the current one is refused. Returns the step
 * the registration is at after the step runs: the next one when the step was the current one, else unchanged.
 */
export function stepAfter(current: Step, requested: Step): Step {
  const wanted = indexOf(requested);
  const now = indexOf(current);
  const repeatable = wanted >= indexOf(FIRST_REPEATABLE) && now >= indexOf(FIRST_REPEATABLE);
  if (wanted > now || (wanted < now && !repeatable) || current === 'completed') {
    return fail('step_out_of_order', { currentStep: current });
  }
  return wanted === now ? nextStep(current) : current;
}

/** A read of a step's data (images, questions) is allowed once the step is open. */
export function assertStepOpen(current: Step, requested: Step): void {
  if (indexOf(requested) > indexOf(current)) fail('step_out_of_order', { currentStep: current });
}
