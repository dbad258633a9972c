// Request validation: zod (mini) schemas report stable field codes; each code has its Spanish message here.
import type * as z from 'zod/mini';
import { type FieldError, fail } from './errors.ts';

const messages: Record<string, string> = {
  required: 'Este campo es obligatorio.',
  invalid_type: 'El valor no tiene el formato esperado.',
  unknown_field: 'Este campo no se reconoce.',
  invalid_value: 'El valor no es válido.',
  card_number_format:
    'Escribe el número de tarjeta con sus 13 a 19 dígitos seguidos, sin espacios ni guiones.',
  card_number_checksum: 'El número de tarjeta no es válido. Revísalo.',
  expiry_month_format: 'Elige un mes de expiración entre 1 y 12.',
  expiry_year_format: 'Elige un año de expiración válido.',
  card_expired: 'La fecha de expiración ya pasó. Revisa tu tarjeta.',
  pin_format: 'La clave debe tener exactamente 4 dígitos.',
  cedula_format: 'La cédula debe tener 10 dígitos y ser válida.',
  ruc_format: 'El RUC debe tener 13 dígitos y ser válido.',
  code_format: 'La clave temporal tiene 6 dígitos.',
  token_code_format: 'El código del Token digital tiene 6 dígitos.',
  username_format:
    'El usuario debe tener de 6 a 20 caracteres: letras, números, punto, guion o guion bajo, y empezar con una letra.',
  username_identity_number: 'El usuario no puede contener tu cédula, RUC ni número de tarjeta.',
  confirmation_mismatch: 'La confirmación no coincide.',
  password_length: 'La clave debe tener entre 12 y 128 caracteres.',
  password_characters: 'La clave solo puede tener caracteres imprimibles.',
  password_common: 'Esta clave es muy común y fácil de adivinar. Elige otra.',
  password_contains_username: 'La clave no puede contener tu nombre de usuario.',
  password_contains_identity: 'La clave no puede contener tu cédula ni tu RUC.',
  password_contains_bank_name: 'La clave no puede contener el nombre del banco.',
  image_unknown: 'Elige una de las imágenes mostradas.',
  phone_format: 'Ingresa un número ecuatoriano: fijo con código de área (022345678) o celular (0991234567).',
  answers_count: 'Responde exactamente 3 preguntas distintas.',
  question_unknown: 'Elige una de las preguntas de la lista.',
  question_repeated: 'Elige preguntas distintas.',
  question_not_chosen: 'El cliente no eligió esta pregunta: usa una de las tres de su registro.',
  lookup_value: 'Escribe el código de cliente, la cédula, el RUC o el usuario.',
  answer_length: 'La respuesta debe tener entre 2 y 60 caracteres.',
  answer_characters: 'La respuesta solo puede tener caracteres imprimibles.',
  terms_not_accepted: 'Debes aceptar los términos y condiciones para continuar.',
  terms_version: 'Los términos cambiaron. Vuelve a leerlos y acéptalos.',
  digital_token_choice: 'Elige si conservas o desactivas tu token digital.',
  reason_length: 'Escribe el motivo del cambio: de 10 a 500 caracteres.',
  reason_characters:
    'El motivo no puede tener caracteres de control (saltos de línea, tabuladores) ni marcas de dirección del texto.',
  second_factor_needs_device:
    'El token digital necesita un dispositivo inteligente. Elige "Solicitar más tarde".',
};

export const fieldMessage = (code: string): string => messages[code] ?? (messages.invalid_value as string);

export const fieldError = (field: string, code: string): FieldError => ({
  field,
  code,
  message: fieldMessage(code),
});

type Issue = z.core.$ZodIssue;

const issueCode = (issue: Issue): string => {
  if (issue.message && issue.message in messages) return issue.message;
  if (issue.code === 'invalid_type') return issue.input === undefined ? 'required' : 'invalid_type';
  if (issue.code === 'unrecognized_keys') return 'unknown_field';
  return 'invalid_value';
};

const issueErrors = (issue: Issue): FieldError[] => {
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => fieldError([...issue.path, key].join('.'), 'unknown_field'));
  }
  return [fieldError(issue.path.join('.') || 'body', issueCode(issue))];
};

/**
 * Parses a body against its schema, or fails with 422 validation_failed listing every broken field at once,
 * each with its first problem only: a field's checks run from the most basic, and a later one would only
 * restate it (a card number with spaces is not a card number; its Luhn digit says nothing more).
 */
export function parseBody<T>(schema: z.ZodMiniType<T>, body: unknown): T {
  // zod leaves the input out of issues unless asked; it tells a missing field from a wrong type. The issues
  // never leave this function: only field names and codes do.
  const result = schema.safeParse(body, { reportInput: true });
  if (result.success) return result.data;
  const seen = new Set<string>();
  const errors = result.error.issues.flatMap(issueErrors).filter((e) => {
    if (seen.has(e.field)) return false;
    seen.add(e.field);
    return true;
  });
  return fail('validation_failed', { errors });
}

/** Fails with 422 when any field rule found a problem. */
export function rejectFields(errors: FieldError[]): void {
  if (errors.length > 0) fail('validation_failed', { errors });
}
