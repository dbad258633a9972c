// Generates customer directory files in the API.md format: valid card numbers (Luhn) and cédulas, one
// phone and email per customer, so tests and the load run can register many customers.
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The Luhn check digit that completes a card number body. */
export const luhnDigit = (body: string): string => {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
};

/** The check digit that completes the first nine digits of a cédula. */
export const cedulaDigit = (body: string): string => {
  let sum = 0;
  for (let i = 0; i < 9; i++) {
    let d = Number(body[i]) * (i % 2 === 0 ? 2 : 1);
    if (d > 9) d -= 9;
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
};

export interface GeneratedCustomer {
  customerId: string;
  phone: string;
  email: string;
  cedula: string;
  card: { type: 'card'; cardNumber: string; expiryMonth: number; expiryYear: number; pin: string };
  virtualKey: { type: 'virtual-key'; cedula: string; pin: string };
}

/** `count` customers numbered from `start`; every one has a card and a virtual key. */
export function generateCustomers(count: number, start = 1): GeneratedCustomer[] {
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    const serial = String(n).padStart(6, '0');
    const cardBody = `455555${serial}000`;
    const cedulaBody = `17${String(n).padStart(7, '0')}`.replace(
      /^(\d{2})(\d)/,
      (_m, p, third) => `${p}${Number(third) % 6}`,
    );
    const cedula = cedulaBody + cedulaDigit(cedulaBody);
    return {
      customerId: `GEN-${serial}`,
      phone: `+59398${String(n).padStart(7, '0')}`,
      email: `cliente${serial}@example.ec`,
      cedula,
      card: {
        type: 'card',
        cardNumber: cardBody + luhnDigit(cardBody),
        expiryMonth: 12,
        expiryYear: 2031,
        pin: '2580',
      },
      virtualKey: { type: 'virtual-key', cedula, pin: '1470' },
    };
  });
}

export function writeCustomerFile(customers: GeneratedCustomer[], extra: object[] = []): string {
  const file = join(tmpdir(), `customers-${process.pid}-${Date.now()}.json`);
  const records = customers.map((c) => ({
    customerId: c.customerId,
    name: `Cliente ${c.customerId}`,
    cedula: c.cedula,
    phone: c.phone,
    email: c.email,
    credentials: [c.card, c.virtualKey],
  }));
  writeFileSync(file, JSON.stringify({ customers: [...records, ...extra] }));
  return file;
}
