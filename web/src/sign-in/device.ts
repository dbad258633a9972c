// This browser's device tokens (rule 57), one per username it signed in with: kept in localStorage so the
// browser stays a known device across visits. A known device is not refused by a lock someone else put on the
// username, and the customer gets no «Nuevo inicio de sesión» email for it. The token proves nothing alone.
const KEY = 'produbanco.dispositivo';

type Tokens = Record<string, string>;

function load(): Tokens {
  try {
    const parsed = JSON.parse(localStorage.getItem(KEY) ?? '{}') as unknown;
    return parsed && typeof parsed === 'object' ? (parsed as Tokens) : {};
  } catch {
    return {};
  }
}

const keyOf = (username: string): string => username.trim().toLowerCase();

export const deviceTokens = {
  of: (username: string): string | undefined => load()[keyOf(username)],
  keep(username: string, token: string | undefined): void {
    if (!token) return;
    try {
      localStorage.setItem(KEY, JSON.stringify({ ...load(), [keyOf(username)]: token }));
    } catch {
      // Storage full or disabled: the browser is simply a new device at its next sign-in.
    }
  },
};
