// Faults injected at the storage, SMS and email boundaries while the real use cases run on DynamoDB Local:
// each step fails closed (DependencyError, 503), writes nothing half-way, and succeeds once retried.

import { SESClient, SendEmailCommand } from '@aws-sdk/client-ses';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SesEmailSender } from '../../lambdas/adapters/email.ts';
import { jsonLogger } from '../../lambdas/adapters/event-log.ts';
import { SnsSmsSender } from '../../lambdas/adapters/sms.ts';
import { errorResponse } from '../../lambdas/http/api-handler.ts';
import { DependencyError } from '../../lambdas/rules/errors.ts';
import type { TableName } from '../../lambdas/tables.ts';
import {
  codeOf,
  defaultRules,
  FakeClock,
  type FaultSpec,
  freshTables,
  getItem,
  injectFault,
  liveLimits,
  newDocumentClient,
  outcome,
  type RecordingSms,
  type Rules,
  type Services,
  type Session,
  scanAll,
  scriptedCodes,
  seed,
  snapshot,
  type TestCustomer,
  type TestTables,
  testCustomer,
  Wizard,
  wire,
} from '../support/integration.ts';

type Snapshot = Awaited<ReturnType<typeof snapshot>>;

/** A counter refunded to zero is no count at all. */
const settled = (snap: Snapshot): Snapshot => ({
  ...snap,
  limits: snap.limits.filter((item) => item.count !== 0),
});

const without = (snap: Snapshot, ...names: TableName[]) =>
  Object.fromEntries(Object.entries(settled(snap)).filter(([name]) => !names.includes(name as TableName)));

