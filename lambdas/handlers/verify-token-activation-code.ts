// POST /v1/me/digital-token/activation/verify: T2, the SMS code; a new seed as otpauth URI and QR code.
import { DynamoCodeStore } from '../adapters/dynamodb/code-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { verifyActivationCode } from '../digital-token/activation.ts';
import { qrSvg } from '../digital-token/qr.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { config, logger, random } from '../runtime.ts';
import { db, signedInDeps } from '../storage.ts';
import { secretBox } from '../token-key.ts';

const codes = new DynamoCodeStore(db(), config.table('codes'));
const limits = new DynamoLimitStore(db(), config.table('limits'));

export const handler = apiHandler(logger, async (request) => {
  const [keys, box] = await Promise.all([keyed(), secretBox()]);
  const deps = {
    ...signedInDeps(request.log),
    random,
    keyed: keys,
    codes,
    limits,
    otp: config.otp,
    pin: config.pin,
    box,
    qrSvg,
  };
  return {
    status: 200,
    body: await verifyActivationCode(deps, { ...request.session(), readBody: request.json }),
  };
});
