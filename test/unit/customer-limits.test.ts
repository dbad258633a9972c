// Limits per customer and per registration added after the audit (SECURITY.md rules 40, 41): username tries,
// wrong SMS codes across registrations, one open registration per customer.
import { describe, expect, it } from 'vitest';
import { createWorld, refusal, Wizard } from '../support/fakes.ts';

describe('USERNAME_MAX_TRIES (rule 41)', () => {
  it('the call after USERNAME_MAX_TRIES answers 429 username_tries, whatever the earlier answers were', async () => {
    // Prepare
    const world = createWorld();
    const wizard = new Wizard(world);
    await wizard.toUsername();
    const max = world.rules.usernameMaxTries;
    for (let i = 0; i < max - 1; i++) await refusal(wizard.username(`x${i}`));

    // Act
    const last = await wizard.username('TomasMateos2026');
    const refused = await refusal(wizard.username('OtroNombre2026'));

    // Assess
    expect(last.step).toBe('create-password');
    expect(refused.code).toBe('rate_limited');
    expect(refused.extras.reason).toBe('username_tries');
    expect(refused.extras.retryAfterSeconds).toBeGreaterThan(0);
    expect(wizard.stored().username).toBe('TomasMateos2026');
  });

  it('the tries are per registration: another registration starts with all of them', async () => {
    // Prepare
    const world = createWorld();
    const first = new Wizard(world);
    await first.toUsername();
    for (let i = 0; i < world.rules.usernameMaxTries; i++) await refusal(first.username(`x${i}`));

    // Act
    const second = new Wizard(world);
    await second.toUsername();
    const result = await second.username('TomasMateos2026');

    // Assess
    expect(result.step).toBe('create-password');
  });
});
