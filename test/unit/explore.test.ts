// `npm run start:explore` relaxes limits by name: every name must be a variable the configuration reads, or
// the relaxed stack would silently run with the production limit.
import { describe, expect, it } from 'vitest';
import { applyLimitProfile, limitVariables, relaxedLimits } from '../../bin/local/explore.ts';
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

  it('names every limit the environment overrides, with or without --explore', () => {
    // Prepare
    const env: NodeJS.ProcessEnv = { OTP_TTL_SECONDS: '20', SIGNED_IN_MAX_SECONDS: '90', LOG_LEVEL: 'warn' };

    // Act
    const lines = applyLimitProfile({ ...env }, false).join('\n');
    const relaxed = applyLimitProfile({ ...env }, true).join('\n');

    // Assess
    expect(lines).not.toContain('production defaults (');
    expect(lines).toContain('OTP_TTL_SECONDS=20');
    expect(lines).toContain('SIGNED_IN_MAX_SECONDS=90');
    expect(lines).not.toContain('LOG_LEVEL');
    expect(relaxed).toContain('OTP_TTL_SECONDS=20');
    expect(relaxed).toContain('SIGNED_IN_MAX_SECONDS=90');
  });

  it('knows every limit of the configuration, and only limits', () => {
    expect(limitVariables).toContain('OTP_TTL_SECONDS');
    expect(limitVariables).toContain('RECOVERY_MAX_PER_CUSTOMER_PER_DAY');
    expect(limitVariables).toContain('IDENTIFY_MAX_PER_IP_PER_MINUTE');
    expect(limitVariables).toContain('TOKEN_RESET_HOLD_SECONDS');
    expect(limitVariables).toContain('SECURITY_REPORT_MAX_PER_IP_PER_MINUTE');
    expect(limitVariables).toContain('STAFF_MAX_CHANGES_PER_HOUR');
    expect(limitVariables).toHaveLength(24);
    for (const name of Object.keys(relaxedLimits)) expect(limitVariables).toContain(name);
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
