// The wizard as a customer uses it: one helper per screen of the guide, plus the local SMS outbox.
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';

export interface TestCustomer {
  phone: string;
  cedula: string;
  card?: { cardNumber: string; expiryMonth: number; expiryYear: number; pin: string };
  company?: { ruc: string; cedula?: string; pin: string };
  virtualKey?: { cedula: string; pin: string };
}

export const customers = {
  tomas: {
    phone: '+593991234190',
    cedula: '1710034065',
    card: { cardNumber: '4111111111111111', expiryMonth: 12, expiryYear: 2030, pin: '1234' },
    virtualKey: { cedula: '1710034065', pin: '5678' },
  },
  ana: {
    phone: '+593987654321',
    cedula: '0926687856',
    company: { ruc: '1790011674001', cedula: '0926687856', pin: '4321' },
  },
  lucia: {
    phone: '+593990000101',
    cedula: '1701234567',
    card: { cardNumber: '4242424242424242', expiryMonth: 6, expiryYear: 2031, pin: '2468' },
  },
  marco: { phone: '+593990000102', cedula: '1702345677', virtualKey: { cedula: '1702345677', pin: '1357' } },
  sofia: {
    phone: '+593990000103',
    cedula: '0903456788',
    card: { cardNumber: '5555555555554444', expiryMonth: 3, expiryYear: 2029, pin: '8642' },
  },
  diego: {
    phone: '+593990000104',
    cedula: '0104567896',
    card: { cardNumber: '4012888888881881', expiryMonth: 9, expiryYear: 2030, pin: '9753' },
  },
  paula: { phone: '+593990000105', cedula: '1805678917', virtualKey: { cedula: '1805678917', pin: '2580' } },
  jorge: { phone: '+593990000106', cedula: '1106789124', virtualKey: { cedula: '1106789124', pin: '3690' } },
  elena: {
    phone: '+593990000107',
    cedula: '1707891238',
    card: { cardNumber: '6011111111111117', expiryMonth: 11, expiryYear: 2032, pin: '1470' },
  },
  raul: {
    phone: '+593990000108',
    cedula: '0508912342',
    card: { cardNumber: '5105105105105100', expiryMonth: 1, expiryYear: 2030, pin: '7410' },
  },
} satisfies Record<string, TestCustomer>;

export const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });

export async function expectScreen(page: Page, name: string | RegExp): Promise<void> {
  await heading(page, name).waitFor({ timeout: 15_000 });
}

export async function pressKeypad(page: Page, keypad: 'pin' | 'otp', digits: string): Promise<void> {
  for (const d of digits) await page.locator(`[data-keypad="${keypad}"] button[data-digit="${d}"]`).click();
}

export async function alertText(page: Page): Promise<string> {
  const alert = page.locator('.alert:not([hidden])');
  await alert.waitFor({ timeout: 15_000 });
  return (await alert.textContent()) ?? '';
}

const lastDigits = (phone: string) => phone.replace(/\D/g, '').slice(-9);

