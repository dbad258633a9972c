// POST /v1/recoveries: R1, prove the credential as in step 1 and open a recovery of the customer's user.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { startRecovery } from '../recovery/start-recovery.ts';
import { clock, config, logger, random } from '../runtime.ts';
import { access, accounts, db, directory, recoveries } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));
const customers = directory({ keyed, hasher });

export const handler = apiHandler(logger, async (request) => {
  const body = await startRecovery(
    {
      clock,
      random,
      keyed: await keyed(),
      events: request.log,
      directory: customers,
      recoveries: recoveries(),
      accounts: accounts(),
      access: access(),
      limits,
      rules: {
        session: config.session,
        pin: config.pin,
        identifyPerIpPerMinute: config.identifyPerIpPerMinute,
        recoveryMaxPerCustomerPerDay: config.recoveryMaxPerCustomerPerDay,
      },
    },
    { readBody: request.json, sourceIp: request.sourceIp },
  );
  return { status: 201, body };
});
