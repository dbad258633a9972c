// The route table: one entry per public API route. It drives the CDK API (one Lambda per route, with its
// least-privilege grants) and the local gateway, so the two cannot drift.
import type { TableName } from './tables.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
/** The DynamoDB operations a function performs on a table, transactions included (IAM checks each item). */
export type TableAction =
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'Scan'
  | 'Query'
  /** A transaction's ConditionCheck item: IAM checks it as its own action. */
  | 'ConditionCheckItem';
/** Exactly what a function calls on a table: infrastructure grants these actions and no other. */
export type Access = readonly TableAction[];

/** What a function touches; infrastructure grants exactly this and nothing more. */
export interface RouteNeeds {
  tables: Partial<Record<TableName, Access>>;
  /** Publishes SMS through SNS (only the OTP sender). */
  sms?: boolean;
  /** The HMAC key (credential look-ups, codes, counters). */
  hmacKey?: boolean;
  /** The pepper of argon2id password and answer hashes. */
  pepper?: boolean;
  /** Runs argon2id: needs memory for m=19 MiB hashes. */
  hashes?: boolean;
  /** The data key that seals digital-token seeds (AES-256-GCM). */
  tokenKey?: boolean;
  /** Sets a password: the common-password list (lambdas/rules/common-passwords.txt) ships in its asset. */
  passwordList?: boolean;
}

/**
 * The customer journey a route belongs to. Each journey's functions, aliases, deployment groups and alarms
 * deploy together (one nested stack per journey), the API that routes to them stays in the parent.
 */
export type Journey = 'registration' | 'sign-in' | 'recovery' | 'self-service';

export type LimitGroup = 'identify' | 'sign-in' | 'sign-in-step' | 'otp' | 'wizard' | 'public';

export interface Route {
  /** Handler module: lambdas/handlers/<handler>.ts, exporting `handler`. */
  handler: string;
  method: HttpMethod;
  /** API Gateway resource path (path parameters in braces). */
  path: string;
  journey: Journey;
  /** Carries `Authorization: Bearer <token>`. */
  auth: boolean;
  /**
   * Rate-limit class for WAF and throttling: tighter on identify, sign-in and OTP (codes by SMS or app);
   * the password and token steps of sign-in have their own, sized for many customers behind one carrier
   * address (docs/CAPACITY.md): guessing there is stopped per account, by the locks.
   */
  limitGroup: LimitGroup;
  /** Has a JSON request body (validated by the handler's zod schema). */
  body: boolean;
  needs: RouteNeeds;
}

/** A wizard step: read the registration, then a versioned put of the next state. */
const session = { registrations: ['GetItem', 'PutItem'] } as const;
/** A GET of the wizard: read the registration and touch its sliding expiry. */
const sessionRead = { registrations: ['GetItem', 'UpdateItem'] } as const;

/**
 * What applying a held reset writes (recovery/hold.ts): the user, its locks cleared, the email and the audit
 * entry. Sign-in and recovery apply one whose hold ended (rule 54), so their functions hold these grants too.
 */
const holdApply = {
  users: ['GetItem', 'UpdateItem'],
  limits: ['DeleteItem'],
  outbox: ['PutItem'],
  audit: ['PutItem'],
} as const satisfies RouteNeeds['tables'];

/** A function's tables with the grants of applying a held reset added (each action once). */
export function withHoldApply(tables: RouteNeeds['tables']): RouteNeeds['tables'] {
  const merged: Partial<Record<TableName, TableAction[]>> = {};
  for (const part of [tables, holdApply]) {
    for (const [table, actions] of Object.entries(part) as [TableName, Access][]) {
      merged[table] = [...new Set([...(merged[table] ?? []), ...actions])];
    }
  }
  return merged;
}

