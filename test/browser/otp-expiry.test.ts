// Time limits, shortened through the stack's configuration: a code that expires before it is entered, the
// resend button that opens when the API allows it, and a registration that expires while idle.
import { describe, expect, it } from 'vitest';
import { shot } from './helpers/browser.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import { alertText, customers, expectScreen, identify, pressKeypad, readCode } from './helpers/wizard.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const suite = useBrowserSuite({
  OTP_TTL_SECONDS: '3',
  OTP_RESEND_COOLDOWN_SECONDS: '5',
  SESSION_IDLE_SECONDS: '12',
});

describe('time limits', () => {
  it('shows an expired code, opens "Reenviar clave" when allowed, and accepts the new code', async () => {
    const page = await suite.browser.newPage();
    const c = customers.elena;
    await page.goto(suite.stack.baseUrl);
    await identify(page, c, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    const first = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    const resend = page.getByRole('button', { name: 'Reenviar clave' });
    expect(await resend.isDisabled()).toBe(true);
    const code = await readCode(suite.stack.baseUrl, c.phone, first);
    await page
      .getByRole('timer')
      .getByText('La clave temporal venció. Solicita una nueva.')
      .waitFor({ timeout: 6000 });
    await pressKeypad(page, 'otp', code);
    await page.getByRole('button', { name: 'Aceptar' }).click();
    expect(await alertText(page)).toBe(
      'La clave temporal venció. Pide una nueva con «Reenviar clave» e ingrésala.',
    );
    await shot(page, 'expiry-01-code-expired');

    // The cooldown (5 s from the first send) ends: the button opens by itself.
    await page.waitForFunction(
      () => !(document.querySelector('.resend button') as HTMLButtonElement | null)?.disabled,
      undefined,
      { timeout: 10_000 },
    );
    expect(await page.locator('#resend-info').textContent()).toContain('te quedan 2');
    const second = Date.now();
    await resend.click();
    const fresh = await readCode(suite.stack.baseUrl, c.phone, second);
    // A new cooldown starts with the new code.
    await page.waitForFunction(
      () => (document.querySelector('.resend button') as HTMLButtonElement | null)?.disabled,
    );
    expect(await page.locator('#resend-info').textContent()).toMatch(
      /^Podrás pedir una nueva clave en 0:0\d\.$/,
    );
    await pressKeypad(page, 'otp', fresh);
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await expectScreen(page, 'Creación de usuario');
    await page.close();
  });

  it('offers to start again when the registration expired', async () => {
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.tomas, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    await sleep(13_000);
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Tu registro expiró');
    await shot(page, 'expiry-02-registration-expired');
    await page.getByRole('button', { name: 'Empezar de nuevo' }).click();
    await expectScreen(page, 'Registro de usuario');
    expect(await page.evaluate(() => sessionStorage.length)).toBe(0);
    await page.close();
  });
});
