// The functions: one per route plus the outbox consumer, built by ServiceFunction with its defaults,
// an environment and a least-privilege role derived from each function's `needs`.
import { Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type Access,
  assistedRoutes,
  routes,
  scheduledFunctions,
  streamConsumers,
} from '../../lambdas/routes.ts';
import { type TableName, tableEnvVar } from '../../lambdas/tables.ts';
import type { SelfRegistrationApp } from '../../lib/app.ts';
import { type FunctionNeeds, hashingMemoryMiB, tableActions } from '../../lib/service-function.ts';
import {
  allTemplates,
  buildTemplates,
  devContext,
  logicalIdOf,
  refIn,
  resourceOfConstruct,
  type Templates,
} from './app-fixture.ts';

interface Statement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

const functions: [string, FunctionNeeds][] = [
  ...routes.map((route): [string, FunctionNeeds] => [route.handler, route.needs]),
  ...assistedRoutes.map((route): [string, FunctionNeeds] => [route.handler, route.needs]),
  ...streamConsumers.map((consumer): [string, FunctionNeeds] => [consumer.handler, consumer.needs]),
  ...scheduledFunctions.map((scheduled): [string, FunctionNeeds] => [scheduled.handler, scheduled.needs]),
];
const consumerHandlers = new Set<string>(streamConsumers.map((consumer) => consumer.handler));
const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

