// What a new customer tripped over (issue 23, items 6 to 18), in the page against the local stack at 360 px:
// Back after an empty submit, the questions, the checklist, the words on screen, an existing user's advice,
// the activation's resend countdown, the QR screen on a phone, a token code already used, and a session the
// bank closed.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { ALREADY_REGISTERED_TEXT } from '../../web/src/messages.ts';
import { API_PASSWORD, registerThroughApi } from './helpers/recovery.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  alertText,
  chooseUsername,
  customers,
  expectScreen,
  identify,
  PASSWORD,
  pressKeypad,
  readCode,
  signIn,
  totp,
} from './helpers/wizard.ts';

// A short resend cooldown, so the activation can ask for a second SMS code without waiting 30 seconds.
const COOLDOWN_SECONDS = 4;
const suite = useBrowserSuite({ OTP_RESEND_COOLDOWN_SECONDS: String(COOLDOWN_SECONDS) });

async function phonePage(): Promise<Page> {
  const page = await suite.browser.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  return page;
}

const screenText = async (page: Page): Promise<string> => (await page.locator('body').textContent()) ?? '';

describe('the registration at 360 px', () => {
  it('Back after an empty submit on the image goes to Paso 2; the checklist, the words and the questions', async () => {
    const page = await phonePage();
    const c = customers.lucia;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    // «clave temporal», never "OTP" (item 16).
    expect(await screenText(page)).not.toMatch(/\bOTP\b/);
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    expect(await screenText(page)).not.toMatch(/\bOTP\b/);
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    // Item 18: the local stack's code screen links its SMS viewer, an HTML page when a browser asks.
    expect(await page.locator('[data-local-sms] a').getAttribute('href')).toBe('/_local/sms');
    const viewer = await page.request.get(`${suite.stack.baseUrl}/_local/sms`, {
      headers: { Accept: 'text/html,application/xhtml+xml' },
    });
    expect(viewer.headers()['content-type']).toMatch(/^text\/html/);
    expect(viewer.headers()['content-security-policy']).toContain("script-src 'self'");
    const html = await viewer.text();
    expect(html).toContain('<h1>SMS enviados (entorno local)</h1>');
    expect(html).toContain(code);
    await pressKeypad(page, 'otp', code);
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await chooseUsername(page, 'lucia.pages');

    await expectScreen(page, 'Creación de clave');
    // A card customer: the page does not know the cédula, and the password has no 10 digits in a row (item 14).
    await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Clave de confirmación').fill(PASSWORD);
    expect(await page.locator('[data-rule="cedula"]').getAttribute('class')).toBe('policy-ok');
    await page.getByRole('button', { name: 'Continuar' }).click();

    // Item 6: an empty submit, then the browser's Back, three times over: always the previous screen.
    for (let i = 0; i < 3; i++) {
      await expectScreen(page, 'Selección de imagen');
      await page.getByRole('button', { name: 'Continuar' }).click();
      expect(await alertText(page)).toBe('Revisa los datos marcados e inténtalo de nuevo.');
      await page.goBack();
      await expectScreen(page, 'Creación de clave');
      await page.goForward();
    }
    await expectScreen(page, 'Selección de imagen');
    await page.locator('.tile-label', { hasText: 'Llama' }).click();
    await page.getByRole('button', { name: 'Continuar' }).click();
    // «Regresar» from Paso 4 to the image, an empty submit, and the browser's Back: Paso 2, not Paso 4 again.
    await expectScreen(page, 'Actualización de datos');
    await page.getByRole('button', { name: 'Regresar' }).click();
    await expectScreen(page, 'Selección de imagen');
    await page.getByRole('button', { name: 'Continuar' }).click();
    expect(await alertText(page)).toBe('Revisa los datos marcados e inténtalo de nuevo.');
    await page.goBack();
    await expectScreen(page, 'Creación de clave');
    await page.goForward();
    await expectScreen(page, 'Selección de imagen');
    await page.goForward();
    await expectScreen(page, 'Actualización de datos');
    await page.getByLabel('Teléfono domicilio').fill('022345678');
    await page.getByLabel('Teléfono trabajo').fill('0991234567');
    await page.getByRole('button', { name: 'Continuar' }).click();

    // Item 12: three ticks, and a fourth is impossible (the other boxes are disabled until one is unticked).
    await expectScreen(page, 'Preguntas desafío');
    const boxes = page.locator('input[data-question]');
    expect(await boxes.count()).toBeGreaterThanOrEqual(6);
    expect(await page.locator('.questions').textContent()).not.toMatch(/tu nombre|tu apellido/i);
    for (let i = 0; i < 3; i++) await boxes.nth(i).check();
    expect(await boxes.nth(3).isDisabled()).toBe(true);
    await boxes.nth(3).click({ force: true });
    expect(await boxes.nth(3).isChecked()).toBe(false);
    expect(await page.locator('input[data-question]:checked').count()).toBe(3);
    await boxes.nth(0).uncheck();
    expect(await boxes.nth(3).isDisabled()).toBe(false);
    await page.close();
  });
});

describe('an existing user at 360 px', () => {
  it('who registers again gets one advice, with the recovery right under it (item 13)', async () => {
    const c = customers.marco;
    await registerThroughApi(suite.stack.baseUrl, c, 'marco.pages');
    const page = await phonePage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'virtual-key');
    expect(await alertText(page)).toBe(ALREADY_REGISTERED_TEXT);
    const help = page.locator('.alert + .notice-action');
    expect(await help.getByRole('button', { name: '¿Olvidaste tu usuario o clave?' }).count()).toBe(1);
    // One advice: not the API's "acércate a cualquier agencia" beside the self-service link.
    expect(await screenText(page)).not.toContain('si no cuentas con ellos');
    await page.close();
  });
});

