// Generates docs/openapi.json (OpenAPI 3.1) from the route table and the very zod schemas the handlers
// validate with. `npm run openapi` rewrites it; a test fails when the checked-in file is out of date.
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import * as z from 'zod/mini';
import { verifyRecoveryCodeSchema } from '../lambdas/recovery/code.ts';
import { resetPasswordSchema } from '../lambdas/recovery/new-password.ts';
import { chooseUsernameSchema } from '../lambdas/registration/choose-username.ts';
import { createPasswordSchema } from '../lambdas/registration/create-password.ts';
import {
  challengeAnswersSchema,
  chooseImageSchema,
  secondFactorSchema,
  updateContactSchema,
} from '../lambdas/registration/profile-steps.ts';
import { steps } from '../lambdas/registration/steps.ts';
import { verifyOtpSchema } from '../lambdas/registration/verify-otp.ts';
import { routes } from '../lambdas/routes.ts';
import { RATE_LIMIT_REASONS, SESSION_END_REASONS } from '../lambdas/rules/errors.ts';
import { identificationSchema as startRegistrationSchema } from '../lambdas/rules/identify-customer.ts';
import { reportSchema } from '../lambdas/security-report/report.ts';
import { changePasswordSchema } from '../lambdas/self-service/password.ts';
import { tokenCodeSchema } from '../lambdas/sign-in/digital-token.ts';
import { passwordSchema } from '../lambdas/sign-in/password.ts';
import { startSignInSchema } from '../lambdas/sign-in/start-sign-in.ts';

const step = z.enum(steps);
const recoveryStep = z.enum(['verify-contact', 'enter-otp', 'new-password', 'on-hold', 'completed']);
const stepOnly = z.object({ step });
const contact = z.object({ phone: z.string(), email: z.string() });
const isoTime = z.iso.datetime();

interface Operation {
  summary: string;
  request?: z.ZodMiniType;
  status: number;
  response?: z.ZodMiniType;
  /** A second success answer (R4's 202 when a token reset is held). */
  alternative?: { status: number; description: string; response: z.ZodMiniType };
  errors: number[];
}

const session = [401, 409, 429, 503];
const image = z.object({ id: z.string(), url: z.string(), label: z.string() });
const secondFactor = z.enum(['active', 'pending-activation', 'later']);
const signedIn = z.object({
  step: z.literal('signed-in'),
  session: z.object({ token: z.string(), expiresAt: isoTime }),
  secondFactor,
  deviceToken: z.optional(z.string()),
});
const signedInOnly = [401, 429, 503];
const codeSent = z.object({
  step: z.literal('enter-otp'),
  expiresAt: isoTime,
  resendAvailableAt: isoTime,
  sendsLeft: z.int(),
});
const body = [400, 413, 422];

