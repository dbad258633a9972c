// Configuration, parsed once from the environment at cold start. Nothing else reads process.env.
import * as z from 'zod/mini';
import { type TableName, tableEnvVar, tableNames } from './tables.ts';

const int = (min: number) => z.pipe(z.coerce.number(), z.int().check(z.gte(min)));
const seconds = (fallback: number) => z._default(int(1), fallback);

/**
 * The most any count or sliding-window limit may be set to. A window keeps one slot per allowed call in
 * one DynamoDB item that every call reads (limit-store.ts): thousands of slots make each call slow and the
 * item large, so a value above this is refused at cold start rather than discovered under load.
 */
export const MAX_LIMIT = 500;
const limit = (fallback: number) =>
  z._default(
    z.pipe(
      z.coerce.number(),
      z.int().check(z.gte(1), z.lte(MAX_LIMIT, `at most ${MAX_LIMIT} (a limit is slots in one item)`)),
    ),
    fallback,
  );

const schema = z.object({
  RUNTIME_MODE: z._default(z.enum(['aws', 'local']), 'aws'),
  OTP_TTL_SECONDS: seconds(300),
  OTP_MAX_ATTEMPTS: limit(3),
  OTP_MAX_SENDS: limit(3),
  OTP_RESEND_COOLDOWN_SECONDS: seconds(30),
  OTP_MAX_SENDS_PER_PHONE_PER_HOUR: limit(5),
  SESSION_IDLE_SECONDS: seconds(300),
  SESSION_MAX_SECONDS: seconds(1200),
  PIN_MAX_ATTEMPTS: limit(3),
  PIN_LOCK_SECONDS: seconds(86400),
  IDENTIFY_MAX_PER_IP_PER_MINUTE: limit(10),
  OTP_MAX_FAILURES_PER_CUSTOMER: limit(10),
  USERNAME_MAX_TRIES: limit(10),
  SIGN_IN_MAX_PER_IP_PER_MINUTE: limit(20),
  PASSWORD_MAX_ATTEMPTS: limit(5),
  PASSWORD_LOCK_SECONDS: seconds(1800),
  TOKEN_MAX_ATTEMPTS: limit(3),
  TOKEN_MAX_FAILURES_PER_USER: limit(10),
  /** Recoveries one customer may complete in any 24 hours. */
  RECOVERY_MAX_PER_CUSTOMER_PER_DAY: limit(3),
  /** How long a recovery that removes an active digital token waits before it applies (rule 54). */
  TOKEN_RESET_HOLD_SECONDS: seconds(43200),
  /** How long a «No fui yo» link in a security email stays valid (rule 55). */
  SECURITY_REPORT_TTL_SECONDS: seconds(604800),
  /** «No fui yo» reports one client address may send per minute. */
  SECURITY_REPORT_MAX_PER_IP_PER_MINUTE: limit(10),
  /** Where the web pages are, for the links in emails (locally the stack's own address). */
  WEB_BASE_URL: z._default(z.url(), 'http://localhost:3000'),
  /** Changes one staff member may make through the assisted service in any hour. */
  STAFF_MAX_CHANGES_PER_HOUR: limit(60),
  /** Identity checks by challenge answer staff may make on one customer in any 24 hours (rule 59). */
  IDENTITY_CHECKS_PER_CUSTOMER_PER_DAY: limit(3),
  SIGNED_IN_IDLE_SECONDS: seconds(300),
  SIGNED_IN_MAX_SECONDS: seconds(1800),
  /** Where DynamoDB is, when not the AWS regional endpoint (DynamoDB Local, for instance). */
  DYNAMODB_ENDPOINT: z.optional(z.url()),
  /** Where SES is, when not the AWS regional endpoint (the local SES emulator). */
  SES_ENDPOINT: z.optional(z.url()),
  /** AWS: Secrets Manager ARNs of the HMAC key and the pepper (never the values). */
  HMAC_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  PEPPER_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  /** AWS: Secrets Manager ARN of the data key that encrypts digital-token secrets (never the value). */
  TOKEN_KEY_SECRET_ARN: z.optional(z.string().check(z.minLength(1))),
  /** AWS: the function's session token authenticates calls to the Parameters and Secrets extension. */
  AWS_SESSION_TOKEN: z.optional(z.string().check(z.minLength(1))),
  /** Set by Lambda itself: tells a function from a workstation that also holds a session token. */
  AWS_LAMBDA_FUNCTION_NAME: z.optional(z.string().check(z.minLength(1))),
  PARAMETERS_SECRETS_EXTENSION_HTTP_PORT: z._default(int(1), 2773),
  /** Local: a JSON file `{ hmacKey, pepper }` (random strings of 32 bytes or more, used as they are, like the
   * SecretString of the AWS secrets) that `npm start` creates with fresh random keys. */
  LOCAL_SECRETS_FILE: z.optional(z.string().check(z.minLength(1))),
  /** Local: folder of the SMS outbox that `/_local/sms` serves. */
  LOCAL_OUTBOX_DIR: z.optional(z.string().check(z.minLength(1))),
  /** AWS: the SMS origination identity, from deployment context (a short code for Ecuador). */
  SMS_ORIGINATION_NUMBER: z.optional(z.string().check(z.regex(/^\+?\d{3,15}$/))),
  /** AWS: an alphanumeric SMS sender ID (1-11 characters, at least one letter), where the country shows one. */
  SMS_SENDER_ID: z.optional(z.string().check(z.regex(/^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/))),
  /** CloudWatch namespace of the metrics a function publishes itself (the outbox sweep's EMF lines). */
  METRICS_NAMESPACE: z._default(z.string().check(z.minLength(1)), 'SelfRegistration/local'),
  /** AWS: a table this function may GetItem, read by the deploy hook's smoke call (lib/deploy-hook.ts). */
  SMOKE_READ_TABLE: z.optional(z.enum(tableNames)),
  EMAIL_FROM: z._default(z.email(), 'no-reply@produbanco.com.ec'),
  SES_CONFIGURATION_SET: z.optional(z.string().check(z.minLength(1))),
  /** argon2id cost: never below m=19 MiB, t=2, p=1 (SECURITY.md rule 19). */
  ARGON2_MEMORY_KIB: z._default(int(19456), 19456),
  ARGON2_TIME_COST: z._default(int(2), 2),
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error', 'silent']), 'info'),
  ...Object.fromEntries(
    tableNames.map((name) => [tableEnvVar(name), z.optional(z.string().check(z.minLength(1)))]),
  ),
});

