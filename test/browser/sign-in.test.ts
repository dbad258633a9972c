// After the wizard: "Finalizar" → sign-in with the security image → the signed-in home → activation of the
// digital token (SMS code from the local outbox, TOTP computed here from the secret the page shows) → sign-out
// → sign-in with the token. Once by mouse, once by keyboard alone at 360 px.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../web/security-headers.ts';
import { viewShot } from './helpers/browser.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  alertText,
  customers,
  expectScreen,
  keyboardKeypad,
  PASSWORD,
  pressKeypad,
  readCode,
  register,
  signIn,
  tabTo,
  tabToButton,
  tabToField,
  totp,
} from './helpers/wizard.ts';

const suite = useBrowserSuite();

const sessionToken = (page: Page): Promise<string> =>
  page.evaluate(() => JSON.parse(sessionStorage.getItem('produbanco.ingreso') ?? '{}').session ?? '');

const emailsTo = async (address: string): Promise<{ subject: string; text: string }[]> =>
  (
    (await (await fetch(`${suite.stack.baseUrl}/_local/email`)).json()) as {
      to: string | string[];
      subject: string;
      text: string;
    }[]
  ).filter((m) => [m.to].flat().includes(address));

/** «Usuario» and «Clave» by mouse, up to the screen that follows the password. */
const signInByMouse = (page: Page, username: string, next: string) => signIn(page, username, PASSWORD, next);

async function noHorizontalScroll(page: Page): Promise<void> {
  expect(
    await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
  ).toBeLessThanOrEqual(0);
}

