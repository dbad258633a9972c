// Issue 22, item 9 (rule 62): a function reads every version of a key it verifies with (AWSCURRENT, a staged
// AWSPENDING, AWSPREVIOUS) through the extension in Lambda, the SDK on a workstation or the local file, and
// reads them again every few minutes so a warm function learns of a rotation.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { cachedSecret, loadKeyVersions, verifyingKeys } from '../../lambdas/adapters/secrets.ts';
import { parseConfig } from '../../lambdas/config.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:hmac-AbCdEf';
const CURRENT = 'c'.repeat(40);
const PENDING = 'n'.repeat(40);
const PREVIOUS = 'p'.repeat(40);

const secretsManager = mockClient(SecretsManagerClient);

describe('loadKeyVersions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'key-versions-'));

  beforeEach(() => {
    secretsManager.reset();
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('through the extension: the current, staged and previous versions by their labels', async () => {
    // Prepare: the extension answers 400 (ResourceNotFoundException) for a label no version holds
    const stages: Record<string, string | undefined> = { AWSCURRENT: CURRENT, AWSPREVIOUS: PREVIOUS };
    const seen: string[] = [];
    const server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const stage = url.searchParams.get('versionStage') ?? 'AWSCURRENT';
      seen.push(stage);
      const value = url.searchParams.get('secretId') === ARN ? stages[stage] : undefined;
      res.writeHead(value ? 200 : 400, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(value ? { SecretString: value } : { __type: 'ResourceNotFoundException' }));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', () => done()));
    const config = parseConfig({
      HMAC_SECRET_ARN: ARN,
      AWS_LAMBDA_FUNCTION_NAME: 'send-otp',
      AWS_SESSION_TOKEN: 'token',
      PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: String((server.address() as { port: number }).port),
    });

    try {
      // Act
      const unstaged = await loadKeyVersions(config, 'hmacKey');
      stages.AWSPENDING = PENDING;
      const staged = await loadKeyVersions(config, 'hmacKey');

      // Assess
      expect(unstaged.current.toString()).toBe(CURRENT);
      expect(unstaged.next).toBeUndefined();
      expect(unstaged.previous?.toString()).toBe(PREVIOUS);
      expect(verifyingKeys(staged).map(String)).toEqual([CURRENT, PENDING, PREVIOUS]);
      expect(new Set(seen)).toEqual(new Set(['AWSCURRENT', 'AWSPENDING', 'AWSPREVIOUS']));
      expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(0);
    } finally {
      server.close();
    }
  });

  it('with the SDK: the same labels, a label no version holds is no version, any other failure fails closed', async () => {
    // Prepare
    const stages: Record<string, string> = { AWSCURRENT: CURRENT };
    secretsManager.on(GetSecretValueCommand).callsFake((input: { VersionStage?: string }) => {
      const value = stages[input.VersionStage ?? 'AWSCURRENT'];
      if (!value) throw Object.assign(new Error('no such label'), { name: 'ResourceNotFoundException' });
      return { SecretString: value };
    });
    const config = parseConfig({ PEPPER_SECRET_ARN: ARN });

    // Act
    const first = await loadKeyVersions(config, 'pepper');
    secretsManager.reset();
    secretsManager
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('throttled'), { name: 'ThrottlingException' }));
    const failing = await loadKeyVersions(config, 'pepper').catch((error: unknown) => error);

    // Assess: the first version of a secret has no previous one yet
    expect(verifyingKeys(first).map(String)).toEqual([CURRENT]);
    expect(failing).toBeInstanceOf(DependencyError);
  });

  it('from the local file: a key is its value, or its versions', async () => {
    // Prepare
    const path = join(dir, 'secrets.json');
    writeFileSync(
      path,
      JSON.stringify({ hmacKey: { current: CURRENT, previous: PREVIOUS }, pepper: PENDING }),
    );
    const config = parseConfig({ LOCAL_SECRETS_FILE: path });

    // Act
    const hmac = await loadKeyVersions(config, 'hmacKey');
    const pepper = await loadKeyVersions(config, 'pepper');

    // Assess
    expect(verifyingKeys(hmac).map(String)).toEqual([CURRENT, PREVIOUS]);
    expect(verifyingKeys(pepper).map(String)).toEqual([PENDING]);
  });
});

describe('cachedSecret', () => {
  it('reads the keys again once they are older than the refresh time, so a warm function sees a rotation', async () => {
    // Prepare
    let time = 0;
    let version = 1;
    let reads = 0;
    const keys = cachedSecret(
      async () => {
        reads += 1;
        return version;
      },
      300_000,
      () => time,
    );

    // Act
    const first = await keys();
    version = 2;
    time = 299_999;
    const cached = await keys();
    time = 300_000;
    const refreshed = await keys();

    // Assess
    expect([first, cached, refreshed]).toEqual([1, 1, 2]);
    expect(reads).toBe(2);
  });

  it('keeps the keys it has when a refresh fails, and tries again a minute later, not at every call', async () => {
    // Prepare
    let time = 0;
    let fail = false;
    let reads = 0;
    const keys = cachedSecret(
      async () => {
        reads += 1;
        if (fail) throw new Error('Secrets Manager is down');
        return 'keys';
      },
      300_000,
      () => time,
    );
    await keys();

    // Act
    fail = true;
    time = 300_000;
    const during = [await keys(), await keys()];
    time = 359_999;
    await keys();
    const readsBeforeRetry = reads;
    time = 360_000;
    await keys();

    // Assess
    expect(during).toEqual(['keys', 'keys']);
    expect(readsBeforeRetry).toBe(2);
    expect(reads).toBe(3);
  });

  it('does not keep a failed first read', async () => {
    // Prepare
    let fail = true;
    const keys = cachedSecret(async () => {
      if (fail) throw new Error('down');
      return 'keys';
    });

    // Act
    const failure = await keys().catch((error: unknown) => error);
    fail = false;

    // Assess
    expect(failure).toBeInstanceOf(Error);
    expect(await keys()).toBe('keys');
  });
});
