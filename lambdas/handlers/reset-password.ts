// PUT /v1/recoveries/{id}/password: R4, the new password; sessions end, locks clear, maybe the token resets
// (held for TOKEN_RESET_HOLD_SECONDS when the token is active: 202 on-hold, announced by email and SMS).
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { resetPassword } from '../recovery/new-password.ts';
import { recoveryInput } from '../recovery/session.ts';
import { config, logger, random } from '../runtime.ts';
import { smsSender } from '../sms.ts';
import { access, accounts, db, directory, recoveryDeps } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));
const sms = smsSender();

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...recoveryDeps(request.log),
    random,
    keyed: await keyed(),
    hasher: await hasher(),
    limits,
    access: access(),
    accounts: accounts(),
    directory: directory(),
    sms,
    rules: {
      recoveryMaxPerCustomerPerDay: config.recoveryMaxPerCustomerPerDay,
      tokenResetHoldSeconds: config.tokenResetHoldSeconds,
    },
  };
  const input = { ...recoveryInput(request.session()), readBody: request.json };
  const answer = await resetPassword(deps, input);
  return { status: answer.step === 'on-hold' ? 202 : 200, body: answer };
});