describe('storage faults in each wizard step', () => {
  let tables: TestTables;
  let n = 0;
  const rules: Rules = { ...defaultRules(), identifyPerIpPerMinute: 1_000 };

  /** A wizard of its own: its document client carries the faults, the assertions read through another. */
  async function world(): Promise<{ s: Services; wizard: Wizard; customer: TestCustomer; clock: FakeClock }> {
    const clock = new FakeClock();
    const s = wire(tables, { db: newDocumentClient(), clock, rules });
    const customer = testCustomer(++n);
    await seed(s, [customer]);
    return { s, wizard: new Wizard(s), customer, clock };
  }

  /** Runs `act` under the fault, expecting a DependencyError that the HTTP layer answers with 503. */
  async function failsClosed(s: Services, spec: FaultSpec, act: () => Promise<unknown>): Promise<void> {
    const fault = injectFault(s.db, spec);
    try {
      const error = await act().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(fault.injected).toBe(1);
      expect(error).toBeInstanceOf(DependencyError);
      const response = errorResponse(error, 'req-1', jsonLogger('silent'));
      expect(response.statusCode).toBe(503);
      expect(JSON.parse(response.body)).toMatchObject({ code: 'service_unavailable' });
    } finally {
      fault.remove();
    }
  }

  beforeAll(async () => {
    tables = await freshTables('faults');
  });

  it('start: the registration write fails; no registration, no PIN try left counted; the retry opens one', async () => {
    // Prepare
    const { s, wizard, customer } = await world();
    const before = await snapshot(tables);

    // Act
    // The registration and the customer's pointer to it are one transaction (rule 41).
    await failsClosed(s, { command: 'TransactWriteItemsCommand', table: tables.names.registrations }, () =>
      wizard.start(customer.card, '10.9.9.9'),
    );
    const afterFault = await snapshot(tables);
    const session = await wizard.start(customer.card, '10.9.9.9');

    // Assess: the address counter counts the failed call (API.md: every step-1 call but a 429 counts)
    expect(without(afterFault, 'limits')).toEqual(without(before, 'limits'));
    expect(afterFault.limits.filter((i) => String(i.pk).startsWith('pin#'))).toEqual(
      before.limits.filter((i) => String(i.pk).startsWith('pin#')),
    );
    const mine = (await scanAll(tables.db, tables.names.registrations)).filter(
      (r) => r.customerId === customer.record.customer.customerId,
    );
    expect(mine.map((r) => r.registrationId)).toEqual([session.registrationId]);
  });

  it('start: the directory read fails; no registration; the retry with the right PIN opens one and clears the try', async () => {
    // Prepare
    const { s, wizard, customer } = await world();

    // Act
    await failsClosed(s, { command: 'GetItemCommand', table: tables.names.customers }, () =>
      wizard.start(customer.card),
    );
    const mineAfterFault = (await scanAll(tables.db, tables.names.registrations)).filter(
      (r) => r.customerId === customer.record.customer.customerId,
    );
    const session = await wizard.start(customer.card);

    // Assess
    expect(mineAfterFault).toEqual([]);
    expect(await s.registrations.get(session.registrationId)).toMatchObject({ step: 'verify-contact' });
    const pinKey = `pin#${s.keyed.digest('credential', `card:${customer.card.cardNumber}`)}`;
    expect(await getItem(tables.db, tables.names.limits, { pk: pinKey })).toBeUndefined();
  });

  describe('sendOtp', () => {
    it.each<[string, FaultSpec]>([
      ['the code write', { command: 'UpdateItemCommand', table: 'codes', error: 'timeout' }],
      ['the registration write after the code', { command: 'PutItemCommand', table: 'registrations' }],
    ])('%s fails: no code, no phone count, no SMS; the retry sends one code', async (_, spec) => {
      // Prepare
      const { s, wizard, customer } = await world();
      const session = await wizard.start(customer.card);
      const before = await snapshot(tables);
      const table = tables.names[spec.table as TableName];

      // Act
      await failsClosed(s, { ...spec, table }, () => wizard.sendOtp(session));
      const afterFault = await snapshot(tables);
      const retried = await wizard.sendOtp(session);

      // Assess
      expect(settled(afterFault)).toEqual(settled(before));
      expect(retried).toMatchObject({ step: 'enter-otp', sendsLeft: 2 });
      expect(await s.codes.get(session.registrationId)).toMatchObject({ sends: 1, attempts: 0, used: false });
      const sms = (s.sms as RecordingSms).sent;
      expect(sms).toHaveLength(1);
      const phoneKey = `sms#${s.keyed.digest('phone', customer.record.customer.phone)}`;
      const phoneHits = liveLimits(await scanAll(tables.db, tables.names.limits)).filter(
        (i) => i.pk === phoneKey,
      );
      expect(phoneHits.map((i) => (i.hits as number[]).length)).toEqual([1]);
    });
  });

  it('verifyOtp: the code-use transaction fails; the code stays unused and the step unchanged; the retry verifies', async () => {
    // Prepare
    const { s, wizard, customer } = await world();
    const session = await wizard.start(customer.card);
    await wizard.sendOtp(session);
    const code = wizard.lastCode(customer.record.customer.phone);
    const before = await snapshot(tables);

    // Act
    await failsClosed(s, { command: 'TransactWriteItemsCommand' }, () => wizard.verify(session, code));
    const afterFault = await snapshot(tables);
    const oldToken = session.token;
    await wizard.verify(session, code);

    // Assess: only the attempt, counted before the comparison by design (rule 13), moved
    const attemptsOnly = (snap: Snapshot) => ({
      ...snap,
      codes: snap.codes.map(({ attempts: _attempts, ...rest }) => rest),
    });
    expect(attemptsOnly(afterFault)).toEqual(attemptsOnly(before));
    expect(await s.codes.get(session.registrationId)).toMatchObject({ used: true, attempts: 2 });
    expect(session.token).not.toBe(oldToken);
    expect(await outcome(wizard.verify({ ...session }, code))).toBe('step_out_of_order');
  });

  describe('the steps that write the registration alone', () => {
    type StepCall = (wizard: Wizard, session: Session) => Promise<unknown>;
    it.each<[string, StepCall, StepCall, string]>([
      ['createPassword', async () => undefined, (w, x) => w.password(x), 'choose-image'],
      ['chooseSecurityImage', (w, x) => w.password(x), (w, x) => w.image(x), 'update-contact'],
      [
        'updateContact',
        async (w, x) => {
          await w.password(x);
          await w.image(x);
        },
        (w, x) => w.contact(x),
        'challenge-questions',
      ],
      [
        'answerChallengeQuestions',
        async (w, x) => {
          await w.password(x);
          await w.image(x);
          await w.contact(x);
        },
        (w, x) => w.answers(x),
        'second-factor',
      ],
      [
        'chooseSecondFactor',
        async (w, x) => {
          await w.password(x);
          await w.image(x);
          await w.contact(x);
          await w.answers(x);
        },
        (w, x) => w.secondFactor(x),
        'finish',
      ],
    ])('%s: the write fails, nothing changes; the retry moves one step', async (_, prepare, step, next) => {
      // Prepare
      const { s, wizard, customer } = await world();
      const session = await wizard.verified(customer);
      await wizard.username(session, `paso.${n}`);
      await prepare(wizard, session);
      const before = await snapshot(tables);
      const version = (await s.registrations.get(session.registrationId))?.version as number;

      // Act
      await failsClosed(s, { command: 'PutItemCommand', table: tables.names.registrations }, () =>
        step(wizard, session),
      );
      const afterFault = await snapshot(tables);
      const retried = await step(wizard, session);

      // Assess
      expect(afterFault).toEqual(before);
      expect(retried).toEqual({ step: next });
      expect(await s.registrations.get(session.registrationId)).toMatchObject({
        step: next,
        version: version + 1,
      });
    });
  });

  it('chooseUsername: the reservation transaction fails; no reservation; the retry reserves it once', async () => {
    // Prepare
    const { s, wizard, customer } = await world();
    const session = await wizard.verified(customer);
    const before = await snapshot(tables);

    // Act
    await failsClosed(s, { command: 'TransactWriteItemsCommand', error: 'timeout' }, () =>
      wizard.username(session, 'Falla.Reserva'),
    );
    const afterFault = await snapshot(tables);
    const retried = await wizard.username(session, 'Falla.Reserva');

    // Assess
    expect(afterFault).toEqual(before);
    expect(retried).toEqual({ step: 'create-password' });
    const reservations = (await scanAll(tables.db, tables.names.users)).filter(
      (i) => i.registrationId === session.registrationId,
    );
    expect(reservations).toEqual([
      expect.objectContaining({ pk: 'USERNAME#falla.reserva', kind: 'reservation' }),
    ]);
  });

  it('complete: the transaction fails; no user, link or message; the retry writes one of each', async () => {
    // Prepare
    const { s, wizard, customer } = await world();
    const session = await wizard.atFinish(customer, 'Falla.Completa');
    const { customerId } = customer.record.customer;
    const before = await snapshot(tables);

    // Act
    await failsClosed(s, { command: 'TransactWriteItemsCommand' }, () => wizard.complete(session));
    const afterFault = await snapshot(tables);
    const retried = await wizard.complete(session);

    // Assess
    expect(afterFault).toEqual(before);
    expect(retried).toMatchObject({ step: 'completed', username: 'Falla.Completa' });
    const users = (await scanAll(tables.db, tables.names.users)).filter((i) => i.customerId === customerId);
    expect(users).toHaveLength(1);
    expect(await getItem(tables.db, tables.names.users, { pk: `CUSTOMER#${customerId}` })).toMatchObject({
      userId: users[0]?.userId,
    });
    expect(
      (await scanAll(tables.db, tables.names.outbox)).filter((i) => i.customerId === customerId),
    ).toHaveLength(1);
  });

  it('complete: a timeout after DynamoDB wrote the transaction; the retry duplicates nothing', async () => {
    // Prepare
    const { s, wizard, customer } = await world();
    const session = await wizard.atFinish(customer, 'Respuesta.Perdida');
    const { customerId } = customer.record.customer;

    // Act
    await failsClosed(s, { command: 'TransactWriteItemsCommand', error: 'timeout', afterSend: true }, () =>
      wizard.complete(session),
    );
    const retried = await outcome(wizard.complete(session));

    // Assess: the retry of a lost answer gets the same 201 (complete is idempotent), and nothing twice
    expect(retried).toEqual({
      step: 'completed',
      username: 'Respuesta.Perdida',
      secondFactor: 'pending-activation',
    });
    expect(
      (await scanAll(tables.db, tables.names.users)).filter((i) => i.customerId === customerId),
    ).toHaveLength(1);
    expect(
      (await scanAll(tables.db, tables.names.outbox)).filter((i) => i.customerId === customerId),
    ).toHaveLength(1);
  });

  it('cancel: the transaction fails; the registration stays open with its reservation; the retry frees it', async () => {
    // Prepare
    const { s, wizard, customer } = await world();
    const session = await wizard.verified(customer);
    await wizard.username(session, 'Falla.Cancela');
    const before = await snapshot(tables);

    // Act
    await failsClosed(s, { command: 'TransactWriteItemsCommand' }, () => wizard.cancel(session));
    const afterFault = await snapshot(tables);
    await wizard.cancel(session);

    // Assess
    expect(afterFault).toEqual(before);
    expect((await s.registrations.get(session.registrationId))?.status).toBe('cancelled');
    expect(await s.users.usernameHolder('falla.cancela')).toBeUndefined();
  });
});

