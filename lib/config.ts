// Deploy-time configuration, read once from CDK context. A wrong or missing value fails synth with a message
// that names the context key to set, so nothing half-configured ever reaches CloudFormation.
import type { Node } from 'constructs';

export type Stage = 'dev' | 'prod';
export const stages: readonly Stage[] = ['dev', 'prod'];

export interface DeployConfig {
  stage: Stage;
  /** Account and region of the regional stacks; undefined account keeps the stacks environment-agnostic. */
  account?: string;
  region: string;
  /** SES domain identity the completion email is sent from. */
  emailDomain: string;
  emailFrom: string;
  /** Address subscribed to the alarm topic; prod needs it or alarmTopicArn. */
  alarmEmail?: string;
  /** An existing SNS topic (the bank's on-call paging) every alarm is also sent to. */
  alarmTopicArn?: string;
  /** Account-wide settings (API Gateway's CloudWatch role, SNS SMS attributes) are managed by this app. */
  manageAccountSettings: boolean;
  /** An existing backup vault ARN in another region (and maybe account) the recovery points are copied to; prod needs it. */
  backupCopyVaultArn?: string;
  /** The role, besides the service's own, that may read and write the secrets: break-glass, the directory loader, rotations. */
  breakGlassRoleArn?: string;
  /** The `execute-api` interface VPC endpoint the staff API is reached through (private API); prod needs it. */
  assistedVpcEndpointId?: string;
  /** The only IAM roles that may call the staff API (its resource policy); prod needs at least one. */
  staffRoleArns: string[];
  /** Custom domain of the web wizard and its ACM certificate (us-east-1); required in prod for TLS 1.2+. */
  webDomain?: string;
  webCertificateArn?: string;
  /** A CloudFront-scope web ACL managed elsewhere (Firewall Manager); otherwise the app creates one. */
  cloudFrontWebAclArn?: string;
  /** Account-level SNS MonthlySpendLimit; must not exceed the quota AWS Support granted the account. */
  smsMonthlySpendLimitUsd: number;
  /** Reserved concurrency of the OTP sender: caps SMS throughput, hence SMS pumping. */
  otpReservedConcurrency: number;
  /** Production keeps everything; dev destroys whatever holds no users. */
  isProd: boolean;
  /** SMS origination identity (a short code registered for Ecuador) and optional sender ID, sent with each SMS. */
  smsOriginationNumber?: string;
  smsSenderId?: string;
  /** Bumped at each origin-secret rotation so CloudFormation resolves the secret again (docs/DEPLOYMENT.md). */
  originSecretGeneration: string;
}

/** The context keys this app reads, with what each means; DEPLOYMENT.md carries the same table. */
export const contextKeys = {
  stage: '`dev` or `prod`',
  region:
    'AWS region of the regional stacks, a data-residency decision (required in prod; dev: CDK_DEFAULT_REGION, else us-east-1)',
  account: 'AWS account id (default: CDK_DEFAULT_ACCOUNT)',
  emailDomain: 'SES domain identity, e.g. produbanco.com.ec (required in prod)',
  emailFrom: 'sender address inside emailDomain (required in prod)',
  alarmEmail: 'address subscribed to the alarm topic (prod: this or alarmTopicArn)',
  alarmTopicArn:
    'existing SNS topic ARN that also receives every alarm, e.g. the on-call pager (prod: this or alarmEmail)',
  manageAccountSettings:
    '`true` lets this stage own account-wide settings: API Gateway CloudWatch role, SNS SMS attributes (default false)',
  backupCopyVaultArn:
    "existing backup vault ARN in another region (any account); the user tables' recovery points are copied there (required in prod)",
  breakGlassRoleArn:
    'IAM role ARN that may read and write the secrets besides the service functions: break-glass, the directory loader and rotations (required in prod)',
  assistedVpcEndpointId:
    'id of the execute-api interface VPC endpoint staff reach the private assisted-service API through, e.g. vpce-0a1b2c3d4e5f60718 (required in prod)',
  staffRoleArns:
    'comma-separated IAM role ARNs of the staff tools: the only callers the assisted-service API accepts (required in prod)',
  webDomain: 'custom domain of the wizard, e.g. registro.produbanco.com.ec (required in prod)',
  webCertificateArn: 'ACM certificate for webDomain, in us-east-1 (required with webDomain)',
  cloudFrontWebAclArn: 'existing CLOUDFRONT-scope web ACL ARN; skips the us-east-1 EdgeWaf stack (optional)',
  smsMonthlySpendLimitUsd:
    'SNS MonthlySpendLimit in USD, within the account quota (required in prod; dev: 1)',
  otpReservedConcurrency: 'reserved concurrency of send-otp (default 5)',
  smsOriginationNumber: 'SMS origination identity: the short code AWS registered for Ecuador (optional)',
  smsSenderId: 'alphanumeric SMS sender ID, 1-11 characters, where a country shows one (optional)',
  originSecretGeneration: 'bumped at each origin-secret rotation, e.g. 2026-11-28 (default 1)',
} as const;