/** From the activation's first screen to the QR screen: the SMS code to the phone on file, on the keypad. */
async function toScan(page: Page, phone: string): Promise<void> {
  await expectScreen(page, 'Activación del Token digital');
  const since = Date.now();
  await page.getByRole('button', { name: 'Enviar clave por SMS' }).click();
  await expectScreen(page, 'Clave de seguridad temporal');
  await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, phone, since));
  await page.getByRole('button', { name: 'Aceptar' }).click();
  await expectScreen(page, 'Escanea el código QR');
}

describe('the digital token at 360 px', () => {
  it('resend countdown, the QR screen on a phone, a code already used, and a session the bank closed', async () => {
    const c = customers.tomas;
    await registerThroughApi(suite.stack.baseUrl, c, 'tomas.pages');
    await suite.browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], {
      origin: suite.stack.baseUrl,
    });
    const page = await phonePage();
    await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await signIn(page, 'tomas.pages', API_PASSWORD, 'Te damos la bienvenida');

    // Item 7: «Reenviar clave» waits for resendAvailableAt, with a countdown, as in the registration.
    await page.getByRole('button', { name: 'Activación' }).click();
    await expectScreen(page, 'Activación del Token digital');
    expect(await screenText(page)).not.toMatch(/\bOTP\b/);
    const since = Date.now();
    await page.getByRole('button', { name: 'Enviar clave por SMS' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    const resend = page.getByRole('button', { name: 'Reenviar clave' });
    expect(await resend.isDisabled()).toBe(true);
    expect(await page.locator('#resend-info').textContent()).toMatch(
      /^Podrás pedir una nueva clave en 0:\d\d\.$/,
    );
    expect(await page.getByRole('navigation', { name: 'Ruta del menú' }).count()).toBe(1);
    expect(await screenText(page)).not.toMatch(/\bOTP\b/);
    await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, c.phone, since));
    await page.getByRole('button', { name: 'Aceptar' }).click();

    // Item 9: on a phone, the app link first, then the QR code and the key, copied in one tap.
    await expectScreen(page, 'Escanea el código QR');
    const open = page.getByRole('link', { name: 'Abrir en mi aplicación de autenticación' });
    expect(await open.isVisible()).toBe(true);
    expect(await open.getAttribute('href')).toMatch(
      /^otpauth:\/\/totp\/Produbanco:tomas\.pages\?secret=[A-Z2-7]+&/,
    );
    const above = await page.evaluate(() => {
      const link = document.querySelector('[data-open-app]');
      const qr = document.querySelector('img.qr');
      const key = document.querySelector('.secret');
      const precedes = (a: Node | null, b: Node | null) =>
        Boolean(a && b && a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING);
      return precedes(link, qr) && precedes(link, key);
    });
    expect(above).toBe(true);
    const secret = ((await page.locator('.secret').textContent()) ?? '').replace(/\s/g, '');
    await page.getByRole('button', { name: 'Copiar clave' }).click();
    await page.getByText('Clave copiada.').waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);

    // A reload says why the QR code is gone and what to do (no new SMS is sent by itself).
    const smsBefore = ((await (await fetch(`${suite.stack.baseUrl}/_local/sms`)).json()) as unknown[]).length;
    await page.reload();
    await expectScreen(page, 'Activación del Token digital');
    expect(await page.locator('.notice').textContent()).toMatch(
      /^Por tu seguridad, el código QR y la clave se muestran una sola vez .* al recargar la página ya no están\. Pide una nueva clave por SMS/,
    );
    const smsAfter = ((await (await fetch(`${suite.stack.baseUrl}/_local/sms`)).json()) as unknown[]).length;
    expect(smsAfter).toBe(smsBefore);

    // Activate with a fresh scan, then sign out and in at once: the code just used is refused as used, and
    // costs no attempt (item 8).
    await page.waitForTimeout(COOLDOWN_SECONDS * 1000);
    await toScan(page, c.phone);
    const fresh = ((await page.locator('.secret').textContent()) ?? '').replace(/\s/g, '');
    const used = totp(fresh, Date.now());
    await pressKeypad(page, 'otp', used);
    await page.getByRole('button', { name: 'Activar Token digital' }).click();
    await expectScreen(page, 'Te damos la bienvenida');
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await signIn(page, 'tomas.pages', API_PASSWORD, 'Token digital');
    for (let i = 0; i < 3; i++) {
      await page.locator('form:not([aria-busy])').waitFor();
      await pressKeypad(page, 'otp', used);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      expect(await alertText(page)).toBe(
        'Este código ya se usó. Espera el siguiente código de tu aplicación.',
      );
    }
    // Three tries were not used up: the app's next code signs in.
    await page.locator('form:not([aria-busy])').waitFor();
    await pressKeypad(page, 'otp', totp(fresh, Date.now() + 30_000));
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectScreen(page, 'Te damos la bienvenida');

    // Item 10: staff close every session; the page says it was for security, not for inactivity.
    const staff = (suite.stack as unknown as { agentUrl: string }).agentUrl;
    const revoked = await fetch(`${staff}/v1/customers/CUST-001/actions/revoke-sessions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'x-local-staff': 'ana.agente' },
      body: JSON.stringify({ reason: 'El cliente pidió cerrar sus sesiones por teléfono' }),
    });
    expect(revoked.status).toBe(200);
    await page.reload();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    const notice = (await page.locator('.notice').textContent()) ?? '';
    expect(notice).toMatch(/^Por tu seguridad cerramos tu sesión/);
    expect(notice).not.toMatch(/sin actividad/);
    await page.close();
  });
});
