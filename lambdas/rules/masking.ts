// Masks shown to the customer and written to logs: phones keep their last three digits, emails a hint.

/** `+593991234190` -> `xxxxxxx190` (the national form, 0991234190, with all but the last three hidden). */
export function maskPhone(phone: string): string {
  const digits = phone.replace(/\D/g, '');
  const national = digits.startsWith('593') ? `0${digits.slice(3)}` : digits;
  if (national.length <= 3) return 'x'.repeat(national.length);
  return 'x'.repeat(national.length - 3) + national.slice(-3);
}

/** `tmateos@gmail.com` -> `tm****os@gmail.com`; a local part under five characters shows only its first. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '****';
  const local = email.slice(0, at);
  const domain = email.slice(at + 1);
  const visible =
    local.length < 5 ? `${local.slice(0, 1)}****` : `${local.slice(0, 2)}****${local.slice(-2)}`;
  return `${visible}@${domain}`;
}
