// The HMAC key, the pepper and the digital-token data key: from Secrets Manager in AWS (through the Parameters and Secrets extension,
// re-read every few minutes), from a local file that `npm start` creates with fresh random keys. A key has
// versions (rule 62): what is written uses the current one; what is checked may have been written under the
// previous one, or under one staged for the next rotation.
import { readFileSync } from 'node:fs';
import type { Config } from '../config.ts';
import { DependencyError } from '../rules/errors.ts';

export interface Secrets {
  hmacKey: Buffer;
  pepper: Buffer;
  /** The data key that seals digital-token seeds. */
  tokenKey: Buffer;
}

/**
 * The versions of one key that a function holds: `current` writes and verifies; `next` (AWSPENDING, staged
 * by the rotation procedure before it is promoted) and `previous` (AWSPREVIOUS) only verify, so a value made
 * by a process that already or still writes with another version keeps working.
 */
export interface KeyVersions {
  current: Buffer;
  next?: Buffer;
  previous?: Buffer;
}

/** The keys a stored value is checked against, current first, each once. */
export const verifyingKeys = (versions: KeyVersions): Buffer[] =>
  [versions.current, versions.next, versions.previous].filter(
    (key, i, all): key is Buffer => key !== undefined && all.findIndex((k) => k?.equals(key)) === i,
  );

/** A secret's version in Secrets Manager, by its staging label. */
type Stage = 'AWSCURRENT' | 'AWSPENDING' | 'AWSPREVIOUS';
const optionalStages: [Exclude<keyof KeyVersions, 'current'>, Stage][] = [
  ['next', 'AWSPENDING'],
  ['previous', 'AWSPREVIOUS'],
];

/** A local file's key: the value itself (current only), or its versions. */
type LocalKey = string | { current: string; next?: string; previous?: string };

const asKey = (value: string, name: string): Buffer => {
  const key = Buffer.from(value, 'utf8');
  if (key.length < 32) throw new Error(`Secret ${name} is shorter than 32 bytes`);
  return key;
};

/** Outside Lambda (the directory loader on a workstation), with the ordinary credential chain. */
async function fromSecretsManager(arns: string[], stage?: Stage): Promise<(string | undefined)[]> {
  const { SecretsManagerClient, GetSecretValueCommand } = await import('@aws-sdk/client-secrets-manager');
  const client = new SecretsManagerClient({});
  try {
    return await Promise.all(
      arns.map(async (arn) => {
        try {
          const value = await client.send(new GetSecretValueCommand({ SecretId: arn, VersionStage: stage }));
          if (!value.SecretString) throw new Error(`Secret ${arn} has no string value`);
          return value.SecretString;
        } catch (error) {
          // No version holds that label: there is no previous key yet, or no rotation is staged.
          if (stage && (error as Error).name === 'ResourceNotFoundException') return undefined;
          throw error;
        }
      }),
    );
  } catch (error) {
    throw new DependencyError('Secrets Manager read failed', { cause: error });
  }
}

/**
 * In Lambda, reads secrets through the AWS Parameters and Secrets Lambda Extension (a layer the stack adds): a local
 * HTTP call authenticated by the function's session token, cached by the extension, and no Secrets Manager
 * client in the bundle (29 KiB less to load at every cold start).
 */
async function fromSecretsExtension(
  arns: string[],
  extension: NonNullable<Config['secrets']['extension']>,
  stage?: Stage,
): Promise<(string | undefined)[]> {
  try {
    return await Promise.all(
      arns.map(async (arn) => {
        const response = await fetch(
          `http://localhost:${extension.port}/secretsmanager/get?secretId=${encodeURIComponent(arn)}${stage ? `&versionStage=${stage}` : ''}`,
          {
            headers: { 'X-Aws-Parameters-Secrets-Token': extension.token },
            signal: AbortSignal.timeout(5_000),
          },
        );
        // The extension passes Secrets Manager's ResourceNotFoundException on as a 400 (or 404): no version
        // holds that label. Anything else fails the read, as for the current version.
        if (stage && (response.status === 400 || response.status === 404)) return undefined;
        if (!response.ok) throw new Error(`the secrets extension answered ${response.status}`);
        const value = ((await response.json()) as { SecretString?: string }).SecretString;
        if (!value) throw new Error(`Secret ${arn} has no string value`);
        return value;
      }),
    );
  } catch (error) {
    throw new DependencyError('Secrets Manager read failed', { cause: error });
  }
}

