// Secrets never escape (SECURITY.md rules 6, 7, 12, 19, 26, 28): complete registrations with a card, a
// company key and a virtual key whose card number, PINs, password and challenge answers are sentinel values,
// plus a wrong PIN, an unknown card, a wrong SMS code and a rejected password on the way; then every log line
// the stack printed, every item of its six tables, every HTTP response (headers and body), every SMS and every
// email are searched for each sentinel and for each bearer token and SMS code issued. The SMS code may appear
// only in its SMS; a token only in the one response that issued it; everything else nowhere. Phones and
// emails appear unmasked only in the directory table, the SMS and the email themselves (rule 26).
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { tableNames } from '../../lambdas/tables.ts';
import { Api } from '../support/api-client.ts';
import { generateCustomers, luhnDigit, writeCustomerFile } from '../support/customers.ts';
import { type RunningStack, startLocalStack } from '../support/local-stack.ts';

const withLuhn = (body: string): string => body + luhnDigit(body);

// Sentinels: values that appear nowhere else. PINs are four digits by rule, so they are searched as whole
// numbers (not inside longer digit runs, hex ids or base64); none of them can be a year or a port.
const CARD = withLuhn('491735286420951');
const UNKNOWN_CARD = withLuhn('538264917305518');
const PIN = { card: '8093', company: '6047', key: '5821', wrong: '7364', unknownCard: '4719' };
const WRONG_CODE = '918273';
const PASSWORDS = {
  card: 'Centinela Clave Tarjeta 7Qx!',
  company: 'Centinela Clave Empresa 4Wz?',
  key: 'Centinela Clave Virtual 9Jk#',
  rejected: 'Produbanco Centinela Rechazada 31',
};
const answersOf = (tag: string) => [
  { questionId: 'q-first-trip', answer: `ViajeCentinela${tag}` },
  { questionId: 'q-first-pet', answer: `Mascota Centinela ${tag}` },
  { questionId: 'q-first-job', answer: `TrabajoCentinela${tag}` },
];

const [a, b, c] = generateCustomers(3, 7100) as [
  ReturnType<typeof generateCustomers>[0],
  ReturnType<typeof generateCustomers>[0],
  ReturnType<typeof generateCustomers>[0],
];
const people = [
  {
    tag: 'Alfa',
    kind: 'card',
    customer: a,
    credential: { type: 'card', cardNumber: CARD, expiryMonth: 7, expiryYear: 2032, pin: PIN.card },
    password: PASSWORDS.card,
    username: 'centinela.tarjeta',
  },
  {
    tag: 'Beta',
    kind: 'company',
    customer: b,
    credential: { type: 'company', ruc: `${b.cedula}001`, cedula: b.cedula, pin: PIN.company },
    password: PASSWORDS.company,
    username: 'centinela.empresa',
  },
  {
    tag: 'Gama',
    kind: 'virtual key',
    customer: c,
    credential: { type: 'virtual-key', cedula: c.cedula, pin: PIN.key },
    password: PASSWORDS.key,
    username: 'centinela.virtual',
  },
];

let stack: RunningStack;
let api: Api;

/** Every response received: its headers and raw body. */
const responses: { what: string; text: string }[] = [];
/** Bearer tokens issued, with the index of the response that issued each. */
const tokens: { token: string; issuedBy: number }[] = [];
const codes: string[] = [];

async function call(
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<{ status: number; body: any }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.Authorization = `Bearer ${options.token}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(`${stack.baseUrl}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await res.text();
  const head = [...res.headers].map(([k, v]) => `${k}: ${v}`).join('\n');
  responses.push({ what: `${method} ${path} -> ${res.status}`, text: `${res.status}\n${head}\n\n${text}` });
  const body = text ? JSON.parse(text) : undefined;
  if (typeof body?.token === 'string') tokens.push({ token: body.token, issuedBy: responses.length - 1 });
  return { status: res.status, body };
}

async function expectStatus(promise: Promise<{ status: number; body: any }>, status: number) {
  const result = await promise;
  expect(result.status, JSON.stringify(result.body)).toBe(status);
  return result.body;
}

