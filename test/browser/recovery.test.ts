// «¿Olvidaste tu usuario o clave?» in the browser, against the local stack: a customer registered through the
// API (with the digital token active) follows the link from the sign-in, identifies with step 1's form,
// enters the SMS code, sees the username, sets a new password (turning the lost phone's token off), and signs
// in with it; a locked customer finds the link under the lock message and keeps the token; a customer without
// a user is sent to the registration, and one with a user, from the registration to the recovery; the whole
// recovery works by keyboard alone at 360 px; and axe finds no violation on any recovery screen.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { audit } from './helpers/axe.ts';
import { openBrowser, viewShot } from './helpers/browser.ts';
import { API_PASSWORD, registerThroughApi } from './helpers/recovery.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  alertText,
  customers,
  expectScreen,
  fillIdentification,
  identify,
  keyboardKeypad,
  pressKeypad,
  readCode,
  signIn,
  type TestCustomer,
  tabTo,
  tabToButton,
  tabToField,
  totp,
} from './helpers/wizard.ts';

// A held token reset (rule 54) ends within the test here: 4 s, long enough to see that nothing changed yet.
const HOLD_SECONDS = 4;
const suite = useBrowserSuite({ TOKEN_RESET_HOLD_SECONDS: String(HOLD_SECONDS) });

const NEW_PASSWORD = 'Mi nueva frase de acceso 2027';
const FORGOT = '¿Olvidaste tu usuario o clave?';

const emailsTo = async (address: string): Promise<{ subject: string; text: string }[]> =>
  (
    (await (await fetch(`${suite.stack.baseUrl}/_local/email`)).json()) as {
      to: string | string[];
      subject: string;
      text: string;
    }[]
  ).filter((m) => [m.to].flat().includes(address));

/** «Usuario», then «Ingresa tu clave» with the security image. */
async function toPasswordScreen(page: Page, username: string): Promise<void> {
  await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
  await expectScreen(page, 'Ingreso a Produbanco en línea');
  await page.getByLabel('Usuario').fill(username);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expectScreen(page, 'Ingresa tu clave');
}

/** From «Recupera tu acceso»: step 1's form with the customer's card (or virtual key). */
async function identifyForRecovery(page: Page, c: TestCustomer): Promise<void> {
  await expectScreen(page, 'Recupera tu acceso');
  expect(new URL(page.url()).hash).toBe('#/recuperar');
  const kind = c.card ? 'card' : 'virtual-key';
  await fillIdentification(page, c, kind);
  await pressKeypad(page, 'pin', (c.card ?? c.virtualKey)?.pin ?? '');
  await page.getByRole('button', { name: 'Continuar' }).click();
}

/** «Enviar clave temporal», the code from the outbox, «Aceptar». */
async function passRecoveryCode(page: Page, c: TestCustomer): Promise<void> {
  await expectScreen(page, 'Confirma que eres tú');
  const since = Date.now();
  await page.getByRole('button', { name: 'Enviar clave temporal' }).click();
  await expectScreen(page, 'Clave de seguridad temporal');
  await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, c.phone, since));
  await page.getByRole('button', { name: 'Aceptar' }).click();
}

