// Reads a customer directory file (API.md, "Local development contract") into directory records, refusing a
// malformed file with a message that names the record and the field.
import * as z from 'zod/mini';
import { isValidCedula, isValidRuc, passesLuhn } from '../rules/identity-numbers.ts';
import type { DirectoryRecord } from './dynamodb/customer-directory.ts';

const pin = z.string().check(z.regex(/^\d{4}$/, 'must be exactly four digits'));
const cedula = z.string().check(z.refine(isValidCedula, 'must be a valid 10-digit cédula'));
const ruc = z.string().check(z.refine(isValidRuc, 'must be a valid 13-digit RUC'));

const credential = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('card'),
    cardNumber: z.string().check(z.refine(passesLuhn, 'must be 13-19 digits passing Luhn')),
    expiryMonth: z.int().check(z.gte(1), z.lte(12)),
    expiryYear: z.int().check(z.gte(2000), z.lte(2100)),
    pin,
    status: z.optional(z.enum(['active', 'blocked'])),
  }),
  z.strictObject({ type: z.literal('company'), ruc, cedula: z.optional(cedula), pin }),
  z.strictObject({ type: z.literal('virtual-key'), cedula, pin }),
]);

const file = z.strictObject({
  customers: z.array(
    z.strictObject({
      customerId: z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, - or _')),
      name: z.string().check(z.minLength(1), z.maxLength(200)),
      cedula: z.optional(cedula),
      phone: z
        .string()
        .check(z.regex(/^\+593\d{9}$/, 'must be an Ecuadorian mobile in E.164 form (+593...)')),
      email: z.email('must be an email address'),
      registered: z.optional(z.boolean()),
      credentials: z.array(credential).check(z.minLength(1, 'must list at least one credential')),
    }),
  ),
});

export class DirectoryFileError extends Error {
  override name = 'DirectoryFileError';
}

export function parseDirectoryFile(text: string, source = 'customer file'): DirectoryRecord[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new DirectoryFileError(`${source}: not valid JSON (${(error as Error).message})`);
  }
  const result = file.safeParse(json);
  if (!result.success) {
    const raw = json as { customers?: { customerId?: unknown }[] };
    const problems = result.error.issues.map((issue) => {
      const [, index, ...rest] = issue.path;
      const id = typeof index === 'number' ? raw.customers?.[index]?.customerId : undefined;
      const record =
        typeof index === 'number' ? `customer #${index + 1}${id ? ` (${String(id)})` : ''}` : 'file';
      return `${record}, field ${rest.join('.') || issue.path.join('.') || '(root)'}: ${issue.message}`;
    });
    throw new DirectoryFileError(`${source} is malformed:\n  ${problems.join('\n  ')}`);
  }
  const seen = new Set<string>();
  return result.data.customers.map((c, index) => {
    if (seen.has(c.customerId)) {
      throw new DirectoryFileError(
        `${source} is malformed:\n  customer #${index + 1} (${c.customerId}): duplicate customerId`,
      );
    }
    seen.add(c.customerId);
    const identityNumbers = [
      ...new Set(
        [
          c.cedula,
          ...c.credentials.flatMap((cr) =>
            cr.type === 'company' ? [cr.ruc, cr.cedula] : cr.type === 'virtual-key' ? [cr.cedula] : [],
          ),
        ].filter((n): n is string => typeof n === 'string'),
      ),
    ];
    return {
      customer: {
        customerId: c.customerId,
        name: c.name,
        cedula: c.cedula,
        identityNumbers,
        phone: c.phone,
        email: c.email,
        registered: c.registered === true,
      },
      credentials: c.credentials,
    };
  });
}
