// A small client of the public API for the end-to-end tests: every call is plain HTTP against the stack.
import * as OTPAuth from 'otpauth';

export interface ApiResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

export class Api {
  constructor(readonly baseUrl: string) {}

  async call<T = Record<string, any>>(
    method: string,
    path: string,
    options: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<ApiResult<T>> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.Authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['Content-Type'] ??= 'application/json';
    }
    const response = await fetch(`${this.baseUrl}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      headers: response.headers,
      body: (text ? JSON.parse(text) : undefined) as T,
    };
  }

  async sms(): Promise<{ to: string; message: string; sentAt: string }[]> {
    return (await this.call<any>('GET', '/_local/sms')).body;
  }

  async emails(): Promise<{ to: string; subject: string; text: string; html: string; sentAt: string }[]> {
    return (await this.call<any>('GET', '/_local/email')).body;
  }

  /** The code of the newest SMS to a phone number. */
  async lastCode(to: string): Promise<string> {
    const messages = (await this.sms()).filter((m) => m.to === to);
    const code = /\b(\d{6})\b/.exec(messages.at(-1)?.message ?? '')?.[1];
    if (!code) throw new Error(`no SMS code for ${to}`);
    return code;
  }

  /** Waits for the completion email to a given address (the outbox drain sends it shortly after). */
  async waitForEmail(to: string, timeoutMs = 15_000, subject?: string) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = (await this.emails()).filter(
        (e) => e.to === to && (subject === undefined || e.subject.includes(subject)),
      );
      if (found.length > 0) return found;
      if (Date.now() > deadline) throw new Error(`no email to ${to} within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export const credentials = {
  card: { type: 'card', cardNumber: '4111111111111111', expiryMonth: 12, expiryYear: 2030, pin: '1234' },
  virtualKey: { type: 'virtual-key', cedula: '1710034065', pin: '5678' },
  company: { type: 'company', ruc: '1790011674001', cedula: '0926687856', pin: '4321' },
  otherKey: { type: 'virtual-key', cedula: '0905551230', pin: '9753' },
  companyMain: { type: 'company', ruc: '1791234561001', pin: '1357' },
  otherCard: { type: 'card', cardNumber: '6011111111111117', expiryMonth: 3, expiryYear: 2031, pin: '8642' },
  blockedCard: {
    type: 'card',
    cardNumber: '4000056655665556',
    expiryMonth: 9,
    expiryYear: 2028,
    pin: '1111',
  },
  registeredCard: {
    type: 'card',
    cardNumber: '378282246310005',
    expiryMonth: 11,
    expiryYear: 2029,
    pin: '2222',
  },
} as const;

export const phones = {
  tomas: '+593991234190',
  ana: '+593987654321',
  carlos: '+593998877665',
  lucia: '+593969998877',
} as const;

/** Walks steps 1 to 3 and returns the registration with its rotated token. */
export async function identifyAndVerify(api: Api, credential: object, phone: string) {
  const started = await api.call('POST', '/v1/registrations', { body: credential });
  if (started.status !== 201)
    throw new Error(`step 1 answered ${started.status}: ${JSON.stringify(started.body)}`);
  const id = started.body.registrationId as string;
  const sent = await api.call('POST', `/v1/registrations/${id}/otp`, { token: started.body.token });
  if (sent.status !== 202) throw new Error(`otp answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const code = await api.lastCode(phone);
  const verified = await api.call('POST', `/v1/registrations/${id}/otp/verify`, {
    token: started.body.token,
    body: { code },
  });
  if (verified.status !== 200)
    throw new Error(`verify answered ${verified.status}: ${JSON.stringify(verified.body)}`);
  return { id, token: verified.body.token as string, firstToken: started.body.token as string };
}

/** Steps 4 to 10 with valid answers. */
export async function fillProfile(api: Api, id: string, token: string, username: string) {
  const base = `/v1/registrations/${id}`;
  const steps: [string, string, unknown][] = [
    ['PUT', `${base}/username`, { username, confirmation: username }],
    [
      'PUT',
      `${base}/password`,
      { password: 'Mi clave de prueba 2026!', confirmation: 'Mi clave de prueba 2026!' },
    ],
    ['PUT', `${base}/security-image`, { imageId: 'colibri' }],
    ['PUT', `${base}/contact`, { homePhone: '022345678', workPhone: '+593991112233' }],
    [
      'PUT',
      `${base}/challenge-answers`,
      {
        answers: [
          { questionId: 'q-first-job', answer: 'Heladería' },
          { questionId: 'q-first-pet', answer: 'Firulais' },
          { questionId: 'q-mother-birth-city', answer: 'Cuenca' },
        ],
        acceptTerms: true,
        termsVersion: '2026-11',
      },
    ],
    ['PUT', `${base}/second-factor`, { hasSmartDevice: true, choice: 'digital-token' }],
  ];
  for (const [method, path, body] of steps) {
    const result = await api.call(method, path, { token, body });
    if (result.status !== 200)
      throw new Error(`${path} answered ${result.status}: ${JSON.stringify(result.body)}`);
  }
}

/** A whole registration through the API: step 1 with `credential`, the SMS code, the profile, `complete`. */
export async function registerUser(api: Api, credential: object, phone: string, username: string) {
  const { id, token } = await identifyAndVerify(api, credential, phone);
  await fillProfile(api, id, token, username);
  const done = await api.call('POST', `/v1/registrations/${id}/complete`, { token });
  if (done.status !== 201) throw new Error(`complete answered ${done.status}: ${JSON.stringify(done.body)}`);
}

/** S1 and S2 (with this browser's device token, if any): the started attempt and S2's answer. */
export async function signIn(
  api: Api,
  username: string,
  password: string,
  options: { deviceToken?: string; userAgent?: string } = {},
) {
  const headers = options.userAgent ? { 'User-Agent': options.userAgent } : undefined;
  const body = options.deviceToken ? { username, deviceToken: options.deviceToken } : { username };
  const started = await api.call('POST', '/v1/sign-ins', { body, headers });
  const answer = await api.call('POST', `/v1/sign-ins/${started.body.signInId}/password`, {
    token: started.body.token,
    body: { password },
    headers,
  });
  return { started, answer };
}

/** The TOTP code of an otpauth URI at a given time. */
export const totpAt = (uri: string, at: number): string =>
  (OTPAuth.URI.parse(uri) as OTPAuth.TOTP).generate({ timestamp: at });

/** T1 to T3 for a signed-in session: the SMS code to `phone`, then a TOTP from the shown secret. */
export async function activateToken(api: Api, session: string, phone: string): Promise<string> {
  const sent = await api.call('POST', '/v1/me/digital-token/activation', { token: session });
  if (sent.status !== 202) throw new Error(`T1 answered ${sent.status}: ${JSON.stringify(sent.body)}`);
  const scan = await api.call('POST', '/v1/me/digital-token/activation/verify', {
    token: session,
    body: { code: await api.lastCode(phone) },
  });
  const uri = scan.body.otpauthUri as string;
  const confirm = await api.call('POST', '/v1/me/digital-token/activation/confirm', {
    token: session,
    body: { code: totpAt(uri, Date.now()) },
  });
  if (confirm.body?.secondFactor !== 'active')
    throw new Error(`T3 answered ${confirm.status}: ${JSON.stringify(confirm.body)}`);
  return uri;
}