/** Loads only the secrets a function needs; a function that needs none never calls Secrets Manager. */
export async function loadSecrets(
  config: Config,
  needs: { hmacKey?: boolean; pepper?: boolean; tokenKey?: boolean },
): Promise<Partial<Secrets>> {
  if (config.secrets.localFile) {
    const local = readLocalFile(config.secrets.localFile);
    const current = (name: keyof Secrets) => asKey(localVersion(local[name], 'current') ?? '', name);
    return {
      hmacKey: needs.hmacKey ? current('hmacKey') : undefined,
      pepper: needs.pepper ? current('pepper') : undefined,
      tokenKey: needs.tokenKey ? current('tokenKey') : undefined,
    };
  }
  const wanted = secretArns(config, needs);
  if (wanted.length === 0) return {};
  const values = await readStage(
    config,
    wanted.map(([, arn]) => arn),
  );
  return Object.fromEntries(wanted.map(([name], i) => [name, asKey(values[i] as string, name)]));
}

const readLocalFile = (path: string) =>
  JSON.parse(readFileSync(path, 'utf8')) as Record<keyof Secrets, LocalKey>;

const localVersion = (key: LocalKey | undefined, version: keyof KeyVersions): string | undefined =>
  typeof key === 'string' || key === undefined ? (version === 'current' ? key : undefined) : key[version];

/** The ARNs of the secrets a function needs; a missing one is a configuration error, before any call. */
function secretArns(
  config: Config,
  needs: { hmacKey?: boolean; pepper?: boolean; tokenKey?: boolean },
): [keyof Secrets, string][] {
  const wanted: [keyof Secrets, string | undefined][] = [];
  if (needs.hmacKey) wanted.push(['hmacKey', config.secrets.hmacSecretArn]);
  if (needs.pepper) wanted.push(['pepper', config.secrets.pepperSecretArn]);
  if (needs.tokenKey) wanted.push(['tokenKey', config.secrets.tokenKeySecretArn]);
  for (const [name, arn] of wanted) {
    if (!arn) throw new Error(`Invalid configuration: the ${name} secret ARN is not set`);
  }
  return wanted as [keyof Secrets, string][];
}

/** One staging label of each ARN (the current version without one). */
function readStage(config: Config, arns: string[], stage?: Stage): Promise<(string | undefined)[]> {
  const { extension } = config.secrets;
  // The stack bundles functions with the Secrets Manager client external: in Lambda only the extension runs.
  return extension ? fromSecretsExtension(arns, extension, stage) : fromSecretsManager(arns, stage);
}

/** Every version of one key a function verifies with (rule 62); writes use `current` only. */
export async function loadKeyVersions(config: Config, name: keyof Secrets): Promise<KeyVersions> {
  if (config.secrets.localFile) {
    const local = readLocalFile(config.secrets.localFile)[name];
    const version = (v: keyof KeyVersions) => {
      const value = localVersion(local, v);
      return value === undefined ? undefined : asKey(value, `${name} (${v})`);
    };
    return {
      current: asKey(localVersion(local, 'current') ?? '', name),
      next: version('next'),
      previous: version('previous'),
    };
  }
  const [[, arn]] = secretArns(config, { [name]: true }) as [[keyof Secrets, string]];
  const [current, ...others] = await Promise.all([
    readStage(config, [arn]),
    ...optionalStages.map(([, stage]) => readStage(config, [arn], stage)),
  ]);
  const versions: KeyVersions = { current: asKey(current?.[0] as string, name) };
  optionalStages.forEach(([version], i) => {
    const value = others[i]?.[0];
    if (value !== undefined) versions[version] = asKey(value, `${name} (${version})`);
  });
  return versions;
}

/**
 * How long a process keeps the keys it read before reading them again: as long as the extension's own cache
 * (lib/service-function.ts), so every warm function holds a newly staged or promoted version within ten
 * minutes of the change. The rotation procedure (docs/DEPLOYMENT.md) waits that long between its steps.
 */
export const KEY_REFRESH_MS = 5 * 60_000;
const KEY_RETRY_MS = 60_000;

/**
 * A value made from secrets, kept `maxAgeMs` and then made again. A failed first read is not cached (the next
 * call tries again); a failed refresh keeps the value it had and tries again a minute later.
 */
export function cachedSecret<T>(
  load: () => Promise<T>,
  maxAgeMs = KEY_REFRESH_MS,
  now: () => number = Date.now,
): () => Promise<T> {
  let held: { value: T; at: number } | undefined;
  let pending: Promise<T> | undefined;
  const reload = (): Promise<T> => {
    pending ??= load()
      .then((value) => {
        held = { value, at: now() };
        return value;
      })
      .catch((error) => {
        if (!held) throw error;
        // Secrets Manager is down: keep the keys and try again in a minute, not at every request.
        held = { value: held.value, at: now() - maxAgeMs + KEY_RETRY_MS };
        return held.value;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  return () => (held && now() - held.at < maxAgeMs ? Promise.resolve(held.value) : reload());
}