describe('service functions (dev)', () => {
  let templates: Templates;
  let built: SelfRegistrationApp;

  beforeAll(() => {
    // Prepare
    templates = buildTemplates(devContext);
    ({ built } = templates);
  });

  /** A construct's resource, in the template of its own stack (a nested stack's, for the functions). */
  const resourceOf = (construct: IConstruct | undefined) => {
    expect(construct).toBeDefined();
    const resource = resourceOfConstruct(construct as IConstruct);
    expect(resource, construct?.node.path).toBeDefined();
    return resource;
  };
  const functionResource = (handler: string) => {
    const fn = built.service.functions[handler];
    expect(fn, handler).toBeDefined();
    return resourceOf(fn?.function);
  };
  const statementsOf = (handler: string): Statement[] => {
    const policy = built.service.functions[handler]?.role.node.findChild('DefaultPolicy');
    return resourceOf(policy).Properties.PolicyDocument.Statement;
  };
  const tableLogicalId = (name: TableName): string =>
    built.data.getLogicalId(built.data.tables[name].node.defaultChild as CfnTable);

  it('has exactly one function per route and per stream consumer, plus the deploy-time helpers', () => {
    // Act
    const ours = Object.keys(built.service.functions).sort();

    // Assess
    expect(ours).toEqual(functions.map(([handler]) => handler).sort());
  });

  it.each(functions)(
    '%s: newest Node runtime, arm64, no in-function X-Ray, own log group, memory for its work',
    (handler, needs) => {
      // Act
      const { Properties: properties } = functionResource(handler);
      const logGroup = built.service.functions[handler]?.logGroup;

      // Assess
      expect(properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: needs.hashes ? hashingMemoryMiB : 256,
        LoggingConfig: { LogGroup: { Ref: logicalIdOf(logGroup as IConstruct) } },
      });
      expect(resourceOf(logGroup).Properties.RetentionInDays).toBe(30);
      // Tracing is off in the functions (its cold-start cost, docs/PERFORMANCE.md): Lambda's default mode.
      expect(properties.TracingConfig).toBeUndefined();
    },
  );

  it.each(functions)(
    '%s: environment holds exactly what its needs say, secrets only as ARNs',
    (handler, needs) => {
      // Prepare
      const expected = [
        'RUNTIME_MODE',
        ...Object.keys(needs.tables).map((name) => tableEnvVar(name as TableName)),
        ...(needs.hmacKey ? ['HMAC_SECRET_ARN'] : []),
        ...(needs.pepper ? ['PEPPER_SECRET_ARN'] : []),
        ...(needs.tokenKey ? ['TOKEN_KEY_SECRET_ARN'] : []),
        ...(needs.email ? ['EMAIL_FROM', 'SES_CONFIGURATION_SET'] : []),
        // Every function publishes its own metrics (EMF: its 5xx count, the sweep's ages) under the stack's namespace.
        'METRICS_NAMESPACE',
        // The table the deploy hook's smoke call reads, when the function may read one.
        ...(Object.values(needs.tables).some((access) => access?.includes('GetItem'))
          ? ['SMOKE_READ_TABLE']
          : []),
      ];

      // Act
      const variables = functionResource(handler).Properties.Environment.Variables as Record<string, unknown>;

      // Assess: functions with secrets also carry the settings of the Parameters and Secrets extension
      const extension = /^(PARAMETERS_SECRETS_EXTENSION|SECRETS_MANAGER|SSM)_/;
      const own = Object.keys(variables).filter((name) => !extension.test(name));
      expect(own.sort()).toEqual(expected.sort());
      const usesSecrets = Boolean(needs.hmacKey || needs.pepper || needs.tokenKey);
      expect(Object.keys(variables).some((name) => extension.test(name))).toBe(usesSecrets);
      expect(variables.PARAMETERS_SECRETS_EXTENSION_CACHE_ENABLED ?? 'none').toBe(
        usesSecrets ? 'true' : 'none',
      );
      const layers = (functionResource(handler).Properties.Layers ?? []) as unknown[];
      expect(JSON.stringify(layers)).toMatch(
        usesSecrets ? /AWS-Parameters-and-Secrets-Lambda-Extension/ : /^\[\]$/,
      );
      expect(variables.RUNTIME_MODE).toBe('aws');
      // Source maps are resolved off the hot path (`npm run stack`), not at every cold start.
      expect(variables.NODE_OPTIONS).toBeUndefined();
      for (const name of ['HMAC_SECRET_ARN', 'PEPPER_SECRET_ARN', 'TOKEN_KEY_SECRET_ARN'].filter(
        (key) => key in variables,
      )) {
        expect(variables[name]).toEqual({ 'Fn::ImportValue': expect.stringMatching(/Secret/) });
      }
      if (needs.email) expect(variables.EMAIL_FROM).toBe('no-reply@example.com');
    },
  );

  it.each(functions)('%s: role grants exactly its tables and the operations it calls', (handler, needs) => {
    // Prepare
    const expected = Object.entries(needs.tables) as [TableName, Access][];

    // Act
    const tableStatements = statementsOf(handler).filter((statement) => /Table$/.test(statement.Sid ?? ''));

    // Assess
    expect(tableStatements).toHaveLength(expected.length);
    for (const [name, access] of expected) {
      const statement = tableStatements.find((candidate) =>
        JSON.stringify(candidate.Resource).includes(tableLogicalId(name)),
      );
      expect(statement, `${handler} -> ${name}`).toBeDefined();
      expect(actionsOf(statement as Statement).sort()).toEqual(tableActions(access).sort());
    }
  });

  /** The GET routes that list the customer's own items: their sessions (an index) and their activity. */
  const listings = new Set(['list-sessions', 'list-activity']);

  it.each(routes.filter((route) => route.method === 'GET').map((route) => route.handler))(
    '%s (a GET route): may read and touch, never put, delete or batch-write',
    (handler) => {
      // Act
      const actions = statementsOf(handler)
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap(actionsOf)
        .filter((action) => action.startsWith('dynamodb:'));

      // Assess: only the listings query (one user's or customer's items), nothing writes or scans
      const refused = ['PutItem', 'DeleteItem', 'BatchWriteItem', 'BatchGetItem', 'Scan'];
      for (const action of listings.has(handler) ? refused : [...refused, 'Query']) {
        expect(actions, handler).not.toContain(`dynamodb:${action}`);
      }
    },
  );

  it.each(functions)(
    '%s: every KMS permission on the data key goes through DynamoDB or Secrets Manager',
    (handler) => {
      // Act
      const kms = statementsOf(handler).filter(
        (statement) =>
          statement.Effect === 'Allow' && actionsOf(statement).some((action) => action.startsWith('kms:')),
      );

      // Assess
      for (const statement of kms) {
        expect(JSON.stringify(statement.Condition), `${handler} ${statement.Sid}`).toMatch(
          /"kms:ViaService":"(dynamodb|secretsmanager)\.[a-z0-9-]+\.amazonaws\.com"/,
        );
      }
    },
  );

  it.each(functions)(
    '%s: no wildcard action, and "*" resources only where AWS offers no ARN',
    (handler, needs) => {
      // Prepare
      const allowedOnAnyResource = new Set([
        ...(needs.sms ? ['sns:Publish'] : []),
        ...(consumerHandlers.has(handler) ? ['dynamodb:ListStreams'] : []),
      ]);

      // Act
      const statements = statementsOf(handler);
      const allows = statements.filter((statement) => statement.Effect === 'Allow');

      // Assess
      for (const statement of allows) {
        for (const action of actionsOf(statement)) expect(action).not.toContain('*');
        if (statement.Resource === '*') {
          for (const action of actionsOf(statement)) expect(allowedOnAnyResource, action).toContain(action);
        }
      }
      const role = resourceOf(built.service.functions[handler]?.role);
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    },
  );

  it.each(functions)(
    '%s: only the SMS sender may publish, only the email sender may send email',
    (handler, needs) => {
      // Act
      const allowed = statementsOf(handler)
        .filter((statement) => statement.Effect === 'Allow')
        .flatMap(actionsOf);
      const denied = statementsOf(handler)
        .filter((statement) => statement.Effect === 'Deny')
        .flatMap(actionsOf);

      // Assess
      expect(allowed.includes('sns:Publish')).toBe(needs.sms === true);
      expect(denied.includes('sns:Publish')).toBe(needs.sms === true);
      expect(allowed.some((action) => action.startsWith('ses:'))).toBe(needs.email === true);
      expect(allowed.filter((action) => action.startsWith('sns:') || action.startsWith('ses:')).length).toBe(
        (needs.sms ? 1 : 0) + (needs.email ? 1 : 0),
      );
    },
  );

  it.each(functions)(
    '%s: reads only its own secrets, and decrypts only through DynamoDB or Secrets Manager',
    (handler, needs) => {
      // Prepare
      const expectedSecrets = [
        needs.hmacKey && 'HmacSecret',
        needs.pepper && 'PepperSecret',
        needs.tokenKey && 'TokenKeySecret',
      ].filter(Boolean);

      // Act
      const statements = statementsOf(handler);
      const secretStatement = statements.find((statement) =>
        actionsOf(statement).includes('secretsmanager:GetSecretValue'),
      );
      const kmsStatements = statements.filter((statement) =>
        actionsOf(statement).some((action) => action.startsWith('kms:')),
      );

      // Assess
      if (expectedSecrets.length === 0) expect(secretStatement).toBeUndefined();
      else {
        const resources = JSON.stringify(secretStatement?.Resource);
        for (const secret of ['HmacSecret', 'PepperSecret', 'TokenKeySecret']) {
          expect(resources.includes(secret)).toBe(expectedSecrets.includes(secret));
        }
      }
      for (const statement of kmsStatements) {
        // The stream event source (aws-cdk-lib's grant) decrypts stream records without a via-service condition.
        if (consumerHandlers.has(handler) && statement.Condition === undefined) {
          expect(['kms:Decrypt', 'kms:DescribeKey']).toEqual(expect.arrayContaining(actionsOf(statement)));
          continue;
        }
        expect(statement.Condition).toEqual({
          StringEquals: { 'kms:ViaService': expect.stringMatching(/^(dynamodb|secretsmanager)\./) },
        });
      }
    },
  );

  it('send-email sender is limited to the SES identity, the configuration set and the sender address', () => {
    // Act
    const statement = statementsOf('send-completion-email').find(
      (candidate) => candidate.Sid === 'SendCompletionEmail',
    );

    // Assess
    expect(statement).toMatchObject({
      Action: 'ses:SendEmail',
      Condition: { StringEquals: { 'ses:FromAddress': 'no-reply@example.com' } },
    });
    expect(JSON.stringify(statement?.Resource)).toContain(':identity/');
    expect(JSON.stringify(statement?.Resource)).toContain(':configuration-set/');
  });

  it('the SMS senders (registration, token-activation and recovery codes, the held reset notice) alone have reserved concurrency', () => {
    // Act
    const reserved = functions.filter(
      ([handler]) => functionResource(handler).Properties.ReservedConcurrentExecutions,
    );

    // Assess
    expect(reserved.map(([handler]) => handler)).toEqual([
      'send-otp',
      'send-token-activation-code',
      'send-recovery-otp',
      'reset-password',
    ]);
    expect(functionResource('send-otp').Properties.ReservedConcurrentExecutions).toBe(5);
    expect(functionResource('send-token-activation-code').Properties.ReservedConcurrentExecutions).toBe(5);
    expect(functionResource('send-recovery-otp').Properties.ReservedConcurrentExecutions).toBe(5);
  });

  it("the outbox stream feeds the email sender's live alias: new items only, retries, bisect, DLQ on failure", () => {
    // Prepare
    const dlqId = logicalIdOf(built.service.outboxDlq);
    // The consumer, its DLQ and its mapping are in the Messaging nested stack.
    const template = templates.nested.messaging;

    // Act + Assess
    for (const [name, other] of allTemplates(templates).filter(([, t]) => t !== template)) {
      expect(Object.keys(other.findResources('AWS::Lambda::EventSourceMapping')), name).toEqual([]);
    }
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    const mapping = Object.values(template.findResources('AWS::Lambda::EventSourceMapping'))[0];
    const alias = built.service.functions['send-completion-email']?.alias;
    const target = JSON.stringify(mapping?.Properties.FunctionName);
    expect(target).toContain(`{"Ref":"${logicalIdOf(alias as IConstruct)}"}`);
    expect(target).toContain('":live"');
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::ImportValue': Match.stringLikeRegexp('OutboxTable.*StreamArn') },
      StartingPosition: 'TRIM_HORIZON',
      BisectBatchOnFunctionError: true,
      MaximumRetryAttempts: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify({ eventName: ['INSERT'] }) }] },
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [dlqId, 'Arn'] } } },
    });
    template.hasResourceProperties('AWS::SQS::Queue', { SqsManagedSseEnabled: true });
  });

  it.each(functions)('%s: is invoked through its live alias, shifted by CodeDeploy', (handler) => {
    // Prepare
    const fn = built.service.functions[handler];
    const group = built.service.deployments[handler];

    // Act
    const alias = resourceOf(fn?.alias);
    const deployment = resourceOf(group);

    // Assess
    expect(alias.Properties.Name).toBe('live');
    expect(alias.UpdatePolicy).toEqual({
      CodeDeployLambdaAliasUpdate: {
        ApplicationName: expect.anything(),
        DeploymentGroupName: expect.anything(),
        // The hook of the Service stack, through the nested stack's parameter.
        BeforeAllowTrafficHook: refIn(Stack.of(fn as IConstruct), built.service.deployHook.function),
      },
    });
    expect(deployment.Properties.DeploymentConfigName).toMatch(/AllAtOnce/);
    expect(deployment.Properties.AutoRollbackConfiguration).toEqual({
      Enabled: true,
      Events: expect.arrayContaining(['DEPLOYMENT_FAILURE', 'DEPLOYMENT_STOP_ON_ALARM']),
    });
    const watched = JSON.stringify(deployment.Properties.AlarmConfiguration);
    const alarms = built.service.observability.deploymentAlarms[handler] ?? [];
    expect(alarms).toHaveLength(3);
    for (const alarm of alarms) {
      // In the group's own stack: CloudFormation resolves the names in the same template.
      expect(Stack.of(alarm)).toBe(Stack.of(group as IConstruct));
      expect(watched).toContain(JSON.stringify({ Ref: logicalIdOf(alarm) }));
    }
  });

  it('no function is invoked except through its alias', () => {
    for (const [name, template] of allTemplates(templates)) {
      // Act
      const direct = JSON.stringify(template.toJSON()).match(
        /"FunctionName":\{"(Ref|Fn::GetAtt)":\["?[A-Za-z0-9]+Function[0-9A-F]{8}"?/g,
      );
      const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) =>
        JSON.stringify(p.Properties.FunctionName),
      );

      // Assess
      expect(direct, name).toBeNull();
      for (const target of permissions) {
        if (target.includes('AWS679f53fac') || target.includes('CustomResource')) continue;
        expect(target, name).toMatch(/Live/);
      }
    }
  });
});
