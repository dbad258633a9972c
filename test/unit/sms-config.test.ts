// The SMS origination identity is deployment configuration, parsed and checked like every other variable.
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../lambdas/config.ts';

describe('SMS origination identity', () => {
  it('is unset by default: SNS then picks the account default', () => {
    expect(parseConfig({}).sms).toEqual({ originationNumber: undefined, senderId: undefined });
  });

  it('SMS_ORIGINATION_NUMBER and SMS_SENDER_ID reach the config', () => {
    expect(parseConfig({ SMS_ORIGINATION_NUMBER: '+59312345', SMS_SENDER_ID: 'Produbanco' }).sms).toEqual({
      originationNumber: '+59312345',
      senderId: 'Produbanco',
    });
  });

  it.each([
    ['SMS_ORIGINATION_NUMBER', 'PRODUBANCO'],
    ['SMS_ORIGINATION_NUMBER', '12'],
    ['SMS_SENDER_ID', 'ProdubancoEcuador'],
    ['SMS_SENDER_ID', '12345'],
    ['SMS_SENDER_ID', 'Banco Pro'],
  ])('an invalid %s=%s fails fast naming the variable', (name, value) => {
    expect(() => parseConfig({ [name]: value })).toThrow(new RegExp(`Invalid configuration: .*${name}`));
  });
});
