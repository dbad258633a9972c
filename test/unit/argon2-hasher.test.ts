// The real argon2id adapter (SECURITY.md rules 18 and 19): parameters, salt, pepper, no truncation, and the
// answers step hashed with it. Real hashing is slow on purpose, so only these tests use it.
import { describe, expect, it } from 'vitest';
import { argon2Hasher } from '../../lambdas/adapters/argon2.ts';
import { answerChallengeQuestions } from '../../lambdas/registration/profile-steps.ts';
import { terms } from '../../lambdas/rules/catalog.ts';
import { normaliseAnswer } from '../../lambdas/rules/credentials-policy.ts';
import { createWorld, Wizard } from '../support/fakes.ts';

const pepper = Buffer.from('unit-test-pepper-0123456789abcdef');
const floor = { memoryKiB: 19456, timeCost: 2 };

/** The PHC string `$argon2id$v=19$m=..,t=..,p=..$salt$hash`, parameters in any order. */
const parameters = (hash: string) => {
  const [, type, , params, salt, digest] = hash.split('$');
  if (!type || !params || !salt || !digest)
    throw new Error(`not an argon2 PHC string: ${hash.slice(0, 20)}...`);
  const values = Object.fromEntries(params.split(',').map((kv) => kv.split('=') as [string, string]));
  return { type, m: Number(values.m), t: Number(values.t), p: Number(values.p), salt };
};

describe('argon2id parameters (rule 19)', () => {
  it('rule 19: hashes are argon2id with m >= 19456 KiB, t >= 2, p = 1', async () => {
    // Prepare
    const hasher = argon2Hasher(pepper, floor);

    // Act
    const hash = await hasher.hash('Un paseo por el Cotopaxi 2026');

    // Assess
    const found = parameters(hash);
    expect(found.type).toBe('argon2id');
    expect(found.m).toBeGreaterThanOrEqual(19456);
    expect(found.t).toBeGreaterThanOrEqual(2);
    expect(found.p).toBe(1);
  });

  it('rule 19: a cost below the floor is raised to the floor', async () => {
    // Prepare
    const hasher = argon2Hasher(pepper, { memoryKiB: 1024, timeCost: 1 });

    // Act
    const found = parameters(await hasher.hash('clave de prueba larga'));

    // Assess
    expect(found).toMatchObject({ type: 'argon2id', m: 19456, t: 2, p: 1 });
  });

  it('rule 19: a salt per hash: the same password hashes differently twice, and both verify', async () => {
    // Prepare
    const hasher = argon2Hasher(pepper, floor);

    // Act
    const [first, second] = await Promise.all([
      hasher.hash('misma clave 2026'),
      hasher.hash('misma clave 2026'),
    ]);

    // Assess
    expect(first).not.toBe(second);
    expect(parameters(first).salt).not.toBe(parameters(second).salt);
    expect(await hasher.verify(first, 'misma clave 2026')).toBe(true);
  });

  it('rule 19: the pepper is part of the hash: another pepper does not verify', async () => {
    // Prepare
    const hasher = argon2Hasher(pepper, floor);
    const hash = await hasher.hash('clave con pimienta');

    // Act
    const withOtherPepper = await argon2Hasher(Buffer.from('another pepper of 32 bytes......'), floor).verify(
      hash,
      'clave con pimienta',
    );

    // Assess
    expect(withOtherPepper).toBe(false);
    expect(hash).not.toContain(pepper.toString('base64').replace(/=+$/, ''));
  });

  it('rule 19: a malformed hash does not verify (and does not throw)', async () => {
    expect(await argon2Hasher(pepper, floor).verify('not-a-hash', 'x')).toBe(false);
  });
});

describe('never truncated (rule 18)', () => {
  it('rule 18: a 128-character password whose last character differs does not verify', async () => {
    // Prepare
    const hasher = argon2Hasher(pepper, floor);
    const password = `${'ñ'.repeat(120)}abcdefgh`;
    const hash = await hasher.hash(password);

    // Act
    const [same, lastDiffers] = await Promise.all([
      hasher.verify(hash, password),
      hasher.verify(hash, `${password.slice(0, 127)}X`),
    ]);

    // Assess
    expect([...password]).toHaveLength(128);
    expect(same).toBe(true);
    expect(lastDiffers).toBe(false);
  });
});

describe('answers hashed with argon2id (rule 19)', () => {
  it('rule 19: the answers step stores argon2id hashes of the normalised answers', async () => {
    // Prepare
    const world = createWorld();
    const hasher = argon2Hasher(pepper, floor);
    const wizard = new Wizard(world);
    await wizard.toFinish();
    const answers = [
      { questionId: 'q-first-pet', answer: '  Firulaís ' },
      { questionId: 'q-first-school', answer: 'La  Salle' },
      { questionId: 'q-mother-birth-city', answer: 'CUENCA' },
    ];

    // Act
    await answerChallengeQuestions(
      { ...world.deps.answers, hasher },
      wizard.with({ answers, acceptTerms: true, termsVersion: terms.version }),
    );

    // Assess
    const stored = wizard.stored().answers ?? [];
    expect(stored.map((a) => parameters(a.answerHash))).toEqual(
      stored.map(() => expect.objectContaining({ type: 'argon2id', p: 1 })),
    );
    expect(await hasher.verify(stored[0]?.answerHash as string, normaliseAnswer('firulais'))).toBe(true);
    expect(await hasher.verify(stored[2]?.answerHash as string, 'cuenca')).toBe(true);
  });
});
