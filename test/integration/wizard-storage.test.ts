// The username steps through the real use cases on DynamoDB Local: a reservation follows the registration's
// choice, is taken over once its registration is dead, and is freed on cancel.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  defaultRules,
  FakeClock,
  freshTables,
  outcome,
  type Services,
  seed,
  type TestCustomer,
  testCustomer,
  Wizard,
  wire,
} from '../support/integration.ts';

describe('username reservations through the use cases', () => {
  let s: Services;
  let clock: FakeClock;
  let wizard: Wizard;
  let n = 0;

  async function customer(): Promise<TestCustomer> {
    const c = testCustomer(++n);
    await seed(s, [c]);
    return c;
  }

  beforeAll(async () => {
    clock = new FakeClock();
    s = wire(await freshTables('wizard'), {
      clock,
      rules: { ...defaultRules(), identifyPerIpPerMinute: 1_000 },
    });
    wizard = new Wizard(s);
  });

  it('a new choice frees the previous name; the same name in another case keeps its reservation', async () => {
    // Prepare
    const session = await wizard.verified(await customer());
    await wizard.username(session, 'nombre.uno');

    // Act
    await wizard.username(session, 'nombre.dos');
    const afterRename = await s.users.usernameHolder('nombre.uno');
    await wizard.username(session, 'NOMBRE.Dos');

    // Assess
    expect(afterRename).toBeUndefined();
    expect(await s.users.usernameHolder('nombre.dos')).toMatchObject({
      kind: 'reservation',
      registrationId: session.registrationId,
    });
    expect((await s.registrations.get(session.registrationId))?.username).toBe('NOMBRE.Dos');
  });

  it('a name held by a live registration is taken; once that registration is idle too long it is taken over', async () => {
    // Prepare
    const holder = await wizard.verified(await customer());
    await wizard.username(holder, 'Muy.Buscado');
    const taker = await wizard.verified(await customer());
    const whileAlive = await outcome(wizard.username(taker, 'muy.buscado'));

    // Act
    clock.advance(s.rules.session.idleSeconds * 1000);
    await s.registrations.touch(taker.registrationId, clock.now());
    const afterExpiry = await wizard.username(taker, 'muy.buscado');

    // Assess
    expect(whileAlive).toBe('username_taken');
    expect(afterExpiry).toEqual({ step: 'create-password' });
    expect(await s.users.usernameHolder('muy.buscado')).toMatchObject({
      registrationId: taker.registrationId,
    });
    expect(await outcome(wizard.password(holder))).toBe('session_invalid');
  });

  it('cancel frees the reservation for anyone else at once', async () => {
    // Prepare
    const first = await wizard.verified(await customer());
    await wizard.username(first, 'se.cancela');
    const second = await wizard.verified(await customer());

    // Act
    await wizard.cancel(first);
    const claimed = await wizard.username(second, 'Se.Cancela');

    // Assess
    expect(claimed).toEqual({ step: 'create-password' });
    expect(await s.users.usernameHolder('se.cancela')).toMatchObject({
      registrationId: second.registrationId,
    });
    expect(await outcome(wizard.username(first, 'otro.nombre'))).toBe('session_invalid');
  });

  it('a username of a completed user is taken for good', async () => {
    // Prepare
    await wizard.complete(await wizard.atFinish(await customer(), 'Ya.Usuario'));
    const session = await wizard.verified(await customer());

    // Act
    const result = await outcome(wizard.username(session, 'ya.usuario'));

    // Assess
    expect(result).toBe('username_taken');
    expect(await s.users.usernameHolder('ya.usuario')).toEqual({ kind: 'user' });
  });
});
