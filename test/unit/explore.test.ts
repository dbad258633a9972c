// `npm run start:explore` relaxes limits by name: every name must be a variable the configuration reads, or
// the relaxed stack would silently run with the production limit.
import { describe, expect, it } from 'vitest';
import { applyLimitProfile, relaxedLimits } from '../../bin/local/explore.ts';
import { parseConfig } from '../../lambdas/config.ts';

describe('the exploration limit profile', () => {
  it.each(Object.entries(relaxedLimits))(
    '%s is read by the configuration and differs from its default',
    (name, value) => {
      // Act
      const production = parseConfig({});
      const relaxed = parseConfig({ [name]: value });

      // Assess
      expect(JSON.stringify(relaxed)).not.toEqual(JSON.stringify(production));
    },
  );

  it('gives a value only where the environment has none, and names every limit in force', () => {
    // Prepare
    const env: NodeJS.ProcessEnv = { PIN_LOCK_SECONDS: '5' };

    // Act
    const lines = applyLimitProfile(env, true);

    // Assess
    expect(env.PIN_LOCK_SECONDS).toBe('5');
    expect(env.OTP_MAX_SENDS).toBe(relaxedLimits.OTP_MAX_SENDS);
    expect(lines.join('\n')).toContain('PIN_LOCK_SECONDS=5');
    for (const name of Object.keys(relaxedLimits)) expect(lines.join('\n')).toContain(`${name}=`);
  });

  it('leaves the environment alone without --explore', () => {
    // Prepare
    const env: NodeJS.ProcessEnv = {};

    // Act
    const lines = applyLimitProfile(env, false);

    // Assess
    expect(env).toEqual({});
    expect(lines).toEqual([expect.stringContaining('production defaults')]);
  });
});
