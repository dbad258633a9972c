// POST /v1/me/digital-token/activation: T1, an SMS code to the phone on file.
import { DynamoCodeStore } from '../adapters/dynamodb/code-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { sendActivationCode } from '../digital-token/activation.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { config, logger, random } from '../runtime.ts';
import { smsSender } from '../sms.ts';
import { db, directory, signedInDeps } from '../storage.ts';

const codes = new DynamoCodeStore(db(), config.table('codes'));
const limits = new DynamoLimitStore(db(), config.table('limits'));
const sms = smsSender();

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...signedInDeps(request.log),
    random,
    keyed: await keyed(),
    codes,
    limits,
    sms,
    directory: directory(),
    otp: config.otp,
  };
  return { status: 202, body: await sendActivationCode(deps, request.session()) };
});
