// Dollars per 1,000 completed registrations on AWS, from the measured units, durations and log bytes, next to
// Amazon Cognito for the same volume. List prices for us-east-1, kept in one table so DevOps can update them.

export interface Price {
  usd: number;
  unit: string;
  source: string;
}

/** us-east-1 list prices as published in 2025 (check the pages named in `source` before a budget decision). */
export const PRICES = {
  dynamoWrite: {
    usd: 0.625,
    unit: 'per million write request units (on-demand)',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand (since 2024-11-01)',
  },
  dynamoRead: {
    usd: 0.125,
    unit: 'per million read request units (on-demand)',
    source: 'aws.amazon.com/dynamodb/pricing/on-demand (since 2024-11-01)',
  },
  lambdaGbSecond: {
    usd: 0.0000133334,
    unit: 'per GB-second, arm64',
    source: 'aws.amazon.com/lambda/pricing',
  },
  lambdaRequest: { usd: 0.2, unit: 'per million requests', source: 'aws.amazon.com/lambda/pricing' },
  apiGatewayRest: {
    usd: 3.5,
    unit: 'per million REST API requests (first 333 million)',
    source: 'aws.amazon.com/api-gateway/pricing',
  },
  wafRequest: {
    usd: 0.6,
    unit: 'per million requests inspected (plus $5/web ACL and $1/rule per month)',
    source: 'aws.amazon.com/waf/pricing',
  },
  logsIngestion: {
    usd: 0.5,
    unit: 'per GB ingested (Standard class; Lambda logs tier down from 10 TB)',
    source: 'aws.amazon.com/cloudwatch/pricing',
  },
  xrayTrace: {
    usd: 5,
    unit: 'per million traces recorded (first 100,000 a month free)',
    source: 'aws.amazon.com/xray/pricing',
  },
  sesEmail: { usd: 0.1, unit: 'per 1,000 emails', source: 'aws.amazon.com/ses/pricing' },
  smsEcuador: {
    usd: 0.25,
    unit: 'per SMS to Ecuador (ESTIMATE: check the EC row)',
    source: 'aws.amazon.com/end-user-messaging/pricing',
  },
  cognitoLite: {
    usd: 0.0055,
    unit: 'per MAU above 10,000 free (Lite)',
    source: 'aws.amazon.com/cognito/pricing (tiers since 2024-11-22)',
  },
  cognitoEssentials: {
    usd: 0.015,
    unit: 'per MAU above 10,000 free (Essentials, default tier)',
    source: 'aws.amazon.com/cognito/pricing (tiers since 2024-11-22)',
  },
  cognitoPlus: {
    usd: 0.02,
    unit: 'per MAU, no free tier (Plus: threat protection, adaptive auth)',
    source: 'aws.amazon.com/cognito/pricing (tiers since 2024-11-22)',
  },
} satisfies Record<string, Price>;

/** Lambda gives one full vCPU at 1,769 MB and a proportional share below. */
const FULL_VCPU_MB = 1769;

/**
 * A function's billed duration in Lambda from its time here: waiting (latency minus CPU) stays as it is, CPU
 * work stretches by the CPU share of the memory size. Rounded up to the millisecond as Lambda bills.
 */
export function lambdaMs(latencyMs: number, cpuMs: number, memoryMb: number): number {
  const share = Math.min(1, memoryMb / FULL_VCPU_MB);
  return Math.ceil(Math.max(0, latencyMs - cpuMs) + cpuMs / share);
}

/** One line of the API's access log (lib/service-stack.ts format) with typical values. */
export const ACCESS_LOG_LINE_BYTES = Buffer.byteLength(
  JSON.stringify({
    requestId: '3f1c8a52-7d4e-4b7a-9c1e-2a6b8d9e0f12',
    extendedRequestId: 'Kx3vPHf2oAMEb7Q=',
    requestTime: '12/Mar/2026:14:05:09 +0000',
    ip: '181.198.203.117',
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; SM-A546E) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0 Mobile Safari/537.36',
    httpMethod: 'PUT',
    resourcePath: '/v1/registrations/{id}/challenge-answers',
    status: '200',
    protocol: 'HTTP/1.1',
    responseLength: '33',
    responseLatency: '245',
    integrationLatency: '241',
    integrationStatus: '200',
    errorType: '-',
    wafStatus: 'WAF_ALLOW',
    xrayTraceId: 'Root=1-65f05a2d-5f2b6c1e8a9d4e3f2a1b0c9d',
  }),
);

