// The whole wizard for each credential of the guide (card, company, virtual key), and once by keyboard only.
import { describe, expect, it } from 'vitest';
import { shot, viewShot } from './helpers/browser.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  chooseUsername,
  customers,
  expectScreen,
  fillIdentification,
  finishProfile,
  identify,
  keyboardKeypad,
  PASSWORD,
  passOtp,
  pressKeypad,
  readCode,
  tabTo,
  tabToButton,
  tabToField,
} from './helpers/wizard.ts';

const suite = useBrowserSuite();

describe('the whole wizard', () => {
  it('registers a person with a card and the digital token', async () => {
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await expectScreen(page, 'Registro de usuario');
    await shot(page, 'card-01-choice');
    const c = customers.tomas;
    await fillIdentification(page, c, 'card');
    await pressKeypad(page, 'pin', c.card.pin.slice(0, 2));
    await page.getByLabel('Número de tarjeta').focus();
    await viewShot(page, 'docs-1-card');
    await pressKeypad(page, 'pin', c.card.pin.slice(2));
    await page.getByRole('button', { name: 'Registrarse ahora' }).click();
    await expectScreen(page, 'Verificación de datos de contacto');
    expect(await page.locator('[data-contact="phone"]').textContent()).toBe('xxxxxxx190');
    expect(await page.locator('[data-contact="email"]').textContent()).toMatch(/^tm\*+os@example\.com$/);
    await shot(page, 'card-02-contact');
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    await pressKeypad(page, 'otp', code.slice(0, 3));
    await page.locator('.timer').scrollIntoViewIfNeeded();
    await viewShot(page, 'docs-2-otp');
    await pressKeypad(page, 'otp', code.slice(3));
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await chooseUsername(page, 'tmateos.2026');
    await finishProfile(page, {
      smartphone: true,
      onScreen: async (name) => {
        await shot(page, `card-03-${name}`);
        if (name === 'image') {
          await page.locator('.tiles').scrollIntoViewIfNeeded();
          await viewShot(page, 'docs-3-image');
        }
      },
    });
    expect(await page.locator('.username').textContent()).toBe('tmateos.2026');
    expect(await page.locator('.screen').textContent()).toContain('Segundo Factor de Seguridad / Activación');
    await shot(page, 'card-04-final');
    await viewShot(page, 'docs-4-final');
    // The registration is over: nothing is left to resume.
    await page.reload();
    await expectScreen(page, 'Operación terminada exitosamente');
    await page.getByRole('button', { name: 'Finalizar' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await page.close();
  });

  it('registers the additional user of a company with RUC and cédula', async () => {
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.ana, 'company');
    await shot(page, 'company-01-contact');
    await passOtp(page, suite.stack.baseUrl, customers.ana);
    await chooseUsername(page, 'ana_ruiz-empresa');
    await finishProfile(page, { smartphone: true });
    expect(await page.locator('.username').textContent()).toBe('ana_ruiz-empresa');
    await shot(page, 'company-02-final');
    await page.close();
  });

  it('registers with a virtual key and, without a smartphone, only offers "Solicitar más tarde"', async () => {
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.marco, 'virtual-key');
    await passOtp(page, suite.stack.baseUrl, customers.marco);
    await chooseUsername(page, 'MarcoVera');
    await finishProfile(page, {
      smartphone: false,
      onScreen: async (name) => {
        if (name === 'second-factor') await shot(page, 'virtual-key-01-no-smartphone');
      },
    });
    expect(await page.locator('.username').textContent()).toBe('MarcoVera');
    expect(await page.locator('.screen').textContent()).toContain(
      'Cuando cuentes con un dispositivo inteligente',
    );
    await shot(page, 'virtual-key-02-final');
    await page.close();
  });

  it('can be completed with the keyboard alone', async () => {
    const page = await suite.browser.newPage();
    const c = customers.lucia;
    await page.goto(suite.stack.baseUrl);
    await expectScreen(page, 'Registro de usuario');
    await tabToButton(
      page,
      'Para personasCon tu tarjeta de débito o de crédito y su clave de cajero automático.',
    );
    const ring = await page.evaluate(() => getComputedStyle(document.activeElement as Element).outlineStyle);
    expect(ring).toBe('solid');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Registro con tu tarjeta');
    await tabToField(page, 'Número de tarjeta');
    await page.keyboard.type(c.card.cardNumber);
    await page.keyboard.press('Tab');
    await page.keyboard.type('06');
    await page.keyboard.press('Tab');
    await page.keyboard.type('2031');
    await tabTo(page, (f) => f.digit !== '');
    const pinPresses = await keyboardKeypad(page, 'pin', c.card.pin);
    await shot(page, 'keyboard-01-keypad');
    // The keypad is one Tab stop: the next Tab leaves it, Shift+Tab comes back to the key last used.
    const lastKey = await page.evaluate(() => (document.activeElement as HTMLElement).dataset.digit);
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('Regresar');
    await page.keyboard.press('Shift+Tab');
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.digit)).toBe(lastKey);
    // A 4x3 grid: at most 5 arrow presses and Enter per digit.
    expect(pinPresses).toBeLessThanOrEqual(4 * 6);
    await tabToButton(page, 'Registrarse ahora');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Verificación de datos de contacto');
    const since = Date.now();
    await tabToButton(page, 'Generar clave temporal');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Clave de seguridad temporal');
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    await tabTo(page, (f) => f.digit !== '');
    await keyboardKeypad(page, 'otp', code);
    await tabToButton(page, 'Aceptar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Creación de usuario');
    await tabToField(page, 'Nombre de usuario');
    await page.keyboard.type('lucia.andrade');
    await page.keyboard.press('Tab');
    await page.keyboard.type('lucia.andrade');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Creación de clave');
    await tabToField(page, 'Clave');
    await page.keyboard.type(PASSWORD);
    await tabToField(page, 'Clave de confirmación');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Selección de imagen');
    await tabTo(page, (f) => f.label === 'Ancla');
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    expect(await page.locator('input[name="security-image"]:checked').inputValue()).toBe('barco');
    await tabToButton(page, 'Continuar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Actualización de datos');
    await tabToField(page, 'Teléfono domicilio');
    await page.keyboard.type('072834567');
    await page.keyboard.press('Tab');
    await page.keyboard.type('+593987770101');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Preguntas desafío');
    for (const [i, question] of [
      '¿Cuál era tu apodo cuando eras niño o niña?',
      '¿Cómo se llamaba tu primera mascota?',
      '¿Cuál fue tu primer trabajo?',
    ].entries()) {
      await tabToField(page, question);
      await page.keyboard.press('Space');
      await page.keyboard.press('Tab');
      await page.keyboard.type(`Respuesta número ${i + 1}`);
    }
    await tabToField(page, 'He leído y acepto los términos del contrato descritos en el recuadro anterior.');
    await page.keyboard.press('Space');
    await shot(page, 'keyboard-02-questions');
    await tabToButton(page, 'Continuar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Confirmación Segundo Factor');
    await tabToField(page, 'Sí');
    await page.keyboard.press('Space');
    await tabToButton(page, 'Continuar');
    await page.keyboard.press('Enter');
    await expectScreen(page, 'Solicitud Segundo Factor');
    await tabToField(page, 'Token digital');
    await page.keyboard.press('Space');
    await tabToButton(page, 'Continuar');
    await page.keyboard.press('Enter');

    await expectScreen(page, 'Operación terminada exitosamente');
    expect(await page.locator('.username').textContent()).toBe('lucia.andrade');
    await shot(page, 'keyboard-03-final');
    await page.close();
  });
});
