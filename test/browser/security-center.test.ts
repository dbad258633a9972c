// The customer's security center in the browser, against the local stack: «Seguridad» from the signed-in home
// (sessions with «Cerrar» and «Cerrar sesión en los demás dispositivos», «Cambiar clave», «Actividad
// reciente»), the device token this browser keeps, and the «No fui yo» page from a security email's link.
// axe on every screen at desktop and 360 px; the «No fui yo» page and the sessions by keyboard alone.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { signIn as apiSignIn } from '../support/api-client.ts';
import { audit, NARROW } from './helpers/axe.ts';
import { shot } from './helpers/browser.ts';
import { API_PASSWORD, registerThroughApi } from './helpers/recovery.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import { alertText, customers, expectScreen, tabToButton, tabToField } from './helpers/wizard.ts';

// The page's CSP rightly blocks the script axe injects: this suite's browser bypasses it.
const suite = useBrowserSuite({}, { bypassCSP: true });

const NEW_PASSWORD = 'Mi clave del centro de seguridad 2027';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36';

const me = async (token: string) =>
  (await fetch(`${suite.stack.baseUrl}/v1/me`, { headers: { Authorization: `Bearer ${token}` } })).status;

/** The «No fui yo» token of the newest email to this address with this subject. */
async function reportLink(address: string, subject: string): Promise<string> {
  let token: string | undefined;
  await expect
    .poll(
      async () => {
        const mails = (await (await fetch(`${suite.stack.baseUrl}/_local/email`)).json()) as {
          to: string;
          subject: string;
          text: string;
        }[];
        const mail = mails.filter((m) => m.to.includes(address) && m.subject.includes(subject)).at(-1);
        token = /#\/no-fui-yo\/([A-Za-z0-9_-]{43})/.exec(mail?.text ?? '')?.[1];
        return token !== undefined;
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  return token as string;
}

async function signInByMouse(page: Page, username: string): Promise<void> {
  await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
  await expectScreen(page, 'Ingreso a Produbanco en línea');
  await page.getByLabel('Usuario').fill(username);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expectScreen(page, 'Ingresa tu clave');
  await page.getByLabel('Clave', { exact: true }).fill(API_PASSWORD);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await expectScreen(page, 'Te damos la bienvenida');
}

describe('«Seguridad» in the signed-in home', () => {
  it('sessions, Cerrar, Cambiar clave and Actividad reciente; this browser keeps its device token', async () => {
    const page = await suite.browser.newPage();
    const { api } = await registerThroughApi(suite.stack.baseUrl, customers.tomas, 'tomas.mateos');
    const phone = (await apiSignIn(api, 'tomas.mateos', API_PASSWORD, { userAgent: ANDROID })).answer.body
      .session.token as string;

    await signInByMouse(page, 'tomas.mateos');
    const kept = await page.evaluate(() =>
      JSON.parse(localStorage.getItem('produbanco.dispositivo') ?? '{}'),
    );
    expect(kept['tomas.mateos']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    await page.getByRole('button', { name: 'Seguridad: sesiones, clave y actividad' }).click();
    await expectScreen(page, 'Seguridad');
    await audit(page, 'security');
    await shot(page, 'security-center');
    const sessions = page.locator('.sessions li');
    expect(await sessions.count()).toBe(2);
    expect(await page.locator('.sessions li', { hasText: '(esta sesión)' }).count()).toBe(1);
    expect(await page.locator('.sessions').textContent()).toContain('Chrome en Android');

    await page.getByRole('button', { name: 'Cerrar la sesión de Chrome en Android' }).click();
    await expectScreen(page, 'Seguridad');
    expect(await page.locator('.notice').textContent()).toBe('Cerramos la sesión de Chrome en Android.');
    expect(await me(phone)).toBe(401);
    expect(await sessions.count()).toBe(1);

    // Cambiar clave: a wrong current password is said at its field; then the change.
    await page.getByLabel('Clave actual').fill('No es mi clave actual 1');
    await page.getByLabel('Clave', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Clave de confirmación').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Cambiar clave' }).click();
    expect(await alertText(page)).toBe(
      'El usuario o la clave no son correctos. Revísalos e inténtalo de nuevo.',
    );
    expect(await page.getByLabel('Clave actual').getAttribute('aria-invalid')).toBe('true');
    await audit(page, 'security-password-error');
    await page.getByLabel('Clave actual').fill(API_PASSWORD);
    await page.getByRole('button', { name: 'Cambiar clave' }).click();
    await page.locator('.notice', { hasText: /^Cambiaste tu clave\./ }).waitFor({ timeout: 30_000 });
    const activity = (await page.locator('.activity').textContent()) ?? '';
    expect(activity).toContain('Cambio de clave');
    expect(activity).toContain('Ingreso a Produbanco en línea desde un dispositivo nuevo');
    // The session this page holds lives on; the new password is the one that signs in.
    expect((await apiSignIn(api, 'tomas.mateos', NEW_PASSWORD)).answer.status).toBe(200);
    await page.getByRole('button', { name: 'Regresar' }).click();
    await expectScreen(page, 'Te damos la bienvenida');
    await page.close();
  });

  it('by keyboard alone at 360 px: Seguridad, then «Cerrar sesión en los demás dispositivos»', async () => {
    const page = await suite.browser.newPage();
    await page.setViewportSize(NARROW);
    const { api } = await registerThroughApi(suite.stack.baseUrl, customers.marco, 'marco.vera');
    const other = (await apiSignIn(api, 'marco.vera', API_PASSWORD)).answer.body.session.token as string;

    await page.goto(`${suite.stack.baseUrl}/#/ingresar`);
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await tabToField(page, 'Usuario');
    await page.keyboard.type('marco.vera');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Ingresa tu clave');
    await tabToField(page, 'Clave');
    await page.keyboard.type(API_PASSWORD);
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Te damos la bienvenida');
    await tabToButton(page, 'Seguridad: sesiones, clave y actividad');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Seguridad');
    await tabToButton(page, 'Cerrar sesión en los demás dispositivos');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Seguridad');
    expect(await page.locator('.notice').textContent()).toBe('Cerramos 1 sesión en otro dispositivo.');
    expect(await me(other)).toBe(401);
    expect(
      await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth),
    ).toBeLessThanOrEqual(0);
    await page.close();
  });
});

describe('«No fui yo» from a security email', () => {
  it('by keyboard alone at 360 px: the page says what freezing does, freezes on the button, and the link is spent', async () => {
    const page = await suite.browser.newPage();
    await page.setViewportSize(NARROW);
    const { api } = await registerThroughApi(suite.stack.baseUrl, customers.sofia, 'sofia.paredes');
    const session = (await apiSignIn(api, 'sofia.paredes', API_PASSWORD)).answer.body.session.token as string;
    const token = await reportLink('sofia.paredes@example.ec', 'Nuevo inicio de sesión');

    await page.goto(`${suite.stack.baseUrl}/#/no-fui-yo/${token}`);
    await expectScreen(page, '¿No reconoces esta actividad?');
    expect(await page.locator('.site-title').textContent()).toBe('Produbanco en línea');
    // Opening the link froze nothing (a mail scanner may open it too).
    expect(await me(session)).toBe(200);
    await audit(page, 'no-fui-yo');
    await shot(page, 'no-fui-yo');
    await tabToButton(page, 'Bloquear mi acceso');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Bloqueamos tu acceso');
    await audit(page, 'no-fui-yo-done');
    expect(new URL(page.url()).hash).toBe('');
    expect(await me(session)).toBe(401);
    const refused = await apiSignIn(api, 'sofia.paredes', API_PASSWORD);
    expect(refused.answer.status).toBe(403);

    // The same link again: said plainly, nothing else happens.
    await page.goto(`${suite.stack.baseUrl}/#/no-fui-yo/${token}`);
    await expectScreen(page, '¿No reconoces esta actividad?');
    await tabToButton(page, 'Bloquear mi acceso');
    await page.keyboard.press('Enter');
    expect(await alertText(page)).toMatch(/^Este enlace ya se usó, venció o no es válido\./);
    await audit(page, 'no-fui-yo-spent');
    await page.close();
  });
});
