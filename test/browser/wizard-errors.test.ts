// The API's refusals as the customer meets them: wrong key, wrong code, a username taken, and a reload that
// resumes the wizard where it was.
import { describe, expect, it } from 'vitest';
import { shot } from './helpers/browser.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  alertText,
  chooseUsername,
  customers,
  expectScreen,
  finishProfile,
  identify,
  passOtp,
  pressKeypad,
  readCode,
} from './helpers/wizard.ts';

const suite = useBrowserSuite();

describe('errors shown where they belong', () => {
  it('rejects a wrong key at the keypad, then accepts the right one', async () => {
    const page = await suite.browser.newPage();
    const c = customers.sofia;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card', '0000');
    expect(await alertText(page)).toContain('Los datos o la clave ingresados no son correctos');
    const keypad = page.locator('[data-keypad="pin"]');
    expect(await keypad.getAttribute('aria-invalid')).toBe('true');
    expect(await keypad.locator('.field-error').textContent()).toBe(
      'Ingresa nuevamente tu clave de 4 dígitos.',
    );
    // The key was cleared and focus went back to the keypad, whose error is in its description.
    expect(await keypad.getAttribute('data-count')).toBe('0');
    // What a screen reader reads of the keypad follows the slots: not the "4 de 4" of before the refusal.
    expect(await keypad.locator('p[aria-live]').textContent()).toBe('0 de 4 dígitos ingresados');
    expect(await page.evaluate(() => document.activeElement?.closest('[data-keypad]') !== null)).toBe(true);
    await shot(page, 'errors-01-wrong-key');
    await pressKeypad(page, 'pin', c.card.pin);
    await page.getByRole('button', { name: 'Registrarse ahora' }).click();
    await expectScreen(page, 'Verificación de datos de contacto');
    await page.close();
  });

  it('says the lock and its wait on the wrong key that locks it (second audit, finding 9)', async () => {
    const page = await suite.browser.newPage();
    const c = customers.marco;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'virtual-key', '0000');
    expect(await alertText(page)).toContain('Los datos o la clave ingresados no son correctos');
    await pressKeypad(page, 'pin', '0000');
    await page.getByRole('button', { name: 'Registrarse ahora' }).click();
    await page.getByText('Por tu seguridad, tras varios intentos').waitFor();
    await pressKeypad(page, 'pin', '0000');
    await page.getByRole('button', { name: 'Registrarse ahora' }).click();
    await page.getByText('bloqueamos esta clave').waitFor();
    expect(await alertText(page)).toBe(
      'Por tu seguridad, bloqueamos esta clave por intentos fallidos. Podrás intentarlo de nuevo en 24 horas. Si la olvidaste, acércate a cualquier agencia Produbanco.',
    );
    await shot(page, 'errors-01b-key-locked');
    await page.close();
  });

  it('says how many attempts are left after a wrong code, then accepts the right one', async () => {
    const page = await suite.browser.newPage();
    const c = customers.diego;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    expect(await page.getByRole('timer').textContent()).toMatch(/^Tiempo restante: [45]:\d\d$/);
    expect(await page.getByRole('button', { name: 'Reenviar clave' }).isDisabled()).toBe(true);
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    const wrong = code === '000000' ? '111111' : '000000';
    await pressKeypad(page, 'otp', wrong);
    await page.getByRole('button', { name: 'Aceptar' }).click();
    expect(await alertText(page)).toBe('La clave ingresada no es correcta. Te quedan 2 intentos.');
    await shot(page, 'errors-02-wrong-code');
    await pressKeypad(page, 'otp', code);
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await expectScreen(page, 'Creación de usuario');
    await page.close();
  });

  it('asks for another username when the chosen one is taken', async () => {
    const first = await suite.browser.newPage();
    await first.goto(suite.stack.baseUrl);
    await identify(first, customers.paula, 'virtual-key');
    await passOtp(first, suite.stack.baseUrl, customers.paula);
    await chooseUsername(first, 'Quiteno.2026');
    await expectScreen(first, 'Creación de clave');

    // Another browser: sessionStorage (and so the registration) is per tab.
    const second = await suite.browser.newPage();
    await second.goto(suite.stack.baseUrl);
    await identify(second, customers.jorge, 'virtual-key');
    await passOtp(second, suite.stack.baseUrl, customers.jorge);
    await chooseUsername(second, 'quiteno.2026');
    expect(await alertText(second)).toBe('Revisa los datos marcados e inténtalo de nuevo.');
    const field = second.getByLabel('Nombre de usuario');
    expect(await field.getAttribute('aria-invalid')).toBe('true');
    expect(await second.evaluate(() => document.activeElement?.id)).toBe(await field.getAttribute('id'));
    const describedBy = (await field.getAttribute('aria-describedby')) ?? '';
    const messages = await second.evaluate(
      (ids) => ids.map((id) => document.getElementById(id)?.textContent ?? ''),
      describedBy.split(' '),
    );
    expect(messages).toContain('Ese nombre de usuario ya está en uso. Elige otro.');
    await shot(second, 'errors-03-username-taken');
    await chooseUsername(second, 'jorge.leon');
    await expectScreen(second, 'Creación de clave');
    await first.close();
    await second.close();
  });

  it('resumes where it was after a reload', async () => {
    const page = await suite.browser.newPage();
    const c = customers.raul;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    await page.reload();
    await expectScreen(page, 'Clave de seguridad temporal');
    expect(await page.locator('.notice').textContent()).toBe('Continuamos tu registro donde lo dejaste.');
    expect(await page.getByRole('timer').textContent()).toMatch(/^Tiempo restante: [45]:\d\d$/);
    await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, c.phone, since));
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await chooseUsername(page, 'raul.mena');
    await expectScreen(page, 'Creación de clave');
    await page.reload();
    await expectScreen(page, 'Creación de clave');
    expect(await page.locator('[aria-current="step"]').textContent()).toBe('Paso 2 Creación de clave');
    await finishProfile(page, { smartphone: true });
    await page.close();
  });

  it('explains the password policy while the customer types', async () => {
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.tomas, 'virtual-key');
    // Each file starts its own stack, so Tomás has no user yet here.
    await passOtp(page, suite.stack.baseUrl, customers.tomas);
    await chooseUsername(page, 'tomas.m');
    await expectScreen(page, 'Creación de clave');
    const rule = (id: string) => page.locator(`.policy [data-rule="${id}"]`).getAttribute('class');
    await page.getByLabel('Clave', { exact: true }).fill('corto');
    expect(await rule('length')).toBe('policy-bad');
    await page.getByLabel('Clave', { exact: true }).fill('mi clave de Produbanco');
    expect(await rule('length')).toBe('policy-ok');
    expect(await rule('bank')).toBe('policy-bad');
    await page.getByLabel('Clave', { exact: true }).fill('soy tomas.m y 1710034065');
    expect(await rule('username')).toBe('policy-bad');
    expect(await rule('cedula')).toBe('policy-bad');
    await shot(page, 'errors-04-password-policy');
    await page.getByRole('button', { name: 'Continuar' }).click();
    expect(await alertText(page)).toBe('Revisa los datos marcados e inténtalo de nuevo.');
    await page.close();
  });
});
