// POST /v1/registrations: step 1, prove the credential and open a registration.
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { DynamoUserStore } from '../adapters/dynamodb/user-store.ts';
import { hasher } from '../hashing.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { startRegistration } from '../registration/start-registration.ts';
import { clock, config, logger, random } from '../runtime.ts';
import { db, directory, registrations } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));
const users = new DynamoUserStore(db(), config.table('users'));
const customers = directory({ keyed, hasher });

export const handler = apiHandler(logger, async (request) => {
  const body = await startRegistration(
    {
      clock,
      random,
      keyed: await keyed(),
      events: request.log,
      directory: customers,
      registrations: registrations(),
      users,
      limits,
      rules: {
        session: config.session,
        pin: config.pin,
        identifyPerIpPerMinute: config.identifyPerIpPerMinute,
      },
    },
    { readBody: request.json, sourceIp: request.sourceIp },
  );
  return { status: 201, body };
});
