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
  totp,
} from './helpers/wizard.ts';

const suite = useBrowserSuite();

async function phonePage(): Promise<Page> {
  const page = await suite.browser.newPage();
  await page.setViewportSize({ width: 360, height: 740 });
  return page;
}

const visibleText = async (page: Page): Promise<string> =>
  (await page.locator('main, body').first().innerText()) ?? '';

describe('the registration at 360 px', () => {
  it('Back after an empty submit on the image goes to Paso 2; the checklist, the words and the questions', async () => {
    const page = await phonePage();
    const c = customers.lucia;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    // «clave temporal», never "OTP" (item 16).
    expect(await visibleText(page)).not.toMatch(/\bOTP\b/);
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    expect(await visibleText(page)).not.toMatch(/\bOTP\b/);
    await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, c.phone, since));
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
    expect(await page.locator('.questions').innerText()).not.toMatch(/tu nombre|tu apellido/i);
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