const operations: Record<string, Operation> = {
  health: {
    summary: 'Liveness of the API',
    status: 200,
    response: z.object({ status: z.literal('ok') }),
    errors: [],
  },
  'start-registration': {
    summary: 'Step 1: prove a card, company key or virtual key with its 4-digit PIN',
    request: startRegistrationSchema,
    status: 201,
    response: z.object({
      registrationId: z.string(),
      token: z.string(),
      step: z.literal('verify-contact'),
      contact,
      expiresAt: isoTime,
    }),
    errors: [...body, 401, 409, 423, 429, 503],
  },
  'get-registration': {
    summary: 'Resume after a reload: the current step',
    status: 200,
    response: z.object({ step, expiresAt: isoTime, contact }),
    errors: session,
  },
  'cancel-registration': { summary: 'Cancel; frees the username reservation', status: 204, errors: session },
  'send-otp': {
    summary: 'Step 2: send an SMS code to the phone on file',
    status: 202,
    response: z.object({
      step: z.literal('enter-otp'),
      expiresAt: isoTime,
      resendAvailableAt: isoTime,
      sendsLeft: z.int(),
    }),
    errors: session,
  },
  'verify-otp': {
    summary: 'Step 3: check the SMS code; rotates the token',
    request: verifyOtpSchema,
    status: 200,
    response: z.object({ step: z.literal('choose-username'), token: z.string() }),
    errors: [...body, ...session, 410, 423],
  },
  'choose-username': {
    summary: 'Step 4: choose and reserve a username',
    request: chooseUsernameSchema,
    status: 200,
    response: stepOnly,
    errors: [...body, ...session],
  },
  'create-password': {
    summary: 'Step 5: create the password',
    request: createPasswordSchema,
    status: 200,
    response: stepOnly,
    errors: [...body, ...session],
  },
  'list-security-images': {
    summary: 'Step 6: the security images',
    status: 200,
    response: z.object({ images: z.array(z.object({ id: z.string(), url: z.string(), label: z.string() })) }),
    errors: session,
  },
  'choose-security-image': {
    summary: 'Step 6: choose the security image',
    request: chooseImageSchema,
    status: 200,
    response: stepOnly,
    errors: [...body, ...session],
  },
  'update-contact': {
    summary: 'Step 7: home and work phones',
    request: updateContactSchema,
    status: 200,
    response: stepOnly,
    errors: [...body, ...session],
  },
  'list-challenge-questions': {
    summary: 'Step 8: the challenge questions and the terms',
    status: 200,
    response: z.object({
      questions: z.array(z.object({ id: z.string(), text: z.string() })),
      required: z.literal(3),
      terms: z.object({ version: z.string(), text: z.string() }),
    }),
    errors: session,
  },
  'answer-challenge-questions': {
    summary: 'Step 8: three answers and the acceptance of the terms',
    request: challengeAnswersSchema,
    status: 200,
    response: stepOnly,
    errors: [...body, ...session],
  },
  'choose-second-factor': {
    summary: 'Steps 9-10: smartphone and digital token or later',
    request: secondFactorSchema,
    status: 200,
    response: stepOnly,
    errors: [...body, ...session],
  },
  'complete-registration': {
    summary: 'Step 11: create the user; the completion email follows',
    status: 201,
    response: z.object({
      step: z.literal('completed'),
      username: z.string(),
      secondFactor: z.enum(['pending-activation', 'later']),
    }),
    errors: session,
  },
  'start-sign-in': {
    summary: 'S1: a username; answers the security image (a stable decoy for an unknown name)',
    request: startSignInSchema,
    status: 201,
    response: z.object({ signInId: z.string(), token: z.string(), step: z.literal('password'), image }),
    errors: [...body, 429, 503],
  },
  'sign-in-password': {
    summary: 'S2: the password; a signed-in session, or the digital-token step when a token is active',
    request: passwordSchema,
    status: 200,
    response: z.union([signedIn, z.object({ step: z.literal('digital-token') })]),
    errors: [...body, ...session, 403, 423],
  },
  'sign-in-digital-token': {
    summary: 'S3: the code of the active digital token (RFC 6238 TOTP)',
    request: tokenCodeSchema,
    status: 200,
    response: signedIn,
    errors: [...body, ...session, 403, 423],
  },
  'get-me': {
    summary: 'M1: the signed-in user: username, masked contact, second factor, security image',
    status: 200,
    response: z.object({ username: z.string(), contact, secondFactor, image }),
    errors: [401, 429, 503],
  },
  'sign-out': { summary: 'M2: sign out; the session token dies', status: 204, errors: [401, 429, 503] },
  'send-token-activation-code': {
    summary: 'T1: an SMS code to the phone on file, to bind a digital token',
    status: 202,
    response: codeSent,
    errors: session,
  },
  'verify-token-activation-code': {
    summary: 'T2: the SMS code; a new 160-bit secret as otpauth URI, base32 and SVG QR code (shown once)',
    request: verifyOtpSchema,
    status: 200,
    response: z.object({
      step: z.literal('scan'),
      otpauthUri: z.string(),
      secret: z.string(),
      qrSvg: z.string(),
    }),
    errors: [...body, ...session, 410, 423],
  },
  'confirm-token-activation': {
    summary: 'T3: the first code from the app; the token is active and an email tells the customer',
    request: tokenCodeSchema,
    status: 200,
    response: z.object({ secondFactor: z.literal('active') }),
    errors: [...body, ...session, 423],
  },
  'start-recovery': {
    summary: 'R1: prove a card, company key or virtual key with its PIN (step 1 counters) to recover access',
    request: startRegistrationSchema,
    status: 201,
    response: z.object({
      recoveryId: z.string(),
      token: z.string(),
      step: z.literal('verify-contact'),
      contact,
      expiresAt: isoTime,
    }),
    errors: [...body, 401, 403, 409, 423, 429, 503],
  },
  'get-recovery': {
    summary: 'Resume a recovery after a reload; the username once the code was verified',
    status: 200,
    response: z.object({
      step: recoveryStep,
      expiresAt: isoTime,
      contact,
      username: z.optional(z.string()),
      secondFactor: z.optional(secondFactor),
      until: z.optional(isoTime),
    }),
    errors: session,
  },
  'cancel-recovery': { summary: 'Cancel a recovery', status: 204, errors: session },
  'send-recovery-otp': {
    summary: 'R2: send an SMS code for recovering access to the phone on file',
    status: 202,
    response: codeSent,
    errors: session,
  },
  'verify-recovery-otp': {
    summary: 'R3: check the SMS code; rotates the token and names the username',
    request: verifyRecoveryCodeSchema,
    status: 200,
    response: z.object({
      step: z.literal('new-password'),
      token: z.string(),
      username: z.string(),
      secondFactor,
    }),
    errors: [...body, ...session, 410, 423],
  },
  'reset-password': {
    summary: 'R4: the new password; ends every session, clears the locks, resets the token on request',
    request: resetPasswordSchema,
    status: 200,
    response: z.object({ step: z.literal('completed'), username: z.string(), secondFactor }),
    alternative: {
      status: 202,
      description: 'A reset of the active digital token is held (rule 54): nothing changes until `until`',
      response: z.object({ step: z.literal('on-hold'), username: z.string(), until: isoTime }),
    },
    errors: [...body, ...session, 403],
  },
  'list-sessions': {
    summary: "The signed-in customer's live sessions: browser, coarse place, times; the current one marked",
    status: 200,
    response: z.object({
      sessions: z.array(
        z.object({
          id: z.string(),
          current: z.boolean(),
          createdAt: isoTime,
          lastSeenAt: isoTime,
          device: z.string(),
          place: z.string(),
        }),
      ),
    }),
    errors: signedInOnly,
  },
  'end-other-sessions': {
    summary: 'Ends every session of the customer but the current one',
    status: 200,
    response: z.object({ ended: z.int() }),
    errors: signedInOnly,
  },
  'end-session': {
    summary: 'Ends one session of the customer (404 for an id that is not one of theirs)',
    status: 204,
    errors: [...signedInOnly, 404],
  },
  'change-password': {
    summary: 'The current password and a new one (step 5 policy); every other session ends, this one stays',
    request: changePasswordSchema,
    status: 204,
    errors: [...body, ...signedInOnly, 423],
  },
  'list-activity': {
    summary: "The customer's last 20 security events: what and when, never who on the bank's side or why",
    status: 200,
    response: z.object({
      events: z.array(
        z.object({
          at: isoTime,
          kind: z.string(),
          device: z.optional(z.string()),
          place: z.optional(z.string()),
          details: z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]))),
        }),
      ),
    }),
    errors: signedInOnly,
  },
  'report-security': {
    summary: '«No fui yo»: the one-time link of a security email freezes the access at once',
    request: reportSchema,
    status: 200,
    response: z.object({ frozen: z.literal(true) }),
    errors: [...body, 410, 429, 503],
  },
};