type Parsed = z.infer<typeof schema>;

/** Every variable the configuration reads (the local stack's start banner names the ones a developer set). */
export const configVariables: readonly string[] = Object.keys(schema.shape);

export interface Config {
  mode: 'aws' | 'local';
  otp: {
    ttlSeconds: number;
    maxAttempts: number;
    maxSends: number;
    cooldownSeconds: number;
    perPhonePerHour: number;
    /** Wrong codes one customer may enter across registrations within the PIN lock time (rule 40). */
    maxFailuresPerCustomer: number;
  };
  /** Username calls one registration may make (rule 41). */
  usernameMaxTries: number;
  session: { idleSeconds: number; maxSeconds: number };
  pin: { maxAttempts: number; lockSeconds: number };
  identifyPerIpPerMinute: number;
  /** Self-service recoveries one customer may complete in any 24 hours. */
  recoveryMaxPerCustomerPerDay: number;
  /** A recovery that removes an active digital token applies this long after it was asked (rule 54). */
  tokenResetHoldSeconds: number;
  securityReport: { ttlSeconds: number; perIpPerMinute: number };
  /** The web pages' origin, without a trailing slash: links in emails point there. */
  webBaseUrl: string;
  staff: { maxChangesPerHour: number; identityChecksPerCustomerPerDay: number };
  signIn: {
    perIpPerMinute: number;
    passwordMaxAttempts: number;
    passwordLockSeconds: number;
    tokenMaxAttempts: number;
    /** Wrong digital-token codes one user may enter across sign-ins within PASSWORD_LOCK_SECONDS. */
    tokenMaxFailuresPerUser: number;
    idleSeconds: number;
    maxSeconds: number;
  };
  dynamodbEndpoint?: string;
  sesEndpoint?: string;
  secrets: {
    hmacSecretArn?: string;
    pepperSecretArn?: string;
    tokenKeySecretArn?: string;
    localFile?: string;
    extension?: { port: number; token: string };
  };
  localOutboxDir?: string;
  sms: { originationNumber?: string; senderId?: string };
  metricsNamespace: string;
  /** The Lambda function's name (absent outside Lambda): the dimension of the metrics a function publishes. */
  functionName?: string;
  /** The table the deploy hook's smoke call reads one (absent) item of: one the function may GetItem. */
  smokeReadTable?: TableName;
  email: { from: string; configurationSet?: string };
  argon2: { memoryKiB: number; timeCost: number };
  logLevel: Parsed['LOG_LEVEL'];
  /** The physical name of a table; throws a clear message when the function was not given it. */
  table(name: TableName): string;
}

