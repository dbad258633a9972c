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
  /** An existing backup vault ARN (another account or region) recovery points are copied to instead. */
  backupCopyVaultArn?: string;
  /** The role, besides the service's own, that may read the secrets: break-glass and the directory loader. */
  breakGlassRoleArn?: string;
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
  region: 'AWS region of the regional stacks (default: CDK_DEFAULT_REGION, else us-east-1)',
  account: 'AWS account id (default: CDK_DEFAULT_ACCOUNT)',
  emailDomain: 'SES domain identity, e.g. produbanco.com.ec (required in prod)',
  emailFrom: 'sender address inside emailDomain (required in prod)',
  alarmEmail: 'address subscribed to the alarm topic (prod: this or alarmTopicArn)',
  alarmTopicArn:
    'existing SNS topic ARN that also receives every alarm, e.g. the on-call pager (prod: this or alarmEmail)',
  manageAccountSettings:
    '`true` lets this stage own account-wide settings: API Gateway CloudWatch role, SNS SMS attributes (default false)',
  backupCopyVaultArn:
    "existing backup vault ARN in a second region or account; the user tables' recovery points are copied there (optional)",
  breakGlassRoleArn:
    'IAM role ARN that may read the secrets besides the service functions: break-glass and the directory loader (optional)',
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
  const region = text('region') ?? env.CDK_DEFAULT_REGION ?? 'us-east-1';
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
  const backupCopyVaultArn = text('backupCopyVaultArn');
  if (backupCopyVaultArn !== undefined && !vaultPattern.test(backupCopyVaultArn)) {
    problems.push(
      problem('backupCopyVaultArn', `backupCopyVaultArn "${backupCopyVaultArn}" is not a backup vault ARN`),
    );
  }

  const breakGlassRoleArn = text('breakGlassRoleArn');
  if (
    breakGlassRoleArn !== undefined &&
    !/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/.test(breakGlassRoleArn)
  ) {
    problems.push(
      problem('breakGlassRoleArn', `breakGlassRoleArn "${breakGlassRoleArn}" is not an IAM role ARN`),
    );
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
