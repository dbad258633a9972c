// POST /v1/security-reports: «No fui yo», the one-time link of a security email freezes the access at once.
import { DynamoReportLinkStore } from '../adapters/dynamodb/access-store.ts';
import { DynamoLimitStore } from '../adapters/dynamodb/limit-store.ts';
import { apiHandler } from '../http/api-handler.ts';
import { keyed } from '../keys.ts';
import { clock, config, logger, random } from '../runtime.ts';
import { reportNotMe } from '../security-report/report.ts';
import { access, accounts, db } from '../storage.ts';

const limits = new DynamoLimitStore(db(), config.table('limits'));
const reportLinks = new DynamoReportLinkStore(db(), config.table('users'));

export const handler = apiHandler(logger, async (request) => ({
  status: 200,
  body: await reportNotMe(
    {
      clock,
      random,
      keyed: await keyed(),
      events: request.log,
      limits,
      reportLinks,
      accounts: accounts(),
      access: access(),
      rules: { perIpPerMinute: config.securityReport.perIpPerMinute },
    },
    { readBody: request.json, sourceIp: request.sourceIp },
  ),
}));