async function register(person: (typeof people)[number]) {
  const { customer, credential } = person;
  const started = await expectStatus(call('POST', '/v1/registrations', { body: credential }), 201);
  const id = started.registrationId as string;
  const base = `/v1/registrations/${id}`;
  await expectStatus(call('POST', `${base}/otp`, { token: started.token }), 202);
  const code = await api.lastCode(customer.phone);
  codes.push(code);
  if (person.kind === 'virtual key') {
    expect(code).not.toBe(WRONG_CODE);
    await expectStatus(
      call('POST', `${base}/otp/verify`, { token: started.token, body: { code: WRONG_CODE } }),
      401,
    );
  }
  const verified = await expectStatus(
    call('POST', `${base}/otp/verify`, { token: started.token, body: { code } }),
    200,
  );
  const token = verified.token as string;
  await expectStatus(call('GET', base, { token }), 200);
  const username = person.username;
  await expectStatus(
    call('PUT', `${base}/username`, { token, body: { username, confirmation: username } }),
    200,
  );
  if (person.kind === 'company') {
    const rejected = { password: PASSWORDS.rejected, confirmation: PASSWORDS.rejected };
    await expectStatus(call('PUT', `${base}/password`, { token, body: rejected }), 422);
  }
  const password = { password: person.password, confirmation: person.password };
  await expectStatus(call('PUT', `${base}/password`, { token, body: password }), 200);
  await expectStatus(call('GET', `${base}/security-images`, { token }), 200);
  await expectStatus(call('PUT', `${base}/security-image`, { token, body: { imageId: 'volcan' } }), 200);
  const contact = { homePhone: '072345678', workPhone: '+593987650001' };
  await expectStatus(call('PUT', `${base}/contact`, { token, body: contact }), 200);
  const questions = await expectStatus(call('GET', `${base}/challenge-questions`, { token }), 200);
  const answers = {
    answers: answersOf(person.tag),
    acceptTerms: true,
    termsVersion: questions.terms.version,
  };
  await expectStatus(call('PUT', `${base}/challenge-answers`, { token, body: answers }), 200);
  const factor = { hasSmartDevice: true, choice: 'digital-token' };
  await expectStatus(call('PUT', `${base}/second-factor`, { token, body: factor }), 200);
  await expectStatus(call('POST', `${base}/complete`, { token }), 201);
  await expectStatus(call('GET', base, { token }), 401);
}

beforeAll(async () => {
  const record = (p: (typeof people)[number]) => ({
    customerId: `SECRET-${p.tag}`,
    name: `Cliente ${p.tag}`,
    cedula: p.customer.cedula,
    phone: p.customer.phone,
    email: p.customer.email,
    credentials: [p.credential],
  });
  stack = await startLocalStack({ SEED_FILE: writeCustomerFile([], people.map(record)) });
  api = new Api(stack.baseUrl);
});
afterAll(() => stack?.stop());