const schema = (s: z.ZodMiniType) => {
  const { $schema: _drop, ...json } = z.toJSONSchema(s, { io: 'input', unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
};

const problem = {
  type: 'object',
  required: ['type', 'title', 'status', 'code', 'detail', 'requestId'],
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    code: { type: 'string' },
    detail: { type: 'string', description: 'Spanish text for the customer' },
    requestId: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        required: ['field', 'code', 'message'],
        properties: { field: { type: 'string' }, code: { type: 'string' }, message: { type: 'string' } },
      },
    },
    attemptsLeft: { type: 'integer' },
    currentStep: { type: 'string' },
    reason: {
      type: 'string',
      enum: [...RATE_LIMIT_REASONS, ...SESSION_END_REASONS],
      description:
        'rate_limited: the limit that was hit; session_invalid: `revoked` when a recovery, a password change or the bank staff closed the session before its time',
    },
    until: {
      type: 'string',
      format: 'date-time',
      description: 'recovery_on_hold: when the held change applies',
    },
  },
};

export function buildOpenApi(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const op = operations[route.handler];
    if (!op) throw new Error(`no OpenAPI operation for route handler ${route.handler}`);
    const responses: Record<string, unknown> = {
      [op.status]: op.response
        ? { description: 'Success', content: { 'application/json': { schema: schema(op.response) } } }
        : { description: 'Success, no content' },
      ...(op.alternative
        ? {
            [op.alternative.status]: {
              description: op.alternative.description,
              content: { 'application/json': { schema: schema(op.alternative.response) } },
            },
          }
        : {}),
    };
    for (const status of op.errors) {
      responses[status] = { $ref: '#/components/responses/Problem' };
    }
    paths[route.path] ??= {};
    (paths[route.path] as Record<string, unknown>)[route.method.toLowerCase()] = {
      operationId: route.handler,
      summary: op.summary,
      ...(route.auth ? { security: [{ bearer: [] }] } : { security: [] }),
      ...(route.path.includes('{id}')
        ? { parameters: [{ name: 'id', in: 'path', required: true, schema: { type: 'string' } }] }
        : {}),
      ...(op.request
        ? { requestBody: { required: true, content: { 'application/json': { schema: schema(op.request) } } } }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Produbanco self-registration API',
      version: '1.0.0',
      description:
        'The public contract of the self-registration wizard. Errors are RFC 9457 problem details.',
    },
    servers: [{ url: 'http://127.0.0.1:3000', description: 'local stack (npm start)' }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'Opaque registration, sign-in or session token',
        },
      },
      schemas: { Problem: problem },
      responses: {
        Problem: {
          description: 'Problem details',
          content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
        },
      },
    },
    paths,
  };
}

export const openApiPath = resolve(import.meta.dirname, '..', 'docs', 'openapi.json');

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  writeFileSync(openApiPath, `${JSON.stringify(buildOpenApi(), null, 2)}\n`);
  process.stdout.write(`wrote ${join('docs', 'openapi.json')}\n`);
}