export type ContextKey = keyof typeof contextKeys;

const domainPattern = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const emailPattern = /^[A-Za-z0-9._%+-]+@([A-Za-z0-9.-]+)$/;
const certificatePattern = /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/;
const topicPattern = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[\w-]+$/;
const vaultPattern = /^arn:aws[a-z-]*:backup:[a-z0-9-]+:\d{12}:backup-vault:[\w.-]+$/;
/** An exact role ARN: no wildcard, so a role someone creates later cannot match it. */
const rolePattern = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;
const regionPattern = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
const webAclPattern = /^arn:aws[a-z-]*:wafv2:us-east-1:\d{12}:global\/webacl\/[\w-]+\/[0-9a-f-]+$/;

export class DeployConfigError extends Error {
  override readonly name = 'DeployConfigError';
}

const problem = (key: ContextKey, message: string): string =>
  `${message}. Set it with \`-c ${key}=...\` (${contextKeys[key]}).`;

/** Reads and checks every context key; throws one error that lists every problem. */
export function readDeployConfig(node: Node, env: NodeJS.ProcessEnv = process.env): DeployConfig {
  const problems: string[] = [];
  const text = (key: ContextKey): string | undefined => {
    const value: unknown = node.tryGetContext(key);
    if (value === undefined || value === null || value === '') return undefined;
    return String(value).trim();
  };
  const integer = (key: ContextKey, fallback: number | undefined, min: number): number | undefined => {
    const raw = text(key);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < min) {
      problems.push(problem(key, `${key} must be an integer of at least ${min}, got "${raw}"`));
      return fallback;
    }
    return value;
  };

  const stageText = text('stage');
  if (stageText === undefined) {
    throw new DeployConfigError(problem('stage', 'The deployment stage is missing'));
  }
  if (!stages.includes(stageText as Stage)) {
    throw new DeployConfigError(
      problem('stage', `Unknown stage "${stageText}"; use one of ${stages.join(', ')}`),
    );
  }
  const stage = stageText as Stage;
  const isProd = stage === 'prod';

  const emailDomain = (text('emailDomain') ?? (isProd ? undefined : 'example.com'))?.toLowerCase();
  if (emailDomain === undefined) problems.push(problem('emailDomain', 'prod needs the SES email domain'));
  else if (!domainPattern.test(emailDomain)) {
    problems.push(problem('emailDomain', `emailDomain "${emailDomain}" is not a domain name`));
  }

  const emailFrom = text('emailFrom') ?? (isProd || !emailDomain ? undefined : `no-reply@${emailDomain}`);
  if (emailFrom === undefined) problems.push(problem('emailFrom', 'prod needs the sender address'));
  else {
    const domain = emailPattern.exec(emailFrom)?.[1]?.toLowerCase();
    if (!domain) problems.push(problem('emailFrom', `emailFrom "${emailFrom}" is not an email address`));
    else if (emailDomain && domain !== emailDomain) {
      problems.push(
        problem('emailFrom', `emailFrom "${emailFrom}" is not inside emailDomain "${emailDomain}"`),
      );
    }
  }

  const alarmEmail = text('alarmEmail');
  if (alarmEmail !== undefined && !emailPattern.test(alarmEmail)) {
    problems.push(problem('alarmEmail', `alarmEmail "${alarmEmail}" is not an email address`));
  }

  const alarmTopicArn = text('alarmTopicArn');
  if (alarmTopicArn !== undefined && !topicPattern.test(alarmTopicArn)) {
    problems.push(problem('alarmTopicArn', `alarmTopicArn "${alarmTopicArn}" is not an SNS topic ARN`));
  }
  // An alarm nobody receives is no alarm: prod must name who gets paged.
  if (isProd && alarmEmail === undefined && alarmTopicArn === undefined) {
    problems.push(
      problem('alarmEmail', 'prod needs an alarm destination: `-c alarmEmail=...` or `-c alarmTopicArn=...`'),
    );
  }

  // CloudWatch notifies topics of the alarm's own region only, and CloudFront's alarms live in us-east-1.
  // Where customers' data lives is a decision (LOPDP, docs/DEPLOYMENT.md "Region"), never a default.
  const regionText = text('region');
  if (isProd && regionText === undefined) {
    problems.push(problem('region', 'prod needs the region chosen for data residency'));
  } else if (regionText !== undefined && !regionPattern.test(regionText)) {
    problems.push(problem('region', `region "${regionText}" is not an AWS region`));
  }
  const region = regionText ?? env.CDK_DEFAULT_REGION ?? 'us-east-1';
  if (
    alarmTopicArn !== undefined &&
    topicPattern.test(alarmTopicArn) &&
    alarmTopicArn.split(':')[3] !== region
  ) {
    problems.push(problem('alarmTopicArn', `alarmTopicArn must be in the stacks' region ${region}`));
  }
  if (isProd && alarmEmail === undefined && alarmTopicArn !== undefined && region !== 'us-east-1') {
    problems.push(
      problem(
        'alarmEmail',
        'the CloudFront alarms are raised in us-east-1, where alarmTopicArn cannot be notified: add an address',
      ),
    );
  }

  const manageText = text('manageAccountSettings');
  if (manageText !== undefined && manageText !== 'true' && manageText !== 'false') {
    problems.push(
      problem('manageAccountSettings', `manageAccountSettings must be true or false, got "${manageText}"`),
    );
  }
  // A copy in the same region survives neither a regional outage nor a regional incident of AWS Backup.
  const backupCopyVaultArn = text('backupCopyVaultArn');
  if (backupCopyVaultArn === undefined && isProd) {
    problems.push(problem('backupCopyVaultArn', 'prod needs a copy vault in another region'));
  } else if (backupCopyVaultArn !== undefined && !vaultPattern.test(backupCopyVaultArn)) {
    problems.push(
      problem('backupCopyVaultArn', `backupCopyVaultArn "${backupCopyVaultArn}" is not a backup vault ARN`),
    );
  } else if (backupCopyVaultArn !== undefined && backupCopyVaultArn.split(':')[3] === region) {
    problems.push(
      problem(
        'backupCopyVaultArn',
        `backupCopyVaultArn must be in another region than the stacks' ${region}`,
      ),
    );
  }

  // Without it nobody may read the secrets by hand: the directory loader and the rotations hit the deny.
  const breakGlassRoleArn = text('breakGlassRoleArn');
  if (breakGlassRoleArn === undefined && isProd) {
    problems.push(
      problem(
        'breakGlassRoleArn',
        'prod needs the break-glass role that loads the directory and rotates the secrets',
      ),
    );
  } else if (breakGlassRoleArn !== undefined && !rolePattern.test(breakGlassRoleArn)) {
    problems.push(
      problem('breakGlassRoleArn', `breakGlassRoleArn "${breakGlassRoleArn}" is not an IAM role ARN`),
    );
  }

  const assistedVpcEndpointId = text('assistedVpcEndpointId');
  if (assistedVpcEndpointId === undefined && isProd) {
    problems.push(
      problem('assistedVpcEndpointId', "prod needs the VPC endpoint of the bank's network for the staff API"),
    );
  } else if (assistedVpcEndpointId !== undefined && !/^vpce-[0-9a-f]{8,17}$/.test(assistedVpcEndpointId)) {
    problems.push(
      problem(
        'assistedVpcEndpointId',
        `assistedVpcEndpointId "${assistedVpcEndpointId}" is not a VPC endpoint id`,
      ),
    );
  }

  const staffRoleArns = (text('staffRoleArns') ?? '')
    .split(',')
    .map((arn) => arn.trim())
    .filter((arn) => arn !== '');
  if (staffRoleArns.length === 0 && isProd) {
    problems.push(
      problem('staffRoleArns', 'prod needs the staff roles that may call the assisted-service API'),
    );
  }
  for (const arn of staffRoleArns.filter((candidate) => !rolePattern.test(candidate))) {
    problems.push(problem('staffRoleArns', `staffRoleArns entry "${arn}" is not an IAM role ARN`));
  }

  const webDomain = text('webDomain')?.toLowerCase();
  const webCertificateArn = text('webCertificateArn');
  if (webDomain === undefined && isProd) {
    problems.push(
      problem(
        'webDomain',
        'prod needs a custom domain: the default CloudFront domain cannot enforce TLS 1.2',
      ),
    );
  }
  if (webDomain !== undefined && !domainPattern.test(webDomain)) {
    problems.push(problem('webDomain', `webDomain "${webDomain}" is not a domain name`));
  }
  if (webDomain !== undefined && webCertificateArn === undefined) {
    problems.push(problem('webCertificateArn', 'webDomain needs its ACM certificate'));
  }
  if (webCertificateArn !== undefined && !certificatePattern.test(webCertificateArn)) {
    problems.push(
      problem('webCertificateArn', 'webCertificateArn must be an ACM certificate ARN in us-east-1'),
    );
  }
  if (webCertificateArn !== undefined && webDomain === undefined) {
    problems.push(problem('webDomain', 'webCertificateArn was given without webDomain'));
  }

  const cloudFrontWebAclArn = text('cloudFrontWebAclArn');
  if (cloudFrontWebAclArn !== undefined && !webAclPattern.test(cloudFrontWebAclArn)) {
    problems.push(
      problem('cloudFrontWebAclArn', 'cloudFrontWebAclArn must be a global (CLOUDFRONT) web ACL ARN'),
    );
  }

  const smsMonthlySpendLimitUsd = integer('smsMonthlySpendLimitUsd', isProd ? undefined : 1, 1);
  if (smsMonthlySpendLimitUsd === undefined && !problems.some((p) => p.includes('smsMonthlySpendLimitUsd'))) {
    problems.push(problem('smsMonthlySpendLimitUsd', 'prod needs the SMS monthly spend limit'));
  }
  const otpReservedConcurrency = integer('otpReservedConcurrency', 5, 1) ?? 5;
  const smsOriginationNumber = text('smsOriginationNumber');
  if (smsOriginationNumber !== undefined && !/^\+?\d{3,15}$/.test(smsOriginationNumber)) {
    problems.push(
      problem('smsOriginationNumber', 'smsOriginationNumber must be a short code or E.164 number'),
    );
  }
  const originSecretGeneration = text('originSecretGeneration') ?? '1';
  if (!/^[A-Za-z0-9.-]{1,32}$/.test(originSecretGeneration)) {
    problems.push(
      problem(
        'originSecretGeneration',
        'originSecretGeneration must be 1-32 letters, digits, dots or hyphens',
      ),
    );
  }
  const smsSenderId = text('smsSenderId');
  if (smsSenderId !== undefined && !/^(?=.*[A-Za-z])[A-Za-z0-9-]{1,11}$/.test(smsSenderId)) {
    problems.push(
      problem('smsSenderId', 'smsSenderId must be 1-11 letters, digits or hyphens, with a letter'),
    );
  }

  if (problems.length > 0) {
    throw new DeployConfigError(
      `Invalid deployment configuration for stage "${stage}":\n- ${problems.join('\n- ')}`,
    );
  }
  return {
    stage,
    isProd,
    account: text('account') ?? env.CDK_DEFAULT_ACCOUNT,
    region,
    emailDomain: emailDomain as string,
    emailFrom: emailFrom as string,
    alarmEmail,
    alarmTopicArn,
    manageAccountSettings: manageText === 'true',
    backupCopyVaultArn,
    breakGlassRoleArn,
    assistedVpcEndpointId,
    staffRoleArns,
    webDomain,
    webCertificateArn,
    cloudFrontWebAclArn,
    smsMonthlySpendLimitUsd: smsMonthlySpendLimitUsd as number,
    otpReservedConcurrency,
    smsOriginationNumber,
    smsSenderId,
    originSecretGeneration,
  };
}
