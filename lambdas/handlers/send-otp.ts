// POST /v1/registrations/{id}/otp: send a code to the phone on file. The only function that publishes SMS.
import { DynamoCodeStore } from '../adapters/dynamodb/code-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { LocalOutboxSmsSender, SnsSmsSender } from '../adapters/sms.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { sendOtp } from '../registration/send-otp.ts';
import { config, logger, random } from '../runtime.ts';
import { db, directory, sessionDeps } from '../storage.ts';

const codes = new DynamoCodeStore(db(), config.table('codes'));
const limits = new DynamoLimitStore(db(), config.table('limits'));
const sms =
  config.mode === 'local' && config.localOutboxDir
    ? new LocalOutboxSmsSender(config.localOutboxDir)
    : new SnsSmsSender(undefined, config.sms);

export const handler = apiHandler(logger, async (request) => {
  const deps = {
    ...sessionDeps(request.log),
    random,
    keyed: await keyed(),
    codes,
    limits,
    directory: directory(),
    sms,
    otp: config.otp,
  };
  return { status: 202, body: await sendOtp(deps, request.session()) };
});