export function parseConfig(env: NodeJS.ProcessEnv): Config {
  const result = schema.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues
      .map((issue) => `${issue.path.join('.')}: ${issue.message}`)
      .join('; ');
    throw new Error(`Invalid configuration: ${problems}`);
  }
  const c = result.data;
  const tables = c as unknown as Record<string, string | undefined>;
  return {
    mode: c.RUNTIME_MODE,
    otp: {
      ttlSeconds: c.OTP_TTL_SECONDS,
      maxAttempts: c.OTP_MAX_ATTEMPTS,
      maxSends: c.OTP_MAX_SENDS,
      cooldownSeconds: c.OTP_RESEND_COOLDOWN_SECONDS,
      perPhonePerHour: c.OTP_MAX_SENDS_PER_PHONE_PER_HOUR,
      maxFailuresPerCustomer: c.OTP_MAX_FAILURES_PER_CUSTOMER,
    },
    usernameMaxTries: c.USERNAME_MAX_TRIES,
    session: { idleSeconds: c.SESSION_IDLE_SECONDS, maxSeconds: c.SESSION_MAX_SECONDS },
    pin: { maxAttempts: c.PIN_MAX_ATTEMPTS, lockSeconds: c.PIN_LOCK_SECONDS },
    identifyPerIpPerMinute: c.IDENTIFY_MAX_PER_IP_PER_MINUTE,
    recoveryMaxPerCustomerPerDay: c.RECOVERY_MAX_PER_CUSTOMER_PER_DAY,
    tokenResetHoldSeconds: c.TOKEN_RESET_HOLD_SECONDS,
    securityReport: {
      ttlSeconds: c.SECURITY_REPORT_TTL_SECONDS,
      perIpPerMinute: c.SECURITY_REPORT_MAX_PER_IP_PER_MINUTE,
    },
    webBaseUrl: c.WEB_BASE_URL.replace(/\/+$/, ''),
    staff: {
      maxChangesPerHour: c.STAFF_MAX_CHANGES_PER_HOUR,
      identityChecksPerCustomerPerDay: c.IDENTITY_CHECKS_PER_CUSTOMER_PER_DAY,
    },
    signIn: {
      perIpPerMinute: c.SIGN_IN_MAX_PER_IP_PER_MINUTE,
      passwordMaxAttempts: c.PASSWORD_MAX_ATTEMPTS,
      passwordLockSeconds: c.PASSWORD_LOCK_SECONDS,
      tokenMaxAttempts: c.TOKEN_MAX_ATTEMPTS,
      tokenMaxFailuresPerUser: c.TOKEN_MAX_FAILURES_PER_USER,
      idleSeconds: c.SIGNED_IN_IDLE_SECONDS,
      maxSeconds: c.SIGNED_IN_MAX_SECONDS,
    },
    dynamodbEndpoint: c.DYNAMODB_ENDPOINT,
    sesEndpoint: c.SES_ENDPOINT,
    secrets: {
      hmacSecretArn: c.HMAC_SECRET_ARN,
      pepperSecretArn: c.PEPPER_SECRET_ARN,
      tokenKeySecretArn: c.TOKEN_KEY_SECRET_ARN,
      localFile: c.LOCAL_SECRETS_FILE,
      extension:
        c.AWS_LAMBDA_FUNCTION_NAME && c.AWS_SESSION_TOKEN
          ? { port: c.PARAMETERS_SECRETS_EXTENSION_HTTP_PORT, token: c.AWS_SESSION_TOKEN }
          : undefined,
    },
    localOutboxDir: c.LOCAL_OUTBOX_DIR,
    sms: { originationNumber: c.SMS_ORIGINATION_NUMBER, senderId: c.SMS_SENDER_ID },
    metricsNamespace: c.METRICS_NAMESPACE,
    functionName: c.AWS_LAMBDA_FUNCTION_NAME,
    smokeReadTable: c.SMOKE_READ_TABLE,
    email: { from: c.EMAIL_FROM, configurationSet: c.SES_CONFIGURATION_SET },
    argon2: { memoryKiB: c.ARGON2_MEMORY_KIB, timeCost: c.ARGON2_TIME_COST },
    logLevel: c.LOG_LEVEL,
    table(name) {
      const value = tables[tableEnvVar(name)];
      if (!value) throw new Error(`Invalid configuration: ${tableEnvVar(name)} is not set`);
      return value;
    },
  };
}