export const routes: readonly Route[] = [
  {
    handler: 'health',
    method: 'GET',
    path: '/v1/health',
    journey: 'registration',
    auth: false,
    limitGroup: 'public',
    body: false,
    needs: { tables: {} },
  },
  {
    handler: 'start-registration',
    method: 'POST',
    path: '/v1/registrations',
    journey: 'registration',
    auth: false,
    limitGroup: 'identify',
    body: true,
    needs: {
      // users: a new step 1 frees the username of the customer's registration it closes (rule 41).
      tables: {
        customers: ['GetItem'],
        registrations: ['GetItem', 'PutItem'],
        limits: ['GetItem', 'UpdateItem', 'DeleteItem'],
        users: ['GetItem', 'DeleteItem'],
      },
      hmacKey: true,
      hashes: true,
    },
  },
  {
    handler: 'get-registration',
    method: 'GET',
    path: '/v1/registrations/{id}',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: sessionRead },
  },
  {
    handler: 'cancel-registration',
    method: 'DELETE',
    path: '/v1/registrations/{id}',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { ...session, users: ['DeleteItem'] } },
  },
  {
    handler: 'send-otp',
    method: 'POST',
    path: '/v1/registrations/{id}/otp',
    journey: 'registration',
    auth: true,
    limitGroup: 'otp',
    body: false,
    needs: {
      tables: {
        registrations: ['GetItem', 'PutItem', 'UpdateItem'],
        codes: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        limits: ['GetItem', 'UpdateItem'],
        customers: ['GetItem'],
      },
      sms: true,
      hmacKey: true,
    },
  },
  {
    handler: 'verify-otp',
    method: 'POST',
    path: '/v1/registrations/{id}/otp/verify',
    journey: 'registration',
    auth: true,
    limitGroup: 'otp',
    body: true,
    // limits and customers: wrong codes per customer, and the lock of all its credentials (rule 40).
    needs: {
      tables: {
        ...session,
        codes: ['GetItem', 'UpdateItem'],
        limits: ['GetItem', 'UpdateItem'],
        customers: ['GetItem'],
      },
      hmacKey: true,
    },
  },
  {
    handler: 'choose-username',
    method: 'PUT',
    path: '/v1/registrations/{id}/username',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    // limits: USERNAME_MAX_TRIES (rule 41).
    needs: {
      tables: { ...session, users: ['GetItem', 'PutItem', 'DeleteItem'], limits: ['GetItem', 'UpdateItem'] },
    },
  },
  {
    handler: 'create-password',
    method: 'PUT',
    path: '/v1/registrations/{id}/password',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    needs: { tables: session, pepper: true, hashes: true, passwordList: true },
  },
  {
    handler: 'list-security-images',
    method: 'GET',
    path: '/v1/registrations/{id}/security-images',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: sessionRead },
  },
  {
    handler: 'choose-security-image',
    method: 'PUT',
    path: '/v1/registrations/{id}/security-image',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    needs: { tables: session },
  },
  {
    handler: 'update-contact',
    method: 'PUT',
    path: '/v1/registrations/{id}/contact',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    needs: { tables: session },
  },
  {
    handler: 'list-challenge-questions',
    method: 'GET',
    path: '/v1/registrations/{id}/challenge-questions',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: sessionRead },
  },
  {
    handler: 'answer-challenge-questions',
    method: 'PUT',
    path: '/v1/registrations/{id}/challenge-answers',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    needs: { tables: session, pepper: true, hashes: true },
  },
  {
    handler: 'choose-second-factor',
    method: 'PUT',
    path: '/v1/registrations/{id}/second-factor',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    needs: { tables: session },
  },
  {
    handler: 'complete-registration',
    method: 'POST',
    path: '/v1/registrations/{id}/complete',
    journey: 'registration',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    // audit: the registration appears in the customer's trail staff read.
    needs: { tables: { ...session, users: ['PutItem'], outbox: ['PutItem'], audit: ['PutItem'] } },
  },
  {
    handler: 'start-sign-in',
    method: 'POST',
    path: '/v1/sign-ins',
    journey: 'sign-in',
    auth: false,
    limitGroup: 'sign-in',
    body: true,
    needs: {
      tables: withHoldApply({ users: ['GetItem'], signins: ['PutItem'], limits: ['GetItem', 'UpdateItem'] }),
      hmacKey: true,
    },
  },
  {
    handler: 'sign-in-password',
    method: 'POST',
    path: '/v1/sign-ins/{id}/password',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'sign-in-step',
    body: true,
    // withHoldApply: a held reset that ended since S1 applies here (rule 54). users UpdateItem and outbox:
    // a new device joins the user's list and is emailed (rule 56); audit: the session's activity entry.
    needs: {
      tables: withHoldApply({
        users: ['GetItem', 'UpdateItem'],
        signins: ['GetItem', 'PutItem', 'UpdateItem'],
        limits: ['GetItem', 'UpdateItem', 'DeleteItem'],
        outbox: ['PutItem'],
        audit: ['PutItem'],
      }),
      hmacKey: true,
      pepper: true,
      hashes: true,
    },
  },
  {
    handler: 'sign-in-digital-token',
    method: 'POST',
    path: '/v1/sign-ins/{id}/digital-token',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'sign-in-step',
    body: true,
    needs: {
      tables: {
        users: ['GetItem', 'UpdateItem'],
        signins: ['GetItem', 'PutItem', 'UpdateItem'],
        // The user's token failures across sign-ins, and the password count a whole success clears.
        limits: ['GetItem', 'UpdateItem', 'DeleteItem'],
        // The email that tells the customer the token sign-in was locked, and its audit entry.
        outbox: ['PutItem'],
        audit: ['PutItem'],
      },
      hmacKey: true,
      tokenKey: true,
    },
  },
  {
    handler: 'get-me',
    method: 'GET',
    path: '/v1/me',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { users: ['GetItem'], signins: ['GetItem', 'UpdateItem'], customers: ['GetItem'] } },
  },
  {
    handler: 'sign-out',
    method: 'DELETE',
    path: '/v1/me/session',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { users: ['GetItem'], signins: ['GetItem', 'UpdateItem', 'DeleteItem'] } },
  },
  {
    handler: 'send-token-activation-code',
    method: 'POST',
    path: '/v1/me/digital-token/activation',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'otp',
    body: false,
    needs: {
      tables: {
        users: ['GetItem'],
        signins: ['GetItem', 'UpdateItem'],
        codes: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        limits: ['GetItem', 'UpdateItem'],
        customers: ['GetItem'],
      },
      sms: true,
      hmacKey: true,
    },
  },
  {
    handler: 'verify-token-activation-code',
    method: 'POST',
    path: '/v1/me/digital-token/activation/verify',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'otp',
    body: true,
    needs: {
      tables: {
        users: ['GetItem', 'UpdateItem'],
        signins: ['GetItem', 'UpdateItem'],
        codes: ['GetItem', 'UpdateItem'],
        // The customer's wrong activation codes across sessions.
        limits: ['GetItem', 'UpdateItem'],
      },
      hmacKey: true,
      tokenKey: true,
    },
  },
  {
    handler: 'confirm-token-activation',
    method: 'POST',
    path: '/v1/me/digital-token/activation/confirm',
    journey: 'sign-in',
    auth: true,
    limitGroup: 'otp',
    body: true,
    needs: {
      tables: {
        users: ['GetItem', 'UpdateItem'],
        signins: ['GetItem', 'UpdateItem'],
        outbox: ['PutItem'],
        // The activation appears in the customer's trail staff read.
        audit: ['PutItem'],
      },
      tokenKey: true,
    },
  },
  // The signed-in customer's security center (rule 58): sessions, password, activity.
  {
    handler: 'list-sessions',
    method: 'GET',
    path: '/v1/me/sessions',
    journey: 'self-service',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { users: ['GetItem'], signins: ['GetItem', 'UpdateItem', 'Query'] } },
  },
  {
    handler: 'end-other-sessions',
    method: 'POST',
    path: '/v1/me/sessions/end-others',
    journey: 'self-service',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { users: ['GetItem'], signins: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] } },
  },
  {
    handler: 'end-session',
    method: 'DELETE',
    path: '/v1/me/sessions/{id}',
    journey: 'self-service',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { users: ['GetItem'], signins: ['GetItem', 'UpdateItem', 'Query', 'DeleteItem'] } },
  },
  {
    handler: 'change-password',
    method: 'PUT',
    path: '/v1/me/password',
    journey: 'self-service',
    auth: true,
    // Guessing the current password is stopped per account by the username's lock, as at S2.
    limitGroup: 'wizard',
    body: true,
    needs: {
      tables: {
        users: ['GetItem', 'UpdateItem'],
        // The session moves to the new epoch in the same transaction; the others die with the old one.
        signins: ['GetItem', 'UpdateItem'],
        // The username's password count: a wrong current password counts toward its lock.
        limits: ['GetItem', 'UpdateItem', 'DeleteItem'],
        customers: ['GetItem'],
        outbox: ['PutItem'],
        audit: ['PutItem'],
      },
      hmacKey: true,
      pepper: true,
      hashes: true,
      passwordList: true,
    },
  },
  {
    handler: 'list-activity',
    method: 'GET',
    path: '/v1/me/activity',
    journey: 'self-service',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { users: ['GetItem'], signins: ['GetItem', 'UpdateItem'], audit: ['Query'] } },
  },
  // «No fui yo» (rule 55): the link of a security email freezes the access. No bearer: the link is the proof.
  {
    handler: 'report-security',
    method: 'POST',
    path: '/v1/security-reports',
    journey: 'self-service',
    auth: false,
    limitGroup: 'identify',
    body: true,
    needs: {
      tables: {
        // The link (REPORT#<hash>, deleted by its use), and the user it disables.
        users: ['GetItem', 'UpdateItem', 'DeleteItem'],
        limits: ['GetItem', 'UpdateItem'],
        outbox: ['PutItem'],
        audit: ['PutItem'],
      },
      hmacKey: true,
    },
  },
  // Self-service recovery (forgotten username or password, lost phone): step 1's proof, the SMS code, a new
  // password. It never opens a registration and never creates a user.
  {
    handler: 'start-recovery',
    method: 'POST',
    path: '/v1/recoveries',
    journey: 'recovery',
    auth: false,
    limitGroup: 'identify',
    body: true,
    needs: {
      // withHoldApply: a held reset whose hold ended is applied before a new recovery starts (rule 54).
      tables: withHoldApply({
        customers: ['GetItem'],
        // The recovery, the customer's pointer to it and the closing of the open one it names: one transaction.
        recoveries: ['GetItem', 'PutItem'],
        // The same PIN counters and locks as step 1, and the recoveries per customer per day.
        limits: ['GetItem', 'UpdateItem', 'DeleteItem'],
        users: ['GetItem'],
      }),
      hmacKey: true,
      hashes: true,
    },
  },
  {
    handler: 'get-recovery',
    method: 'GET',
    path: '/v1/recoveries/{id}',
    journey: 'recovery',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { recoveries: ['GetItem', 'UpdateItem'] } },
  },
  {
    handler: 'cancel-recovery',
    method: 'DELETE',
    path: '/v1/recoveries/{id}',
    journey: 'recovery',
    auth: true,
    limitGroup: 'wizard',
    body: false,
    needs: { tables: { recoveries: ['GetItem', 'PutItem'] } },
  },
  {
    handler: 'send-recovery-otp',
    method: 'POST',
    path: '/v1/recoveries/{id}/otp',
    journey: 'recovery',
    auth: true,
    limitGroup: 'otp',
    body: false,
    needs: {
      tables: {
        recoveries: ['GetItem', 'PutItem', 'UpdateItem'],
        codes: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'],
        limits: ['GetItem', 'UpdateItem'],
        customers: ['GetItem'],
      },
      sms: true,
      hmacKey: true,
    },
  },
  {
    handler: 'verify-recovery-otp',
    method: 'POST',
    path: '/v1/recoveries/{id}/otp/verify',
    journey: 'recovery',
    auth: true,
    limitGroup: 'otp',
    body: true,
    needs: {
      tables: {
        recoveries: ['GetItem', 'PutItem'],
        codes: ['GetItem', 'UpdateItem'],
        limits: ['GetItem', 'UpdateItem'],
        customers: ['GetItem'],
        users: ['GetItem'],
      },
      hmacKey: true,
    },
  },
  {
    handler: 'reset-password',
    method: 'PUT',
    path: '/v1/recoveries/{id}/password',
    journey: 'recovery',
    auth: true,
    limitGroup: 'wizard',
    body: true,
    needs: {
      tables: {
        recoveries: ['GetItem', 'PutItem'],
        users: ['GetItem', 'UpdateItem'],
        // Recoveries per customer per day; the password and token locks it clears.
        limits: ['GetItem', 'UpdateItem', 'DeleteItem'],
        outbox: ['PutItem'],
        audit: ['PutItem'],
        // The phone on file, for the SMS that announces a held token reset (rule 54).
        customers: ['GetItem'],
      },
      sms: true,
      hmacKey: true,
      pepper: true,
      hashes: true,
      passwordList: true,
    },
  },
];

