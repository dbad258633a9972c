// The code and the registration's idle timeout last the same (5 minutes each in production): a customer
// who lets the code expire finds the registration closed too. The screen must say so and offer a clear
// restart (second audit, finding 9), not a resend that can only fail.
import { describe, expect, it } from 'vitest';
import { shot } from './helpers/browser.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import { customers, expectScreen, identify } from './helpers/wizard.ts';

const suite = useBrowserSuite({
  OTP_TTL_SECONDS: '3',
  OTP_RESEND_COOLDOWN_SECONDS: '1',
  SESSION_IDLE_SECONDS: '3',
});

describe('an expired code when the registration expired with it', () => {
  it('offers «Empezar de nuevo» beside «Reenviar clave», and a resend explains why the registration closed', async () => {
    // Arrange
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.elena, 'card');
    await expectScreen(page, 'Verificación de datos de contacto');
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    const restart = page.getByRole('button', { name: 'Empezar de nuevo' });
    expect(await restart.isVisible()).toBe(false);

    // Act: the code (and the registration) expire.
    await page
      .getByRole('timer')
      .getByText('La clave temporal venció. Solicita una nueva.')
      .waitFor({ timeout: 6000 });
    await restart.waitFor({ state: 'visible', timeout: 3000 });
    expect(await page.locator('#resend-info').textContent()).toContain('empieza de nuevo');
    await shot(page, 'expiry-03-code-and-registration-expired');
    await page.getByRole('button', { name: 'Reenviar clave' }).click();

    // Assert
    await expectScreen(page, 'Tu registro expiró');
    expect(await page.locator('main').textContent()).toContain(
      'La clave temporal venció y, por tu seguridad, el registro también se cerró',
    );
    await page.getByRole('button', { name: 'Empezar de nuevo' }).click();
    await expectScreen(page, 'Registro de usuario');
    await page.close();
  });
});
