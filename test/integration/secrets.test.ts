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
import { DependencyError } from '../../lambdas/rules/errors.ts';

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

describe('loadSecrets through the Parameters and Secrets extension (as in Lambda)', () => {
  it('asks the extension on localhost with the session token, once per secret, and no SDK call', async () => {
    // Prepare: a stand-in for the extension's HTTP endpoint
    const { createServer } = await import('node:http');
    const seen: { url: string; token: string | undefined }[] = [];
    const server = createServer((req, res) => {
      seen.push({
        url: req.url ?? '',
        token: req.headers['x-aws-parameters-secrets-token'] as string | undefined,
      });
      const id = new URL(req.url ?? '/', 'http://x').searchParams.get('secretId');
      const value = id === HMAC_ARN ? HMAC : id === PEPPER_ARN ? PEPPER : undefined;
      res.writeHead(value ? 200 : 400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value ? { ARN: id, SecretString: value } : { message: 'unknown secret' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const port = (server.address() as { port: number }).port;
    secretsManager.reset();
    const lambdaConfig = parseConfig({
      HMAC_SECRET_ARN: HMAC_ARN,
      PEPPER_SECRET_ARN: PEPPER_ARN,
      AWS_LAMBDA_FUNCTION_NAME: 'send-otp',
      AWS_SESSION_TOKEN: 'session-token-of-the-function',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
    });

    try {
      // Act
      const secrets = await loadSecrets(lambdaConfig, { hmacKey: true, pepper: true });
      const broken = parseConfig({
        HMAC_SECRET_ARN: 'arn:unknown',
        AWS_LAMBDA_FUNCTION_NAME: 'send-otp',
        AWS_SESSION_TOKEN: 'x',
        PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String(port),
      });
      const failure = await loadSecrets(broken, { hmacKey: true }).catch((error: unknown) => error);

      // Assess
      expect(secrets.hmacKey?.equals(Buffer.from(HMAC))).toBe(true);
      expect(secrets.pepper?.equals(Buffer.from(PEPPER))).toBe(true);
      expect(seen.slice(0, 2).map((s) => s.token)).toEqual([
        'session-token-of-the-function',
        'session-token-of-the-function',
      ]);
      expect(
        seen
          .slice(0, 2)
          .map((s) => s.url)
          .sort(),
      ).toEqual(
        [HMAC_ARN, PEPPER_ARN].map((arn) => `/secretsmanager/get?secretId=${encodeURIComponent(arn)}`).sort(),
      );
      expect(failure).toBeInstanceOf(DependencyError);
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    } finally {
      server.close();
    }
  });
});

describe('loadSecrets on a workstation with temporary credentials', () => {
  it('uses the SDK, not the extension, when a session token is set outside Lambda', async () => {
    // Prepare: `aws sso login` or an assumed role puts AWS_SESSION_TOKEN in a DevOps shell too
    secretsManager.reset();
    answer({ [HMAC_ARN]: HMAC });
    const workstation = parseConfig({ HMAC_SECRET_ARN: HMAC_ARN, AWS_SESSION_TOKEN: 'sso-session-token' });

    // Act
    const secrets = await loadSecrets(workstation, { hmacKey: true });

    // Assess
    expect(workstation.secrets.extension).toBeUndefined();
    expect(secrets.hmacKey?.equals(Buffer.from(HMAC))).toBe(true);
    expect(secretsManager).toHaveReceivedCommandTimes(GetSecretValueCommand, 1);
  });
});