/**
 * Functions that are not API routes. The completion-email sender consumes the outbox table's stream and
 * is the only function allowed to send email.
 */
export const streamConsumers = [
  {
    handler: 'send-completion-email',
    source: 'outbox' as TableName,
    // users: each security email's «No fui yo» link is stored (hashed) when the email is sent (rule 55).
    needs: { tables: { outbox: ['UpdateItem'], customers: ['GetItem'], users: ['PutItem'] }, email: true },
  },
] as const;

/**
 * Functions run on a schedule. The outbox sweep delivers completion emails a dead worker left behind (rule 43):
 * it scans the outbox for them.
 */
export const scheduledFunctions = [
  {
    handler: 'sweep-outbox',
    everyMinutes: 5,
    // users: each security email's «No fui yo» link is stored (hashed) when the email is sent (rule 55).
    needs: {
      tables: { outbox: ['UpdateItem', 'Scan'], customers: ['GetItem'], users: ['PutItem'] },
      email: true,
    },
  },
  // The hold sweep (rule 54): applies every held token reset whose hold ended, from the users table's index.
  {
    handler: 'sweep-held-resets',
    everyMinutes: 5,
    needs: { tables: withHoldApply({ users: ['GetItem', 'Query'] }), hmacKey: true },
  },
] as const;