/** Whole-number match: not inside a longer run of digits, letters, decimals, hex ids or base64. */
const bounded = (value: string) => new RegExp(`(?<![\\w+/=-]|\\w\\.)${value}(?![\\w+/=-]|\\.\\w)`);
const literal = (value: string) => new RegExp(value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i');

describe('secrets never escape', () => {
  it('card, company and virtual-key registrations leave no PAN, PIN, code, password, answer or token in clear', async () => {
    // Failures on the way: an unknown card and a wrong PIN, both with sentinel values.
    const unknown = {
      type: 'card',
      cardNumber: UNKNOWN_CARD,
      expiryMonth: 1,
      expiryYear: 2033,
      pin: PIN.unknownCard,
    };
    await expectStatus(call('POST', '/v1/registrations', { body: unknown }), 401);
    await expectStatus(
      call('POST', '/v1/registrations', { body: { ...people[0]?.credential, pin: PIN.wrong } }),
      401,
    );
    for (const person of people) await register(person);
    for (const person of people) await api.waitForEmail(person.customer.email);
    await new Promise((r) => setTimeout(r, 500));

    // Everything the service wrote or said.
    const places: { where: string; text: string }[] = [];
    for (const line of stack.output) places.push({ where: 'log', text: line });
    const dynamo = new DynamoDBClient({
      endpoint: inject('dynamodbEndpoint'),
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const prefix = stack.tablePrefix;
    const itemCounts: Record<string, number> = {};
    for (const table of tableNames) {
      itemCounts[table] = 0;
      for await (const page of paginateScan({ client: dynamo }, { TableName: `${prefix}${table}` })) {
        for (const item of page.Items ?? []) {
          itemCounts[table] += 1;
          places.push({ where: `table ${table}`, text: JSON.stringify(item) });
        }
      }
    }
    dynamo.destroy();
    responses.forEach((r, i) => {
      places.push({ where: `response #${i} ${r.what}`, text: r.text });
    });
    const sms = await api.sms();
    for (const m of sms) places.push({ where: `sms to ${m.to}`, text: JSON.stringify(m) });
    const emails = await api.emails();
    for (const e of emails) places.push({ where: `email to ${e.to}`, text: JSON.stringify(e) });

    // The scan is not vacuous: logs, every table that a registration writes, three SMS and three emails.
    expect(stack.output.filter((l) => l.includes('"registration_completed"'))).toHaveLength(3);
    expect(stack.output.some((l) => l.includes('"credential_failure"'))).toBe(true);
    expect(stack.output.some((l) => l.includes('"otp_failure"'))).toBe(true);
    for (const table of ['customers', 'registrations', 'codes', 'limits', 'users', 'outbox'])
      expect(itemCounts[table], table).toBeGreaterThan(0);
    expect(sms).toHaveLength(3);
    expect(emails).toHaveLength(3);
    expect(tokens).toHaveLength(6);

    const sentinels: { name: string; pattern: RegExp; allowed?: (where: string) => boolean }[] = [
      { name: 'card number', pattern: bounded(CARD) },
      { name: 'card number without its last four', pattern: literal(CARD.slice(0, -4)) },
      { name: 'unknown card number', pattern: bounded(UNKNOWN_CARD) },
      ...Object.entries(PIN).map(([k, v]) => ({ name: `PIN (${k})`, pattern: bounded(v) })),
      { name: 'wrong SMS code', pattern: bounded(WRONG_CODE) },
      ...codes.map((code, i) => ({
        name: `SMS code #${i + 1}`,
        pattern: bounded(code),
        allowed: (where: string) => where.startsWith('sms to'),
      })),
      ...Object.entries(PASSWORDS).map(([k, v]) => ({ name: `password (${k})`, pattern: literal(v) })),
      ...people.flatMap((p) =>
        answersOf(p.tag).map((x) => ({ name: `answer ${x.answer}`, pattern: literal(x.answer) })),
      ),
      // Rule 26: phones and emails appear in logs and responses only masked.
      ...people.flatMap((p) => [
        {
          name: `phone of ${p.tag}`,
          pattern: literal(p.customer.phone.slice(-9)),
          allowed: (where: string) => where.startsWith('sms to') || where === 'table customers',
        },
        {
          name: `email of ${p.tag}`,
          pattern: literal(p.customer.email),
          allowed: (where: string) => where.startsWith('email to') || where === 'table customers',
        },
      ]),
      ...tokens.map(({ token, issuedBy }, i) => ({
        name: `bearer token #${i + 1}`,
        pattern: literal(token),
        allowed: (where: string) => where.startsWith(`response #${issuedBy} `),
      })),
    ];

    const leaks: string[] = [];
    for (const sentinel of sentinels) {
      for (const place of places) {
        const match = sentinel.pattern.exec(place.text);
        if (!match || sentinel.allowed?.(place.where)) continue;
        const at = match.index;
        leaks.push(
          `${sentinel.name} in ${place.where}: ...${place.text.slice(Math.max(0, at - 80), at + 80)}...`,
        );
      }
    }
    expect(leaks).toEqual([]);

    // Positive controls: the search does find what is meant to be there.
    for (const code of codes) expect(sms.some((m) => bounded(code).test(m.message))).toBe(true);
    for (const { token, issuedBy } of tokens) expect(responses[issuedBy]?.text).toContain(token);
    // The card is kept as its last four digits only.
    expect(places.some((p) => p.where === 'table customers' && p.text.includes(CARD.slice(-4)))).toBe(true);
  });
});