describe('sign-in and the digital token in the browser', () => {
  it('by mouse: Finalizar, sign-in with the image, activation, sign-out, sign-in with the token', async () => {
    const page = await suite.browser.newPage();
    const c = customers.sofia;
    await register(page, suite.stack.baseUrl, c, 'sofia.paredes');
    await page.getByRole('button', { name: 'Finalizar' }).click();

    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(new URL(page.url()).hash).toBe('#/ingresar');
    await page.getByLabel('Usuario').fill('Sofia.Paredes');
    await viewShot(page, 'docs-5-ingreso');
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Ingresa tu clave');
    await viewShot(page, 'docs-6-imagen-clave');
    const image = page.locator('.security-image img');
    expect(await image.getAttribute('alt')).toBe('Llama');
    expect(await image.getAttribute('src')).toBe('/images/security/llama.svg');
    expect(await image.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    expect(await page.locator('.security-image').textContent()).toContain(
      'Esta es tu imagen de seguridad. Si no la reconoces, no ingreses tu clave.',
    );
    await page.getByLabel('Clave', { exact: true }).fill('Una clave equivocada 1');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    expect(await alertText(page)).toBe(
      'El usuario o la clave no son correctos. Revísalos e inténtalo de nuevo.',
    );
    expect(await page.getByLabel('Clave', { exact: true }).getAttribute('aria-invalid')).toBe('true');
    await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();

    await expectScreen(page, 'Te damos la bienvenida');
    expect(await page.locator('[data-phone]').textContent()).toBe('xxxxxxx103');
    expect(await page.locator('[data-email]').textContent()).not.toBe('sofia.paredes@example.ec');
    expect(await page.locator('[data-second-factor]').textContent()).toMatch(/pendiente de activación/);
    expect(await page.getByRole('navigation', { name: 'Menú Principal' }).textContent()).toBe(
      'Menú PrincipalServicios BancariosSegundo Factor de SeguridadActivación',
    );
    await viewShot(page, 'docs-7-inicio');
    await page.getByRole('button', { name: 'Activación' }).click();

    await expectScreen(page, 'Activación del Token digital');
    expect(await page.getByRole('navigation', { name: 'Ruta del menú' }).textContent()).toBe(
      'Menú PrincipalServicios BancariosSegundo Factor de SeguridadActivación',
    );
    const since = Date.now();
    await page.getByRole('button', { name: 'Enviar clave por SMS' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    const sms = await readCode(suite.stack.baseUrl, c.phone, since);
    await pressKeypad(page, 'otp', sms);
    await page.getByRole('button', { name: 'Aceptar' }).click();

    await expectScreen(page, 'Escanea el código QR');
    const qr = page.locator('img.qr');
    expect(await qr.getAttribute('src')).toMatch(/^data:image\/svg\+xml;/);
    expect(await qr.evaluate((img) => (img as HTMLImageElement).naturalWidth)).toBeGreaterThan(0);
    const shown = (await page.locator('.secret').textContent()) ?? '';
    expect(shown).toMatch(/^([A-Z2-7]{4} )+[A-Z2-7]{1,4}$/);
    const secret = shown.replace(/\s/g, '');
    expect(secret).toHaveLength(32);
    await page.locator('.secret').scrollIntoViewIfNeeded();
    await viewShot(page, 'docs-8-qr');
    // A wrong code first: the page says how many tries are left.
    const good = totp(secret, Date.now());
    await pressKeypad(page, 'otp', good === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Activar Token digital' }).click();
    expect(await alertText(page)).toMatch(/^El código ingresado no es correcto\. Te quedan? \d intentos?\.$/);
    const emailsBefore = (await emailsTo('sofia.paredes@example.ec')).length;
    await pressKeypad(page, 'otp', totp(secret, Date.now()));
    await page.getByRole('button', { name: 'Activar Token digital' }).click();

    await expectScreen(page, 'Te damos la bienvenida');
    expect(await page.locator('.notice').textContent()).toMatch(/^Tu Token digital quedó activado/);
    expect(await page.locator('[data-second-factor]').textContent()).toBe('Token digital activo');
    await expect
      .poll(async () => (await emailsTo('sofia.paredes@example.ec')).length, { timeout: 15_000 })
      .toBe(emailsBefore + 1);
    const mail = (await emailsTo('sofia.paredes@example.ec')).at(-1);
    expect(`${mail?.subject} ${mail?.text}`).not.toContain(secret);

    const token = await sessionToken(page);
    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(await page.locator('.notice').textContent()).toBe(
      'Cerraste tu sesión. Gracias por usar Produbanco en línea.',
    );
    const after = await fetch(`${suite.stack.baseUrl}/v1/me`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(after.status).toBe(401);

    await signInByMouse(page, 'sofia.paredes', 'Token digital');
    // Wrong codes until the sign-in is used up: back to «Usuario», with the reason.
    const wrong = totp(secret, Date.now() + 30_000) === '000000' ? '111111' : '000000';
    await pressKeypad(page, 'otp', wrong);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    expect(await alertText(page)).toBe('El código ingresado no es correcto. Te quedan 2 intentos.');
    for (let i = 0; i < 2; i++) {
      await page.locator('form:not([aria-busy])').waitFor();
      await pressKeypad(page, 'otp', wrong);
      await page.getByRole('button', { name: 'Ingresar' }).click();
    }
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(await page.locator('.notice').textContent()).toBe(
      'Agotaste los intentos con el Token digital. Por tu seguridad, ingresa de nuevo tu usuario y clave.',
    );
    await signInByMouse(page, 'sofia.paredes', 'Token digital');
    // The next time step: the step used at activation may be the current one, and a step is accepted once.
    await pressKeypad(page, 'otp', totp(secret, Date.now() + 30_000));
    await viewShot(page, 'docs-9-token');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectScreen(page, 'Te damos la bienvenida');
    expect(await page.locator('[data-second-factor]').textContent()).toBe('Token digital activo');
    await page.close();
  });

  it('by keyboard alone at 360 px, with a reload that keeps the session', async () => {
    const page = await suite.browser.newPage();
    await page.setViewportSize({ width: 360, height: 740 });
    const c = customers.diego;
    await register(page, suite.stack.baseUrl, c, 'diego.salazar');
    await tabToButton(page, 'Finalizar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(await page.evaluate(() => document.activeElement?.tagName)).toBe('H1');
    await noHorizontalScroll(page);
    await tabToField(page, 'Usuario');
    await page.keyboard.type('diego.salazar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Ingresa tu clave');
    await noHorizontalScroll(page);
    await tabToField(page, 'Clave');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Te damos la bienvenida');
    await noHorizontalScroll(page);
    await page.reload();
    await expectScreen(page, 'Te damos la bienvenida');
    await tabToButton(page, 'Activación');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Activación del Token digital');
    await noHorizontalScroll(page);
    const since = Date.now();
    await tabToButton(page, 'Enviar clave por SMS');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Clave de seguridad temporal');
    await noHorizontalScroll(page);
    const sms = await readCode(suite.stack.baseUrl, c.phone, since);
    await tabTo(page, (f) => f.digit !== '');
    await keyboardKeypad(page, 'otp', sms);
    await tabToButton(page, 'Aceptar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Escanea el código QR');
    await noHorizontalScroll(page);
    const secret = ((await page.locator('.secret').textContent()) ?? '').replace(/\s/g, '');
    await tabTo(page, (f) => f.digit !== '');
    await keyboardKeypad(page, 'otp', totp(secret, Date.now()));
    await tabToButton(page, 'Activar Token digital');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Te damos la bienvenida');
    expect(await page.locator('[data-second-factor]').textContent()).toBe('Token digital activo');
    await tabToButton(page, 'Cerrar sesión');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await tabToField(page, 'Usuario');
    await page.keyboard.type('diego.salazar');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Ingresa tu clave');
    await tabToField(page, 'Clave');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Token digital');
    await noHorizontalScroll(page);
    await tabTo(page, (f) => f.digit !== '');
    await keyboardKeypad(page, 'otp', totp(secret, Date.now() + 30_000));
    await tabToButton(page, 'Ingresar');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Te damos la bienvenida');
    await page.close();
  });

  it('is reachable directly at /#/ingresar, and a locked user is told how long to wait', async () => {
    const page = await suite.browser.newPage();
    const res = await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
    expect(res?.status()).toBe(200);
    // The wizard's strict policy, unchanged: the QR code's data: image is the one thing it must allow.
    expect(res?.headers()['content-security-policy']).toBe(contentSecurityPolicy);
    expect(contentSecurityPolicy).toContain("img-src 'self' data:");
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(await page.locator('.site-title').textContent()).toBe('Produbanco en línea');
    expect(await page.title()).toBe('Ingreso a Produbanco en línea – Produbanco en línea');
    await page.getByRole('button', { name: 'Continuar' }).click();
    expect(await alertText(page)).toBe('Revisa los datos marcados e inténtalo de nuevo.');
    expect(await page.locator('.field-error:not([hidden])').textContent()).toBe('Ingresa tu usuario.');

    // An unknown name still gets an image (a decoy), and wrong passwords lock it like a real one.
    await page.getByLabel('Usuario').fill('nadie.registrado');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Ingresa tu clave');
    expect(await page.locator('.security-image img').getAttribute('src')).toMatch(
      /^\/images\/security\/[a-z]+\.svg$/,
    );
    let text = '';
    for (let i = 0; i < 10 && !text.startsWith('Por tu seguridad'); i++) {
      await page.getByLabel('Clave', { exact: true }).fill(`Intento ${i} equivocado`);
      await page.getByRole('button', { name: 'Ingresar' }).click();
      await page.locator('form:not([aria-busy])').waitFor();
      text = await alertText(page);
    }
    expect(text).toMatch(
      /^Por tu seguridad, bloqueamos el ingreso con este usuario .* Podrás intentarlo de nuevo en \d+ minutos\.$/,
    );

    // A session the API no longer knows (expired, or closed elsewhere) sends the customer back with the reason.
    await page.evaluate(() =>
      sessionStorage.setItem('produbanco.ingreso', JSON.stringify({ session: 'x'.repeat(43) })),
    );
    await page.reload();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(await page.locator('.notice').textContent()).toMatch(/^Tu sesión terminó/);
    expect(await page.evaluate(() => sessionStorage.getItem('produbanco.ingreso'))).toBeNull();

    await page.getByLabel('Usuario').fill('nadie.registrado');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Ingresa tu clave');
    await page.getByRole('button', { name: 'No es mi usuario' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await page.getByRole('button', { name: 'Regístrate aquí' }).click();
    await expectScreen(page, 'Registro de usuario');
    expect(new URL(page.url()).hash).toBe('');
    // ...and the registration's first screen leads back to sign-in, for a customer who has a user already.
    await page.getByRole('button', { name: 'Ingresa aquí' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    expect(new URL(page.url()).hash).toBe('#/ingresar');
    await page.close();
  });
});