/**
 * The assisted-service API for branch and call-center staff: a separate REST API, AWS_IAM on every method,
 * never behind CloudFront. Staff roles are granted execute-api:Invoke per path, so a call center can be
 * allowed `status` and `unlock` only.
 */
export interface AssistedRoute {
  handler: string;
  method: HttpMethod;
  path: string;
  body: boolean;
  needs: RouteNeeds;
}

export const assistedActions = [
  'unlock',
  'revoke-sessions',
  'reset-token',
  'disable',
  'enable',
  'release-hold',
  'cancel-hold',
] as const;
export type AssistedAction = (typeof assistedActions)[number];

export const assistedRoutes: readonly AssistedRoute[] = [
  {
    handler: 'agent-status',
    method: 'GET',
    path: '/v1/customers/{customerId}',
    body: false,
    needs: {
      tables: {
        customers: ['GetItem'],
        users: ['GetItem'],
        limits: ['GetItem'],
        registrations: ['GetItem'],
        recoveries: ['GetItem'],
        signins: ['Query'],
        audit: ['Query'],
      },
      hmacKey: true,
    },
  },
  {
    handler: 'agent-action',
    method: 'POST',
    path: '/v1/customers/{customerId}/actions/{action}',
    body: true,
    needs: {
      tables: {
        customers: ['GetItem'],
        // An unlock changes nothing on the user item: the transaction only checks the user exists.
        users: ['GetItem', 'UpdateItem', 'ConditionCheckItem'],
        // The locks it reads and clears, the staff member's changes per hour, the Idempotency-Key's request.
        limits: ['GetItem', 'UpdateItem', 'PutItem', 'DeleteItem'],
        outbox: ['PutItem'],
        audit: ['PutItem'],
      },
      hmacKey: true,
    },
  },
  {
    handler: 'agent-lookup',
    method: 'POST',
    path: '/v1/customer-lookups',
    body: true,
    // customers: the customer item and the cédula/RUC look-up items; users: a username's holder.
    needs: { tables: { customers: ['GetItem'], users: ['GetItem'] }, hmacKey: true },
  },
  {
    handler: 'agent-verify-answer',
    method: 'POST',
    path: '/v1/customers/{customerId}/verify-answer',
    body: true,
    needs: {
      tables: {
        customers: ['GetItem'],
        users: ['GetItem'],
        // The identity checks per customer per day.
        limits: ['GetItem', 'UpdateItem'],
        audit: ['PutItem'],
      },
      pepper: true,
      hashes: true,
    },
  },
];