describe('SMS faults', () => {
  const sns = new SNSClient({ region: 'us-east-1' });
  const snsMock = mockClient(sns);
  let tables: TestTables;
  let n = 0;

  async function world(codes: number[]) {
    const clock = new FakeClock();
    const s = wire(tables, { clock, sms: new SnsSmsSender(sns), random: scriptedCodes(codes) });
    const customer = testCustomer(1_000 + ++n);
    await seed(s, [customer]);
    return { s, wizard: new Wizard(s), customer, clock };
  }

  const smsCodes = () =>
    snsMock.commandCalls(PublishCommand).map((call) => codeOf(String(call.args[0].input.Message)));

  beforeAll(async () => {
    tables = await freshTables('sms-faults');
  });

  beforeEach(() => {
    snsMock.reset();
  });

  it('a failing first SMS burns no send and leaves no usable code', async () => {
    // Prepare
    const { s, wizard, customer } = await world([111_111, 222_222]);
    const session = await wizard.start(customer.card);
    const registrationBefore = await s.registrations.get(session.registrationId);
    snsMock.on(PublishCommand).rejectsOnce(new Error('SNS is down')).resolves({ MessageId: 'm' });

    // Act
    const failed = wizard.sendOtp(session).then(
      () => undefined,
      (e: unknown) => e,
    );
    const error = await failed;
    const codeAfterFault = await s.codes.get(session.registrationId);
    const verifyUndelivered = await outcome(wizard.verify({ ...session }, '111111'));
    const resent = await wizard.sendOtp(session);
    const verifyUndeliveredLater = await outcome(wizard.verify({ ...session }, '111111'));

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(codeAfterFault).toBeUndefined();
    expect((await s.registrations.get(session.registrationId))?.step).toBe('enter-otp');
    expect(registrationBefore?.step).toBe('verify-contact');
    expect(verifyUndelivered).toBe('step_out_of_order');
    expect(resent).toMatchObject({ step: 'enter-otp', sendsLeft: 2 });
    expect(verifyUndeliveredLater).toBe('otp_invalid');
    expect(smsCodes()).toEqual(['111111', '222222']);
    await expect(wizard.verify(session, '222222')).resolves.toBeUndefined();
  });

  it('a failing resend restores the previous code exactly, and the next send is allowed at once', async () => {
    // Prepare
    const { s, wizard, customer, clock } = await world([333_333, 444_444, 555_555]);
    const session = await wizard.start(customer.card);
    snsMock
      .on(PublishCommand)
      .resolvesOnce({ MessageId: 'a' })
      .rejectsOnce(new Error('SNS is down'))
      .resolves({});
    await wizard.sendOtp(session);
    clock.advance(s.rules.otp.cooldownSeconds * 1000);
    const codeBefore = await getItem(tables.db, tables.names.codes, {
      registrationId: session.registrationId,
    });
    const limitsBefore = liveLimits(await scanAll(tables.db, tables.names.limits));

    // Act
    const error = await wizard.sendOtp(session).then(
      () => undefined,
      (e: unknown) => e,
    );
    const codeAfterFault = await getItem(tables.db, tables.names.codes, {
      registrationId: session.registrationId,
    });
    const limitsAfterFault = liveLimits(await scanAll(tables.db, tables.names.limits));
    const verifyUndelivered = await outcome(wizard.verify({ ...session }, '444444'));
    const resent = await wizard.sendOtp(session);

    // Assess
    expect(error).toBeInstanceOf(DependencyError);
    expect(codeAfterFault).toEqual(codeBefore);
    expect(limitsAfterFault).toEqual(limitsBefore);
    expect(verifyUndelivered).toBe('otp_invalid');
    expect(resent).toMatchObject({ sendsLeft: 1 });
    expect(smsCodes()).toEqual(['333333', '444444', '555555']);
    expect(await outcome(wizard.verify({ ...session }, '444444'))).toBe('otp_invalid');
    await expect(wizard.verify(session, '555555')).resolves.toBeUndefined();
  });
});