async function newPassword(page: Page, token?: 'Conservar' | 'Desactivar'): Promise<void> {
  await page.getByLabel('Clave', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Clave de confirmación').fill(NEW_PASSWORD);
  if (token) await page.getByLabel(new RegExp(`^${token} mi token digital`)).check();
  await page.getByRole('button', { name: 'Cambiar clave' }).click();
}

describe('recovery of access in the browser', () => {
  it('from the password screen: identify, code, username and new password, token turned off, sign in', async () => {
    const page = await suite.browser.newPage();
    const c = customers.lucia;
    const { session } = await registerThroughApi(suite.stack.baseUrl, c, 'lucia.andrade', {
      activateToken: true,
    });

    await toPasswordScreen(page, 'lucia.andrade');
    await page.getByRole('button', { name: FORGOT }).click();
    await identifyForRecovery(page, c);

    await expectScreen(page, 'Confirma que eres tú');
    // Before the SMS: where the code goes, and that a replacement SIM with the same number receives it.
    expect(await page.locator('.screen').textContent()).toContain(
      'Si perdiste tu teléfono, te llega igual a un chip de reemplazo con el mismo número.',
    );
    expect(await page.locator('[data-contact="phone"]').textContent()).toBe('xxxxxxx101');
    expect(await page.locator('[data-contact="email"]').textContent()).not.toBe('lucia.andrade@example.ec');
    const since = Date.now();
    await page.getByRole('button', { name: 'Enviar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    // A wrong code first: the registration's message, with the attempts left.
    await pressKeypad(page, 'otp', code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Aceptar' }).click();
    expect(await alertText(page)).toMatch(/^La clave ingresada no es correcta\. Te quedan? \d intentos?\.$/);
    await page.locator('form:not([aria-busy])').waitFor();
    await pressKeypad(page, 'otp', code);
    await page.getByRole('button', { name: 'Aceptar' }).click();

    await expectScreen(page, 'Crea tu nueva clave');
    expect(await page.locator('.lead .username').textContent()).toBe('lucia.andrade');
    // A reload resumes here (GET /v1/recoveries/{id}), the username still shown.
    await page.reload();
    await expectScreen(page, 'Crea tu nueva clave');
    expect(await page.locator('.notice').textContent()).toBe('Continuamos donde lo dejaste.');
    expect(await page.locator('.lead .username').textContent()).toBe('lucia.andrade');
    // Step 5's checklist, live: the username inside the password fails its line.
    await page.getByLabel('Clave', { exact: true }).fill('soy lucia.andrade de Quito');
    expect(await page.locator('[data-rule="username"]').getAttribute('class')).toBe('policy-bad');
    // The token must be chosen when it is active.
    await page.getByLabel('Clave', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Clave de confirmación').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Cambiar clave' }).click();
    expect(await alertText(page)).toBe('Revisa los datos marcados e inténtalo de nuevo.');
    expect(await page.locator('.field-error:not([hidden])').textContent()).toBe(
      'Elige si conservas o desactivas tu Token digital.',
    );
    const emailsBefore = (await emailsTo('lucia.andrade@example.ec')).length;
    await viewShot(page, 'recovery-new-password');
    await newPassword(page, 'Desactivar');

    // The token was active: the change is held (rule 54), and the screen says when it applies.
    await expectScreen(page, 'Tu cambio está en espera');
    const until = (await page.locator('[data-hold-until]').getAttribute('data-hold-until')) ?? '';
    expect(Date.parse(until) - Date.now()).toBeLessThanOrEqual(HOLD_SECONDS * 1000);
    const held = (await page.locator('.screen').textContent()) ?? '';
    expect(held).toMatch(/Tu cambio se aplicará el \d{1,2} de \w+ a las \d{2}:\d{2} \(hora de Ecuador\)\./);
    expect(held).toContain('siguen funcionando');
    expect(held).toContain('«No fui yo»');
    await viewShot(page, 'recovery-on-hold');
    // A reload keeps the held screen.
    await page.reload();
    await expectScreen(page, 'Tu cambio está en espera');
    await expect
      .poll(async () => (await emailsTo('lucia.andrade@example.ec')).length, { timeout: 15_000 })
      .toBeGreaterThan(emailsBefore);
    // When the hold ends the local sweep applies it: every open session was closed.
    await expect
      .poll(
        async () =>
          (await fetch(`${suite.stack.baseUrl}/v1/me`, { headers: { Authorization: `Bearer ${session}` } }))
            .status,
        { timeout: 30_000, interval: 500 },
      )
      .toBe(401);

    await page.getByRole('button', { name: 'Ir al ingreso' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(new URL(page.url()).hash).toBe('#/ingresar');
    // The old password no longer opens; the new one does, without the token that was turned off.
    await page.getByLabel('Usuario').fill('lucia.andrade');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Ingresa tu clave');
    await page.getByLabel('Clave', { exact: true }).fill(API_PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    expect(await alertText(page)).toBe(
      'El usuario o la clave no son correctos. Revísalos e inténtalo de nuevo.',
    );
    await page.getByLabel('Clave', { exact: true }).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectScreen(page, 'Te damos la bienvenida');
    expect(await page.locator('[data-second-factor]').textContent()).not.toBe('Token digital activo');
    expect(
      await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('recupera'))),
    ).toEqual([]);
    await page.close();
  });

  it('a locked customer finds the link under the lock message, recovers and keeps the token', async () => {
    const page = await suite.browser.newPage();
    const c = customers.elena;
    const { secret } = await registerThroughApi(suite.stack.baseUrl, c, 'elena.cabrera', {
      activateToken: true,
    });
    await toPasswordScreen(page, 'elena.cabrera');
    let text = '';
    for (let i = 0; i < 10 && !text.startsWith('Por tu seguridad'); i++) {
      await page.getByLabel('Clave', { exact: true }).fill(`Intento ${i} equivocado`);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.locator('form:not([aria-busy])').waitFor();
      text = await alertText(page);
    }
    expect(text).toMatch(/^Por tu seguridad, bloqueamos el ingreso con este usuario/);
    // The way back sits right under the lock message.
    const help = page.locator('.alert + .notice-action');
    expect(await help.textContent()).toBe(`Si olvidaste tu clave, puedes crear una nueva ahora: ${FORGOT}`);
    await help.getByRole('button', { name: FORGOT }).click();

    await identifyForRecovery(page, c);
    await passRecoveryCode(page, c);
    await expectScreen(page, 'Crea tu nueva clave');
    expect(await page.locator('.lead .username').textContent()).toBe('elena.cabrera');
    await newPassword(page, 'Conservar');
    await expectScreen(page, 'Listo. Tu clave fue cambiada.');
    expect(await page.locator('[data-token-reset]').count()).toBe(0);
    await page.getByRole('button', { name: 'Ingresar' }).click();

    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await signIn(page, 'elena.cabrera', NEW_PASSWORD, 'Token digital');
    // The activation used the current 30-second step; the next one is accepted too.
    await pressKeypad(page, 'otp', totp(secret as string, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectScreen(page, 'Te damos la bienvenida');
    expect(await page.locator('[data-second-factor]').textContent()).toBe('Token digital activo');
    await page.close();
  });

  it('a customer without a user is sent to the registration; cancelling closes the recovery', async () => {
    const page = await suite.browser.newPage();
    await page.goto(`${suite.stack.baseUrl}/#/recuperar`);
    await identifyForRecovery(page, customers.marco);
    expect(await alertText(page)).toMatch(/^Aún no tienes un usuario de .*Regístrate primero/);
    // «Regístrate aquí» right under the message.
    expect(await page.locator('.alert + .notice-action').textContent()).toBe('Regístrate aquí');
    await page.getByRole('button', { name: 'Regístrate aquí' }).click();
    await expectScreen(page, 'Registro de usuario');
    expect(new URL(page.url()).hash).toBe('');

    // A registered customer who tries to register again is offered the recovery under the advice; they start
    // one, then cancel it: its token dies, the sign-in says so.
    const c = customers.raul;
    await registerThroughApi(suite.stack.baseUrl, c, 'raul.mena');
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await alertText(page);
    await page.locator('.alert + .notice-action').getByRole('button', { name: FORGOT }).click();
    await identifyForRecovery(page, c);
    await expectScreen(page, 'Confirma que eres tú');
    // A reload resumes at the contact screen, the masked phone still shown.
    await page.reload();
    await expectScreen(page, 'Confirma que eres tú');
    expect(await page.locator('.notice').textContent()).toBe('Continuamos donde lo dejaste.');
    expect(await page.locator('[data-contact="phone"]').textContent()).toBe('xxxxxxx108');
    const saved = await page.evaluate(() =>
      JSON.parse(sessionStorage.getItem('produbanco.recuperacion') ?? '{}'),
    );
    expect(saved.id).toEqual(expect.any(String));
    await page.getByRole('button', { name: 'Cancelar recuperación' }).click();
    await page.getByRole('dialog', { name: '¿Cancelar la recuperación de tu acceso?' }).waitFor();
    await page.getByRole('button', { name: 'Sí, cancelar la recuperación' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(await page.locator('.notice').textContent()).toBe(
      'Cancelaste la recuperación de tu acceso. Tu usuario y tu clave no cambiaron.',
    );
    const after = await fetch(`${suite.stack.baseUrl}/v1/recoveries/${saved.id}`, {
      headers: { Authorization: `Bearer ${saved.token}` },
    });
    expect(after.status).toBe(401);
    await page.close();
  });
});

describe('recovery of access by keyboard alone', () => {
  it('at 360 px, with a virtual key and no active token (no token choice asked)', async () => {
    const page = await suite.browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    const noScroll = async () =>
      expect(
        await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
      ).toBeLessThanOrEqual(0);
    const c = customers.paula;
    await registerThroughApi(suite.stack.baseUrl, c, 'paula.rios');
    await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await tabToField(page, 'Usuario');
    await page.keyboard.type('paula.rios');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Ingresa tu clave');
    await tabToButton(page, FORGOT);
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Recupera tu acceso');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await noScroll();
    await tabTo(page, (f) => f.tag === 'button' && f.text.startsWith('Con tu clave virtual'));
    await page.keyboard.press('Enter');
    await tabToField(page, 'Número de cédula');
    await page.keyboard.type(c.virtualKey.cedula);
    await tabTo(page, (f) => f.digit !== '');
    await keyboardKeypad(page, 'pin', c.virtualKey.pin);
    await tabToButton(page, 'Continuar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Confirma que eres tú');
    await noScroll();
    const since = Date.now();
    await tabToButton(page, 'Enviar clave temporal');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Clave de seguridad temporal');
    await noScroll();
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    await tabTo(page, (f) => f.digit !== '');
    await keyboardKeypad(page, 'otp', code);
    await tabToButton(page, 'Aceptar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Crea tu nueva clave');
    await noScroll();
    expect(await page.locator('.lead .username').textContent()).toBe('paula.rios');
    expect(await page.getByRole('group', { name: 'Tu Token digital' }).count()).toBe(0);
    await tabToField(page, 'Clave');
    await page.keyboard.type(NEW_PASSWORD);
    await tabToField(page, 'Clave de confirmación');
    await page.keyboard.type(NEW_PASSWORD);
    await tabToButton(page, 'Cambiar clave');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Listo. Tu clave fue cambiada.');
    await noScroll();
    expect(await page.locator('[data-token-reset]').count()).toBe(0);
    await tabToButton(page, 'Ingresar');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await tabToField(page, 'Usuario');
    await page.keyboard.type('paula.rios');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Ingresa tu clave');
    await tabToField(page, 'Clave');
    await page.keyboard.type(NEW_PASSWORD);
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Te damos la bienvenida');
    await page.close();
  });
});

describe('every recovery screen passes axe on desktop and at 360 px', () => {
  it('from the digital-token screen to the end, errors and the cancel dialog included', async () => {
    // The page's CSP rightly blocks the script axe injects: this browser bypasses it, the others keep it.
    const browser = await openBrowser(undefined, { bypassCSP: true });
    try {
      const page = browser.page;
      const c = customers.diego;
      await registerThroughApi(suite.stack.baseUrl, c, 'diego.salazar', { activateToken: true });
      await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
      await expectScreen(page, 'Ingreso a Produbanco en línea');
      await signIn(page, 'diego.salazar', API_PASSWORD, 'Token digital');
      await audit(page, 'sign-in-token-with-link');
      await page.getByRole('button', { name: FORGOT }).click();

      await expectScreen(page, 'Recupera tu acceso');
      await audit(page, 'recovery-start');
      for (const kind of ['company', 'virtual-key'] as const) {
        await page.locator(`button[data-kind="${kind}"]`).click();
        await page.getByRole('button', { name: 'Continuar' }).waitFor();
        await audit(page, `recovery-identify-${kind}`);
        await page.getByRole('button', { name: 'Regresar' }).click();
        await page.locator('button[data-kind="card"]').waitFor();
      }
      await fillIdentification(page, c, 'card');
      await page.getByRole('button', { name: 'Continuar' }).click();
      await alertText(page);
      await audit(page, 'recovery-identify-card-errors');
      await pressKeypad(page, 'pin', c.card.pin);
      await page.getByRole('button', { name: 'Continuar' }).click();

      await expectScreen(page, 'Confirma que eres tú');
      await audit(page, 'recovery-contact');
      await page.getByRole('button', { name: 'Cancelar recuperación' }).click();
      await page.getByRole('dialog', { name: '¿Cancelar la recuperación de tu acceso?' }).waitFor();
      await audit(page, 'recovery-cancel-dialog');
      await page.keyboard.press('Escape');
      const since = Date.now();
      await page.getByRole('button', { name: 'Enviar clave temporal' }).click();
      await expectScreen(page, 'Clave de seguridad temporal');
      await audit(page, 'recovery-code');
      const code = await readCode(suite.stack.baseUrl, c.phone, since);
      await pressKeypad(page, 'otp', code === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Aceptar' }).click();
      await alertText(page);
      await audit(page, 'recovery-code-error');
      await page.locator('form:not([aria-busy])').waitFor();
      await pressKeypad(page, 'otp', code);
      await page.getByRole('button', { name: 'Aceptar' }).click();

      await expectScreen(page, 'Crea tu nueva clave');
      const { id } = await page.evaluate(() =>
        JSON.parse(sessionStorage.getItem('produbanco.recuperacion') ?? '{}'),
      );
      await audit(page, 'recovery-new-password');
      await page.getByLabel('Clave', { exact: true }).fill('password123456');
      await page.getByRole('button', { name: 'Cambiar clave' }).click();
      await alertText(page);
      await audit(page, 'recovery-new-password-errors');
      await newPassword(page, 'Desactivar');
      await expectScreen(page, 'Tu cambio está en espera');
      await audit(page, 'recovery-on-hold');

      // Following a link to the address it is on keeps the screen.
      await page.goto(`${suite.stack.baseUrl}/#/recuperar`);
      await expectScreen(page, 'Tu cambio está en espera');
      // An expired recovery: a token the API no longer knows (this one ended with the change).
      await page.evaluate(
        (saved) => sessionStorage.setItem('produbanco.recuperacion', JSON.stringify(saved)),
        { id, token: 'x'.repeat(43) },
      );
      await page.reload();
      await expectScreen(page, 'Tu recuperación expiró');
      await audit(page, 'recovery-expired');
      await page.getByRole('button', { name: 'Empezar de nuevo' }).click();
      await expectScreen(page, 'Recupera tu acceso');
      expect(browser.problems).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