/** Waits for an SMS to `phone` sent after `since` and returns its 6-digit code. */
export async function readCode(baseUrl: string, phone: string, since: number): Promise<string> {
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    const sms = (await (await fetch(`${baseUrl}/_local/sms`)).json()) as {
      to: string;
      message: string;
      sentAt: string;
    }[];
    const mine = sms.filter(
      (s) => lastDigits(s.to) === lastDigits(phone) && Date.parse(s.sentAt) >= since - 1000,
    );
    const code = /\b(\d{6})\b/.exec(mine.at(-1)?.message ?? '')?.[1];
    if (code) return code;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no SMS for ${phone}`);
}

export async function identify(page: Page, c: TestCustomer, kind: Kind, pin?: string) {
  await fillIdentification(page, c, kind);
  const right = { card: c.card, company: c.company, 'virtual-key': c.virtualKey }[kind]?.pin ?? '';
  await pressKeypad(page, 'pin', pin ?? right);
  await page.getByRole('button', { name: 'Registrarse ahora' }).click();
}

type Kind = 'card' | 'company' | 'virtual-key';

/** Chooses the credential and fills its fields, all but the key. */
export async function fillIdentification(page: Page, c: TestCustomer, kind: Kind): Promise<void> {
  await page.locator(`button[data-kind="${kind}"]`).click();
  if (kind === 'card' && c.card) {
    await page.getByLabel('Número de tarjeta').fill(c.card.cardNumber);
    await page.getByLabel('Mes de expiración').selectOption(String(c.card.expiryMonth));
    await page.getByLabel('Año de expiración').selectOption(String(c.card.expiryYear));
  } else if (kind === 'company' && c.company) {
    await page.getByLabel('RUC de la empresa').fill(c.company.ruc);
    if (c.company.cedula)
      await page.getByLabel('Cédula del usuario adicional (opcional)').fill(c.company.cedula);
  } else if (kind === 'virtual-key' && c.virtualKey) {
    await page.getByLabel('Número de cédula').fill(c.virtualKey.cedula);
  }
}

/** From the contact screen: asks for the code, reads it from the outbox, enters it. */
export async function passOtp(page: Page, baseUrl: string, c: TestCustomer): Promise<void> {
  await expectScreen(page, 'Verificación de datos de contacto');
  const since = Date.now();
  await page.getByRole('button', { name: 'Generar clave temporal' }).click();
  await expectScreen(page, 'Clave de seguridad temporal');
  const code = await readCode(baseUrl, c.phone, since);
  await pressKeypad(page, 'otp', code);
  await page.getByRole('button', { name: 'Aceptar' }).click();
}

export async function chooseUsername(page: Page, username: string): Promise<void> {
  await expectScreen(page, 'Creación de usuario');
  await page.getByLabel('Nombre de usuario').fill(username);
  await page.getByLabel('Confirmación de usuario').fill(username);
  await page.getByRole('button', { name: 'Continuar' }).click();
}

export const PASSWORD = 'Quito tiene 2 volcanes nevados';

/** Paso 5: checks the first questions of the list and answers each. */
export async function answerQuestions(page: Page, answers: string[]): Promise<void> {
  const boxes = page.locator('input[data-question]');
  for (const [i, answer] of answers.entries()) {
    const box = boxes.nth(i);
    await box.check();
    await page
      .locator('.question')
      .nth(i)
      .getByLabel(/Respuesta/)
      .fill(answer);
  }
}

/** Pasos 2 to 6 with valid answers; `onScreen` runs on each screen before it is submitted (screenshots). */
export async function finishProfile(
  page: Page,
  opts: { smartphone: boolean; onScreen?: (name: string) => Promise<void> },
): Promise<void> {
  const at = async (name: string) => opts.onScreen?.(name);
  await expectScreen(page, 'Creación de clave');
  await page.getByLabel('Clave', { exact: true }).fill(PASSWORD);
  await page.getByLabel('Clave de confirmación').fill(PASSWORD);
  await at('password');
  await page.getByRole('button', { name: 'Continuar' }).click();

  await expectScreen(page, 'Selección de imagen');
  await page.locator('.tile-label', { hasText: 'Llama' }).click();
  await at('image');
  await page.getByRole('button', { name: 'Continuar' }).click();

  await expectScreen(page, 'Actualización de datos');
  await page.getByLabel('Teléfono domicilio').fill('022345678');
  await page.getByLabel('Teléfono trabajo').fill('0991234567');
  await at('contact');
  await page.getByRole('button', { name: 'Continuar' }).click();

  await expectScreen(page, 'Preguntas desafío');
  await answerQuestions(page, ['Tomás', 'Mateos', 'Firulais']);
  await page.getByLabel(/He leído y acepto/).check();
  await at('questions');
  await page.getByRole('button', { name: 'Continuar' }).click();

  await expectScreen(page, 'Confirmación Segundo Factor');
  await page.getByLabel(opts.smartphone ? 'Sí' : 'No', { exact: true }).check();
  await at('second-factor');
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expectScreen(page, 'Solicitud Segundo Factor');
  if (opts.smartphone) await page.getByLabel('Token digital').check();
  else expect(await page.getByLabel('Token digital').count()).toBe(0);
  await at('second-factor-choice');
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expectScreen(page, 'Operación terminada exitosamente');
}

interface Focused {
  tag: string;
  text: string;
  label: string;
  digit: string;
}

const focused = (page: Page): Promise<Focused> =>
  page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    const labels = (el as HTMLInputElement | null)?.labels;
    return {
      tag: el?.tagName.toLowerCase() ?? '',
      text: el?.textContent?.trim() ?? '',
      label: labels?.[0]?.textContent?.trim() ?? '',
      digit: el?.dataset.digit ?? '',
    };
  });

/** Presses Tab (at most 60 times) until the focused element matches, as a keyboard user would. */
export async function tabTo(page: Page, match: (f: Focused) => boolean): Promise<void> {
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    if (match(await focused(page))) return;
  }
  throw new Error('tabTo: no match within 60 Tabs');
}

export const tabToButton = (page: Page, text: string) =>
  tabTo(page, (f) => f.tag === 'button' && f.text === text);
export const tabToField = (page: Page, label: string) => tabTo(page, (f) => f.label === label);

/** Enters digits on the virtual keyboard with the arrow keys and Enter only; focus starts inside it. */
export async function keyboardKeypad(page: Page, keypad: 'pin' | 'otp', digits: string): Promise<number> {
  const order = await page
    .locator(`[data-keypad="${keypad}"] .key`)
    .evaluateAll((keys) => keys.map((k) => (k as HTMLElement).dataset.digit ?? ''));
  let presses = 0;
  for (const d of digits) {
    const from = order.indexOf((await focused(page)).digit);
    const to = order.indexOf(d);
    expect(from, 'focus is on a digit of the keypad').not.toBe(-1);
    const [dr, dc] = [Math.floor(to / 3) - Math.floor(from / 3), (to % 3) - (from % 3)];
    for (let i = 0; i < Math.abs(dr); i++) await page.keyboard.press(dr > 0 ? 'ArrowDown' : 'ArrowUp');
    for (let i = 0; i < Math.abs(dc); i++) await page.keyboard.press(dc > 0 ? 'ArrowRight' : 'ArrowLeft');
    expect((await focused(page)).digit).toBe(d);
    await page.keyboard.press('Enter');
    presses += Math.abs(dr) + Math.abs(dc) + 1;
  }
  return presses;
}

/** The whole wizard with the customer's card (or virtual key) and the digital token, up to «Finalizar». */
export async function register(
  page: Page,
  baseUrl: string,
  c: TestCustomer,
  username: string,
): Promise<void> {
  await page.goto(baseUrl);
  await identify(page, c, c.card ? 'card' : 'virtual-key');
  await passOtp(page, baseUrl, c);
  await chooseUsername(page, username);
  await finishProfile(page, { smartphone: true });
}

/** The code the customer's authenticator app shows for the secret the page printed (RFC 6238, as in T2's URI). */
export const totp = (secret: string, atMs: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: atMs,
  });

/** «Usuario» and «Clave» by mouse, up to the screen that follows the password. */
export async function signIn(page: Page, username: string, password: string, next: string): Promise<void> {
  await page.getByLabel('Usuario').fill(username);
  await page.getByRole('button', { name: 'Continuar' }).click();
  await expectScreen(page, 'Ingresa tu clave');
  await page.getByLabel('Clave', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Ingresar' }).click();
  await expectScreen(page, next);
}
