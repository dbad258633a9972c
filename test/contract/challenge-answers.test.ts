// SECURITY.md rules 20 and 59: challenge answers are never an authenticator on their own; this service stores
// their hashes for the staff's identity check by phone. No customer route takes an answer to check it, and
// only that check (on the IAM-only staff API) compares a stored answer hash with anything.
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildOpenApi } from '../../bin/openapi.ts';
import { assistedRoutes, routes } from '../../lambdas/routes.ts';

const lambdas = resolve(import.meta.dirname, '..', '..', 'lambdas');
const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? sources(join(dir, entry.name))
      : entry.name.endsWith('.ts')
        ? [join(dir, entry.name)]
        : [],
  );

describe('rule 20: challenge answers authenticate nothing', () => {
  it('only the challenge-answers step takes answers, and it answers with the next step only', () => {
    // Prepare
    const paths = buildOpenApi().paths as Record<string, Record<string, any>>;

    // Act
    const takingAnswers = Object.entries(paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => JSON.stringify(op.requestBody ?? {}).includes('"answers"'))
        .map(([method, op]) => ({ route: `${method.toUpperCase()} ${path}`, op })),
    );

    // Assess
    expect(takingAnswers.map((t) => t.route)).toEqual(['PUT /v1/registrations/{id}/challenge-answers']);
    const success = takingAnswers[0]?.op.responses['200'].content['application/json'].schema;
    expect(Object.keys(success.properties)).toEqual(['step']);
  });

  it('rule 59: the answer check is a staff route only, never a customer route', () => {
    const checks = (handler: string) => handler === 'agent-verify-answer';
    expect(routes.filter((route) => checks(route.handler))).toEqual([]);
    expect(assistedRoutes.filter((route) => checks(route.handler)).map((route) => route.path)).toEqual([
      '/v1/customers/{customerId}/verify-answer',
    ]);
  });

  it('no code but the staff identity check reads a stored answer hash back to compare it', () => {
    // Prepare
    const code = sources(lambdas).map((file) => ({ file, text: readFileSync(file, 'utf8') }));

    // Act
    const verifiers = code
      .filter(({ text }) => /\.verify\(/.test(text))
      .map(({ file }) => file.slice(lambdas.length + 1));
    const answerHashReaders = code.filter(({ text }) =>
      /answerHash\b(?!:)/.test(text.replace(/answerHash: await/g, '')),
    );

    // Assess: the hasher verifies only through the equal-work check, which the directory (PINs), sign-in
    // (passwords) and the staff identity check (answers, rule 59) call; nothing else passes it an answer hash
    expect(verifiers.sort()).toEqual(['adapters/argon2.ts', 'rules/equal-work.ts']);
    const equalWorkCallers = code
      .filter(({ text }) => /verifyOrDummy\(/.test(text))
      .map(({ file }) => file.slice(lambdas.length + 1));
    expect(equalWorkCallers.sort()).toEqual([
      'adapters/dynamodb/customer-directory.ts',
      'assisted/verify-answer.ts',
      'rules/equal-work.ts',
      'self-service/password.ts',
      'sign-in/password.ts',
    ]);
    expect(answerHashReaders.map(({ file }) => file.slice(lambdas.length + 1))).toEqual([
      'assisted/verify-answer.ts',
    ]);
  });
});
