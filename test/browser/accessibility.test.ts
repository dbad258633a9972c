// The accessibility audit (axe-core, WCAG 2.0/2.1/2.2 A and AA) of every screen of the wizard, on desktop and
// at 360 px: the three identifications, the contact and code screens, Pasos 1 to 6 (two screens in Paso 6),
// the final screen, errors shown, the cancel dialog and the expired registration; and every page after the
// wizard: sign-in with the security image, the digital-token code, the signed-in home and the activation.
import { describe, it } from 'vitest';
import { audit } from './helpers/axe.ts';
import { useBrowserSuite } from './helpers/stack.ts';
import {
  alertText,
  answerQuestions,
  customers,
  expectScreen,
  fillIdentification,
  identify,
  PASSWORD,
  pressKeypad,
  readCode,
  register,
  totp,
} from './helpers/wizard.ts';

const suite = useBrowserSuite({}, { bypassCSP: true });

describe('every screen passes axe on desktop and at 360 px', () => {
  it('the whole wizard, with a card and the digital token', async () => {
    const page = await suite.browser.newPage();
    const c = customers.tomas;
    await page.goto(suite.stack.baseUrl);
    await expectScreen(page, 'Registro de usuario');
    await audit(page, 'start');
    for (const kind of ['company', 'virtual-key'] as const) {
      await page.locator(`button[data-kind="${kind}"]`).click();
      await expectScreen(page, /^Registro (para empresas|con tu clave virtual)$/);
      await audit(page, `identify-${kind}`);
      await page.getByRole('button', { name: 'Regresar' }).click();
      await expectScreen(page, 'Registro de usuario');
    }
    await fillIdentification(page, c, 'card');
    await audit(page, 'identify-card');
    await page.getByRole('button', { name: 'Registrarse ahora' }).click();
    await alertText(page);
    await audit(page, 'identify-card-errors');
    await pressKeypad(page, 'pin', c.card.pin);
    await page.getByRole('button', { name: 'Registrarse ahora' }).click();

    await expectScreen(page, 'Verificación de datos de contacto');
    await audit(page, 'verify-contact');
    const since = Date.now();
    await page.getByRole('button', { name: 'Generar clave temporal' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    await audit(page, 'enter-otp');
    const code = await readCode(suite.stack.baseUrl, c.phone, since);
    await pressKeypad(page, 'otp', code);
    await page.getByRole('button', { name: 'Aceptar' }).click();

    await expectScreen(page, 'Creación de usuario');
    await audit(page, 'choose-username');
    await page.getByRole('button', { name: 'Cancelar registro' }).click();
    await page.getByRole('dialog', { name: '¿Cancelar tu registro?' }).waitFor();
    await audit(page, 'cancel-dialog');
    await page.keyboard.press('Escape');
    await page.getByLabel('Nombre de usuario').fill('tomas.axe');
    await page.getByLabel('Confirmación de usuario').fill('tomas.axe');
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Creación de clave');
    await page.getByLabel('Clave', { exact: true }).fill('password123456');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await alertText(page);
    await audit(page, 'create-password-errors');
    await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
    await page.getByLabel('Clave de confirmación').fill(PASSWORD);
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Selección de imagen');
    await audit(page, 'choose-image');
    await page.locator('.tile-label', { hasText: 'Llama' }).click();
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Actualización de datos');
    await audit(page, 'update-contact');
    await page.getByLabel('Teléfono domicilio').fill('022345678');
    await page.getByLabel('Teléfono trabajo').fill('0991234567');
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Preguntas desafío');
    await answerQuestions(page, ['Tomás', 'Mateos', 'Firulais']);
    await audit(page, 'challenge-questions');
    await page.getByLabel(/He leído y acepto/).check();
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Confirmación Segundo Factor');
    await audit(page, 'second-factor-confirmation');
    await page.getByLabel('Sí', { exact: true }).check();
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Solicitud Segundo Factor');
    await audit(page, 'second-factor-request');
    await page.getByLabel('Token digital').check();
    await page.getByRole('button', { name: 'Continuar' }).click();

    await expectScreen(page, 'Operación terminada exitosamente');
    await audit(page, 'completed');
    await page.close();
  });

  it('the expired registration', async () => {
    const page = await suite.browser.newPage();
    await page.goto(suite.stack.baseUrl);
    await identify(page, customers.marco, 'virtual-key');
    await expectScreen(page, 'Verificación de datos de contacto');
    await page.evaluate(() => {
      const key = 'produbanco.registro';
      const saved = JSON.parse(sessionStorage.getItem(key) as string);
      sessionStorage.setItem(key, JSON.stringify({ ...saved, token: 'x'.repeat(43) }));
    });
    await page.reload();
    await expectScreen(page, 'Tu registro expiró');
    await audit(page, 'expired');
    await page.close();
  });

  it('the pages after the wizard: sign-in, the signed-in home and the digital-token activation', async () => {
    const page = await suite.browser.newPage();
    const c = customers.diego;
    await register(page, suite.stack.baseUrl, c, 'diego.axe');
    await page.getByRole('button', { name: 'Finalizar' }).click();

    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await audit(page, 'sign-in');
    await page.getByLabel('Usuario').fill('diego.axe');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Ingresa tu clave');
    await audit(page, 'sign-in-password');
    await page.getByLabel('Clave', { exact: true }).fill('No es mi clave de verdad');
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await alertText(page);
    await audit(page, 'sign-in-password-error');
    await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();

    await expectScreen(page, 'Te damos la bienvenida');
    await audit(page, 'home');
    await page.getByRole('button', { name: 'Activación' }).click();
    await expectScreen(page, 'Activación del Token digital');
    await audit(page, 'activation');
    const since = Date.now();
    await page.getByRole('button', { name: 'Enviar clave por SMS' }).click();
    await expectScreen(page, 'Clave de seguridad temporal');
    await audit(page, 'activation-code');
    await pressKeypad(page, 'otp', await readCode(suite.stack.baseUrl, c.phone, since));
    await page.getByRole('button', { name: 'Aceptar' }).click();
    await expectScreen(page, 'Escanea el código QR');
    await audit(page, 'activation-scan');
    const secret = ((await page.locator('.secret').textContent()) ?? '').replace(/\s/g, '');
    await pressKeypad(page, 'otp', totp(secret, Date.now()));
    await page.getByRole('button', { name: 'Activar Token digital' }).click();
    await expectScreen(page, 'Te damos la bienvenida');
    await audit(page, 'home-token-active');

    await page.getByRole('button', { name: 'Cerrar sesión' }).click();
    await expectScreen(page, 'Ingreso a Produbanco en línea');
    await audit(page, 'signed-out');
    await page.getByLabel('Usuario').fill('diego.axe');
    await page.getByRole('button', { name: 'Continuar' }).click();
    await expectScreen(page, 'Ingresa tu clave');
    await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Ingresar' }).click();
    await expectScreen(page, 'Token digital');
    await audit(page, 'sign-in-token');
    await page.close();
  });
});
