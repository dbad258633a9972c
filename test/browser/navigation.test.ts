// Moving around the wizard as a customer does: the browser's Back and Forward, "Regresar" after step 1,
// cancelling through the in-page dialog, one title per screen, the page at 360 px, and what a 429 says.
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { challengeQuestions } from '../../lambdas/rules/catalog.ts';
import { NARROW } from './helpers/axe.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  alertText,
  chooseUsername,
  customers,
  expectScreen,
  heading,
  identify,
  PASSWORD,
  pressKeypad,
  readCode,
} from './helpers/wizard.ts';

const suite = useBrowserSuite();

/** The status of GET /v1/registrations/{id} with the registration the page keeps. */
const registrationStatus = (page: Page, saved: { id: string; token: string }) =>
  page.evaluate(async ({ id, token }) => {
    const res = await fetch(`/v1/registrations/${id}`, { headers: { Authorization: `Bearer ${token}` } });
    return res.status;
  }, saved);

const savedRegistration = (page: Page) =>
  page.evaluate(() => JSON.parse(sessionStorage.getItem('produbanco.registro') as string)) as Promise<{
    id: string;
    token: string;
  }>;

describe('back and forward inside the wizard', () => {
  it('"Regresar" from the contact screen keeps the registration and what was typed; Back goes one screen back', async () => {
    const page = await suite.browser.newPage();
    const c = customers.sofia;
    await page.goto(suite.stack.baseUrl);
    expect(await page.title()).toBe('Registro de usuario – Produbanco en línea');
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    const first = await savedRegistration(page);

    await page.getByRole('button', { name: 'Regresar' }).click();
    await expectScreen(page, 'Registro con tu tarjeta');
    expect(await page.getByLabel('Número de tarjeta').inputValue()).toBe(c.card.cardNumber);
    expect(await page.getByLabel('Año de expiración').inputValue()).toBe(String(c.card.expiryYear));
    expect(await page.locator('[data-keypad="pin"]').getAttribute('data-count')).toBe('0');
    expect(await registrationStatus(page, first)).toBe(200);

    // The browser's Back: one screen back, still in the wizard, the same registration.
    await page.goBack();
    await expectScreen(page, 'Verificación de datos de contacto');
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    await page.goBack();
    await expectScreen(page, 'Verificación de datos de contacto');
    await page.goForward();
    await expectScreen(page, 'Clave de seguridad temporal');
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    await pressKeypad(page, 'otp', code);
    await page.getByRole('button', { name: 'Aceptar' }).click();

    await chooseUsername(page, 'sofia.paredes');
    await expectScreen(page, 'Creación de clave');
    expect(await page.title()).toBe('Paso 2 de 6: Creación de clave – Produbanco en línea');
    await page.goBack();
    await expectScreen(page, 'Creación de usuario');
    // Before it, the code screen: a verified code cannot be entered again, so Back stays on Paso 1.
    await page.goBack();
    await expectScreen(page, 'Creación de usuario');
    expect(new URL(page.url()).origin).toBe(new URL(suite.stack.baseUrl).origin);
    await chooseUsername(page, 'sofia.paredes2');
    await expectScreen(page, 'Creación de clave');
    await page.close();
  });
});

describe('cancelling', () => {
  it('the questions screen has "Cancelar registro", confirmed in a labelled in-page dialog', async () => {
    const page = await suite.browser.newPage();
    const c = customers.diego;
    const nativeDialogs: string[] = [];
    page.on('dialog', (d) => {
      nativeDialogs.push(d.type());
      void d.dismiss();
    });
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, c.phone, since));
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await chooseUsername(page, 'diego.salazar');
    await expectScreen(page, 'Creación de clave');
    await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Clave de confirmación').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Selección de imagen');
    await page.locator('.tile-label', { hasText: 'Sol' }).click();
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Actualización de datos');
    await page.getByLabel('Teléfono domicilio').fill('022345678');
    await page.getByLabel('Teléfono trabajo').fill('0991234567');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Preguntas desafío');
    const saved = await savedRegistration(page);

    // At 360 px every question is shown whole: its text wraps inside the screen, none is clipped.
    await page.setViewportSize(NARROW);
    const clipped = await page.evaluate(() =>
      [...document.querySelectorAll('.question .checkbox label, select')].flatMap((el) => {
        const box = el.getBoundingClientRect();
        const tooWide = el.scrollWidth > el.clientWidth || box.right > window.innerWidth;
        return el instanceof HTMLSelectElement || tooWide ? [el.textContent?.slice(0, 60) ?? el.tagName] : [];
      }),
    );
    expect(clipped).toEqual([]);
    expect(await page.locator('.question .checkbox label').count()).toBe(challengeQuestions.length);

    const cancel = page.getByRole('button', { name: 'Cancelar registro' });
    await cancel.click();
    const dialog = page.getByRole('dialog', { name: '¿Cancelar tu registro?' });
    await dialog.waitFor();
    expect(await dialog.getAttribute('aria-describedby')).toBeTruthy();
    const focusedText = () => page.evaluate(() => document.activeElement?.textContent ?? '');
    const focusInDialog = () => page.evaluate(() => document.activeElement?.closest('dialog') !== null);
    expect(await focusedText()).toBe('No, continuar con mi registro');
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      expect(await focusInDialog()).toBe(true);
    }
    await page.keyboard.press('Escape');
    expect(await dialog.count()).toBe(0);
    expect(await focusedText()).toBe('Cancelar registro');
    expect(await registrationStatus(page, saved)).toBe(200);

    await cancel.click();
    await page.getByRole('button', { name: 'Sí, cancelar mi registro' }).click();
    await expectScreen(page, 'Registro de usuario');
    expect(await registrationStatus(page, saved)).toBe(401);
    expect(nativeDialogs).toEqual([]);
    await page.close();
  });
});

describe('at 360 px', () => {
  it('the Call Center number stays on one line', async () => {
    const page = await suite.browser.newPage();
    await page.setViewportSize(NARROW);
    await page.goto(suite.stack.baseUrl);
    await heading(page, 'Registro de usuario').waitFor();
    const phoneLines = await page.evaluate(() =>
      [...document.querySelectorAll('a[href^="tel:"]')].map((a) => a.getClientRects().length),
    );
    expect(phoneLines).toEqual([1]);
    await page.close();
  });
});

describe('limits', () => {
  it('a 429 says which limit it is and when to try again (reason and Retry-After)', async () => {
    const page = await suite.browser.newPage();
    await page.route('**/v1/registrations/*/otp', (route) =>
      route.fulfill({
        status: 429,
        headers: { 'Content-Type': 'application/problem+json', 'Retry-After': '1800' },
        body: JSON.stringify({ status: 429, code: 'rate_limited', reason: 'sends_per_phone', detail: 'x' }),
      }),
    );
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.jorge, 'virtual-key');
    await expectScreen(page, 'Verificación de datos de contacto');
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    expect(await alertText(page)).toBe(
      'Ya enviamos el máximo de claves temporales a tu celular en una hora. Podrás pedir otra en 30 minutos.',
    );
    await page.close();
  });
});