/** START, END and REPORT (with the X-Ray segment line) that Lambda writes for every invocation. */
export const PLATFORM_LOG_BYTES_PER_INVOCATION = 420;

export interface FunctionRun {
  name: string;
  memoryMb: number;
  latencyMs: number;
  cpuMs: number;
}

export interface CostInputs {
  writeUnits: number;
  readUnits: number;
  functions: FunctionRun[];
  apiRequests: number;
  handlerLogBytes: number;
  smsPerRegistration: number;
  emailsPerRegistration: number;
}

export interface CostLine {
  item: string;
  quantity: string;
  usd: number;
}

const perMillion = (count: number, price: number) => (count / 1e6) * price;

/** Cost lines for 1,000 completed registrations. */
export function costPerThousand(inputs: CostInputs): { infrastructure: CostLine[]; messaging: CostLine[] } {
  const n = 1000;
  const gbSeconds = inputs.functions.reduce(
    (total, f) => total + (lambdaMs(f.latencyMs, f.cpuMs, f.memoryMb) / 1000) * (f.memoryMb / 1024),
    0,
  );
  const invocations = inputs.functions.length;
  const logBytes =
    inputs.handlerLogBytes +
    invocations * PLATFORM_LOG_BYTES_PER_INVOCATION +
    inputs.apiRequests * ACCESS_LOG_LINE_BYTES;
  const infrastructure: CostLine[] = [
    {
      item: 'DynamoDB writes',
      quantity: `${inputs.writeUnits * n} WRU`,
      usd: perMillion(inputs.writeUnits * n, PRICES.dynamoWrite.usd),
    },
    {
      item: 'DynamoDB reads',
      quantity: `${inputs.readUnits * n} RRU`,
      usd: perMillion(inputs.readUnits * n, PRICES.dynamoRead.usd),
    },
    {
      item: 'Lambda duration (arm64)',
      quantity: `${(gbSeconds * n).toFixed(1)} GB-s`,
      usd: gbSeconds * n * PRICES.lambdaGbSecond.usd,
    },
    {
      item: 'Lambda requests',
      quantity: `${invocations * n}`,
      usd: perMillion(invocations * n, PRICES.lambdaRequest.usd),
    },
    {
      item: 'API Gateway REST requests',
      quantity: `${inputs.apiRequests * n}`,
      usd: perMillion(inputs.apiRequests * n, PRICES.apiGatewayRest.usd),
    },
    {
      item: 'WAF requests',
      quantity: `${inputs.apiRequests * n}`,
      usd: perMillion(inputs.apiRequests * n, PRICES.wafRequest.usd),
    },
    {
      item: 'CloudWatch Logs ingestion',
      quantity: `${((logBytes * n) / 1e6).toFixed(2)} MB`,
      usd: ((logBytes * n) / 1e9) * PRICES.logsIngestion.usd,
    },
    {
      item: 'X-Ray traces (if every request were sampled)',
      quantity: `${inputs.apiRequests * n}`,
      usd: perMillion(inputs.apiRequests * n, PRICES.xrayTrace.usd),
    },
  ];
  const messaging: CostLine[] = [
    {
      item: 'SMS to Ecuador (estimate)',
      quantity: `${inputs.smsPerRegistration * n}`,
      usd: inputs.smsPerRegistration * n * PRICES.smsEcuador.usd,
    },
    {
      item: 'SES email',
      quantity: `${inputs.emailsPerRegistration * n}`,
      usd: ((inputs.emailsPerRegistration * n) / 1000) * PRICES.sesEmail.usd,
    },
  ];
  return { infrastructure, messaging };
}

/** 1,000 registrations are 1,000 monthly active users in the month they register, beyond any free tier. */
export function cognitoPerThousand(): CostLine[] {
  return [
    { item: 'Cognito Lite', quantity: '1000 MAU', usd: 1000 * PRICES.cognitoLite.usd },
    { item: 'Cognito Essentials', quantity: '1000 MAU', usd: 1000 * PRICES.cognitoEssentials.usd },
    { item: 'Cognito Plus', quantity: '1000 MAU', usd: 1000 * PRICES.cognitoPlus.usd },
  ];
}
