// How a client is shown to its customer (sessions, activity, the new-device email): a browser-and-system label
// from the User-Agent and a coarse network, never the address itself (rule 56).

const browsers: [RegExp, string][] = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*Safari\//, 'Safari'],
];

const systems: [RegExp, string][] = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bWindows\b/, 'Windows'],
  [/\b(Macintosh|Mac OS X)\b/, 'Mac'],
  [/\bCrOS\b/, 'Chromebook'],
  [/\bLinux\b/, 'Linux'],
];

const first = (text: string, table: [RegExp, string][]): string | undefined =>
  table.find(([pattern]) => pattern.test(text))?.[1];

/** "Chrome en Android", "Safari en iPhone", "Navegador desconocido": never the raw header. */
export function deviceLabel(userAgent: string): string {
  const text = userAgent.slice(0, 512);
  const browser = first(text, browsers);
  const system = first(text, systems);
  if (browser && system) return `${browser} en ${system}`;
  return browser ?? system ?? 'Navegador desconocido';
}

/**
 * The network a client key (client-address.ts) belongs to, coarse enough to tell no one's address: an IPv4
 * address's /24, an IPv6 client's /48.
 */
export function coarsePlace(clientKey: string): string {
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.\d+$/.exec(clientKey);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const groups = clientKey.replace(/::\/\d+$/, '').split(':');
  return `${groups.slice(0, 3).join(':')}::/48`;
}