describe('email faults', () => {
  const ses = new SESClient({ region: 'us-east-1' });
  const sesMock = mockClient(ses);

  it('a failing delivery leaves the user created; the later retry sends the email exactly once', async () => {
    // Prepare
    const tables = await freshTables('email-faults');
    const clock = new FakeClock();
    const s = wire(tables, { clock, email: new SesEmailSender(ses, 'no-reply@produbanco.com.ec') });
    const customer = testCustomer(2_001);
    await seed(s, [customer]);
    const wizard = new Wizard(s);
    await wizard.complete(await wizard.atFinish(customer, 'Correo.Caido'));
    const [message] = await scanAll(tables.db, tables.names.outbox);
    const messageId = String(message?.messageId);
    sesMock.on(SendEmailCommand).rejectsOnce(new Error('SES throttled')).resolves({ MessageId: 'e-1' });

    // Act
    const failed = await outcome(wizard.deliver(messageId)).catch((e: unknown) => e);
    const afterFailure = await getItem(tables.db, tables.names.outbox, { messageId });
    clock.advance(5 * 60_000);
    const retried = await wizard.deliver(messageId);
    const duplicate = await wizard.deliver(messageId);

    // Assess
    expect(failed).toBeInstanceOf(DependencyError);
    expect(afterFailure).toMatchObject({ status: 'pending', attempts: 1 });
    expect(await s.users.customerHasUser(customer.record.customer.customerId)).toBe(true);
    expect(await s.users.usernameHolder('correo.caido')).toEqual({ kind: 'user' });
    expect(retried).toBe('sent');
    expect(duplicate).toBe('skipped');
    expect(await getItem(tables.db, tables.names.outbox, { messageId })).toMatchObject({ status: 'sent' });
    expect(sesMock).toHaveReceivedCommandTimes(SendEmailCommand, 2);
    expect(sesMock).toHaveReceivedCommandWith(SendEmailCommand, {
      Destination: { ToAddresses: [customer.record.customer.email] },
    });
  });
});
