// `npm start`: the whole service on this machine, ready when GET /v1/health answers 200. Ctrl-C stops it all.
import { applyLimitProfile } from './local/explore.ts';
import { startLocalStack } from './local/stack.ts';

const limits = applyLimitProfile(process.env, process.argv.includes('--explore'));
const stack = await startLocalStack(process.env).catch((error: Error) => {
  process.stderr.write(`Could not start the local stack: ${error.message}\n`);
  process.exit(1);
});

const health = await fetch(`${stack.baseUrl}/v1/health`);
process.stdout.write(
  [
    '',
    `Produbanco self-registration: local stack ready (health ${health.status})`,
    `  Web wizard       ${stack.baseUrl}/`,
    `  API              ${stack.baseUrl}/v1  (OpenAPI: ${stack.baseUrl}/v1/openapi.json)`,
    `  Staff API        ${stack.agentUrl}/v1/customers/{customerId}  (npm run agent -- status --customer CUST-001)`,
    `  SMS outbox       ${stack.baseUrl}/_local/sms  (a page in a browser, JSON otherwise)`,
    `  Emails (JSON)    ${stack.baseUrl}/_local/email`,
    `  Emails (viewer)  ${stack.sesUrl}/`,
    `  DynamoDB         ${stack.dynamodbEndpoint}`,
    ...limits,
    'Demo credentials are listed in README.md. Ctrl-C stops everything.',
    '',
  ].join('\n'),
);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('Stopping...\n');
    stack.stop().finally(() => process.exit(0));
  });
}
