// Configuration (STYLE.md convention 4, API.md's table, rule 19): defaults, failing fast, the argon2 floor.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config.ts';

describe('configuration', () => {
  it("the defaults equal API.md's table", () => {
    // Act
    const config = parseConfig({});

    // Assess
    expect(config.otp).toEqual({
      ttlSeconds: 300,
      maxAttempts: 3,
      maxSends: 3,
      cooldownSeconds: 30,
      perPhonePerHour: 5,
      maxFailuresPerCustomer: 10,
    });
    expect(config.usernameMaxTries).toBe(10);
    expect(config.session).toEqual({ idleSeconds: 300, maxSeconds: 1200 });
    expect(config.pin).toEqual({ maxAttempts: 3, lockSeconds: 86400 });
    expect(config.identifyPerIpPerMinute).toBe(10);
    expect(config.argon2).toEqual({ memoryKiB: 19456, timeCost: 2 });
    expect(config.mode).toBe('aws');
  });

  it('values from the environment are parsed as numbers', () => {
    // Act
    const config = parseConfig({
      OTP_TTL_SECONDS: '120',
      PIN_LOCK_SECONDS: '60',
      IDENTIFY_MAX_PER_IP_PER_MINUTE: '2',
    });

    // Assess
    expect(config.otp.ttlSeconds).toBe(120);
    expect(config.pin.lockSeconds).toBe(60);
    expect(config.identifyPerIpPerMinute).toBe(2);
  });

  it.each([
    ['OTP_TTL_SECONDS', 'abc'],
    ['OTP_MAX_ATTEMPTS', '0'],
    ['SESSION_IDLE_SECONDS', '-5'],
    ['PIN_MAX_ATTEMPTS', '2.5'],
    ['RUNTIME_MODE', 'cloud'],
    ['EMAIL_FROM', 'not-an-email'],
    ['DYNAMODB_ENDPOINT', 'not a url'],
  ])('an invalid %s=%s fails fast with a message naming the variable', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });

  it.each([
    ['ARGON2_MEMORY_KIB', '19455'],
    ['ARGON2_MEMORY_KIB', '4096'],
    ['ARGON2_TIME_COST', '1'],
  ])('rule 19: %s=%s, below the floor, is refused', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(name));
  });

  it('rule 19: argon2 costs above the floor are kept', () => {
    expect(parseConfig({ ARGON2_MEMORY_KIB: '65536', ARGON2_TIME_COST: '3' }).argon2).toEqual({
      memoryKiB: 65536,
      timeCost: 3,
    });
  });

  it('a table that a function was not given fails with a message naming its variable', () => {
    // Prepare
    const config = parseConfig({ REGISTRATIONS_TABLE: 'regs' });

    // Act & Assess
    expect(config.table('registrations')).toBe('regs');
    expect(() => config.table('users')).toThrow(/USERS_TABLE/);
  });

  it.each([
    'OTP_MAX_ATTEMPTS',
    'OTP_MAX_SENDS',
    'OTP_MAX_SENDS_PER_PHONE_PER_HOUR',
    'PIN_MAX_ATTEMPTS',
    'IDENTIFY_MAX_PER_IP_PER_MINUTE',
    'OTP_MAX_FAILURES_PER_CUSTOMER',
    'USERNAME_MAX_TRIES',
    'SIGN_IN_MAX_PER_IP_PER_MINUTE',
    'PASSWORD_MAX_ATTEMPTS',
    'TOKEN_MAX_ATTEMPTS',
    'TOKEN_MAX_FAILURES_PER_USER',
  ])('second audit, finding 6: %s above 500 is refused at cold start, 500 is kept', (name) => {
    expect(() => parseConfig({ [name]: '501' })).toThrow(
      new RegExp(`Invalid configuration: ${name}: at most 500`),
    );
    expect(() => parseConfig({ [name]: '500' })).not.toThrow();
  });

  it('TOKEN_MAX_FAILURES_PER_USER defaults to 10', () => {
    expect(parseConfig({}).signIn.tokenMaxFailuresPerUser).toBe(10);
  });
});
