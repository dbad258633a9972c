// loadSecrets: from Secrets Manager (mocked at the SDK boundary), each needed ARN read once per call and
// nothing else; from the local secrets file; and a key shorter than 32 bytes refused either way.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { loadSecrets } from '../../lambdas/adapters/secrets.ts';
import { parseConfig } from '../../lambdas/config.ts';
import { DependencyError } from '../../lambdas/registration/errors.ts';

const HMAC_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hmac-AbCdEf';
const PEPPER_ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:pepper-GhIjKl';
const HMAC = 'h'.repeat(44);
const PEPPER = 'p'.repeat(32);

const secretsManager = mockClient(SecretsManagerClient);
const awsConfig = parseConfig({ HMAC_SECRET_ARN: HMAC_ARN, PEPPER_SECRET_ARN: PEPPER_ARN });

function answer(values: Record<string, string>): void {
  secretsManager.on(GetSecretValueCommand).callsFake((input: { SecretId: string }) => {
    const value = values[input.SecretId];
    if (value === undefined)
      throw Object.assign(new Error('not found'), { name: 'ResourceNotFoundException' });
    return { SecretString: value };
  });
}

describe('loadSecrets from Secrets Manager', () => {
  beforeEach(() => {
    secretsManager.reset();
  });

  it('reads each needed ARN exactly once per call', async () => {
    // Prepare
    answer({ [HMAC_ARN]: HMAC, [PEPPER_ARN]: PEPPER });

    // Act
    const secrets = await loadSecrets(awsConfig, { hmacKey: true, pepper: true });

    // Assess
    expect(secrets.hmacKey?.equals(Buffer.from(HMAC))).toBe(true);
    expect(secrets.pepper?.equals(Buffer.from(PEPPER))).toBe(true);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 2);
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: HMAC_ARN });
    expect(secretsManager).toHaveReceivedCommandWith(GetSecretValueCommand, { SecretId: PEPPER_ARN });
  });

  it('reads only the secret a function needs, and none when it needs none', async () => {
    // Prepare
    answer({ [HMAC_ARN]: HMAC, [PEPPER_ARN]: PEPPER });

    // Act
    const onlyKey = await loadSecrets(awsConfig, { hmacKey: true });
    const calls = secretsManager.commandCalls(GetSecretValueCommand).length;
    const nothing = await loadSecrets(awsConfig, {});

    // Assess
    expect(onlyKey.pepper).toBeUndefined();
    expect(calls).toBe(1);
    expect(secretsManager).toHaveReceivedCommandExactlyOnceWith(GetSecretValueCommand, {
      SecretId: HMAC_ARN,
    });
    expect(nothing).toEqual({});
  });

  it('refuses a secret shorter than 32 bytes', async () => {
    // Prepare
    answer({ [HMAC_ARN]: HMAC, [PEPPER_ARN]: 'p'.repeat(31) });

    // Act
    const loading = loadSecrets(awsConfig, { hmacKey: true, pepper: true });

    // Assess
    await expect(loading).rejects.toThrow(/pepper is shorter than 32 bytes/);
  });

  it('fails closed with DependencyError when Secrets Manager fails', async () => {
    // Prepare
    answer({ [HMAC_ARN]: HMAC });

    // Act
    const loading = loadSecrets(awsConfig, { hmacKey: true, pepper: true });

    // Assess
    await expect(loading).rejects.toBeInstanceOf(DependencyError);
  });

  it('refuses a configuration without the ARN it needs, before any call', async () => {
    // Act
    const loading = loadSecrets(parseConfig({ HMAC_SECRET_ARN: HMAC_ARN }), { pepper: true });

    // Assess
    await expect(loading).rejects.toThrow(/pepper secret ARN is not set/);
    expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
  });
});

describe('loadSecrets from LOCAL_SECRETS_FILE', () => {
  const dir = mkdtempSync(join(tmpdir(), 'secrets-test-'));
  const fileWith = (content: object): string => {
    const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
    writeFileSync(path, JSON.stringify(content));
    return path;
  };

  beforeEach(() => {
    secretsManager.reset();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('reads both keys from the file without calling Secrets Manager', async () => {
    // Prepare
    const config = parseConfig({
      LOCAL_SECRETS_FILE: fileWith({ hmacKey: HMAC, pepper: PEPPER }),
      HMAC_SECRET_ARN: HMAC_ARN,
    });

    // Act
    const secrets = await loadSecrets(config, { hmacKey: true, pepper: true });

    // Assess
    expect(secrets.hmacKey?.equals(Buffer.from(HMAC))).toBe(true);
    expect(secrets.pepper?.equals(Buffer.from(PEPPER))).toBe(true);
    expect(secretsManager).not.toHaveReceivedCommand(GetSecretValueCommand);
  });

  it('refuses a key in the file shorter than 32 bytes', async () => {
    // Prepare
    const config = parseConfig({ LOCAL_SECRETS_FILE: fileWith({ hmacKey: 'short', pepper: PEPPER }) });

    // Act
    const loading = loadSecrets(config, { hmacKey: true });

    // Assess
    await expect(loading).rejects.toThrow(/hmacKey is shorter than 32 bytes/);
  });
});
