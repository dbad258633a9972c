// POST /v1/recoveries/{id}/otp: R2, send a code to the phone on file, saying it is for recovering access.
import { DynamoCodeStore } from '../adapters/dynamodb/code-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { sendRecoveryCode } from '../recovery/code.ts';
import { recoveryInput } from '../recovery/session.ts';
import { config, logger, random } from '../runtime.ts';
import { smsSender } from '../sms.ts';
import { db, directory, recoveryDeps } from '../storage.ts';

const codes = new DynamoCodeStore(db(), config.table('codes'));
const limits = new DynamoLimitStore(db(), config.table('limits'));
const sms = smsSender();

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...recoveryDeps(request.log),
    random,
    keyed: await keyed(),
    codes,
    limits,
    directory: directory(),
    sms,
    otp: config.otp,
  };
  return { status: 202, body: await sendRecoveryCode(deps, recoveryInput(request.session())) };
});
