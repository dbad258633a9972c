// CodeDeploy's BeforeAllowTraffic hook for every service function: before any traffic moves to a new
// version, the hook invokes that version once with a smoke event and fails the deployment (CodeDeploy then
// rolls back, with no customer having reached the version) when the invocation errs. It catches what
// alarms can only see after customers did: a module that does not load, configuration that does not parse,
// a missing grant at cold start.
//
// The code is inline and uses the AWS SDK v3 that the Lambda Node.js runtime ships (@aws-sdk/client-codedeploy
// and @aws-sdk/client-lambda), so it adds no dependency to the project.
import { ArnFormat, Duration, type RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Architecture, Code, Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { nodeRuntime } from './service-function.ts';

/**
 * The smoke event: an API Gateway proxy event marked `smokeTest` (a field API Gateway never sets), which an API
 * function answers by reading one absent item of a table it may read (lambdas/http/api-handler.ts and
 * lambdas/readiness.ts): 200 when the read worked, 503 when it did not. The stream consumer makes the same
 * read (its empty `Records` list gives it nothing to send) and errs when it fails; the outbox sweep ignores
 * its event and runs one sweep, which is idempotent.
 */
export const smokeEvent = {
  smokeTest: true,
  Records: [],
  httpMethod: 'GET',
  path: '/v1/health',
  resource: '/v1/health',
  headers: {},
  multiValueHeaders: {},
  queryStringParameters: null,
  pathParameters: null,
  body: null,
  isBase64Encoded: false,
  requestContext: { requestId: 'codedeploy-before-allow-traffic' },
};

/** The hook's source (CommonJS, as `index.handler`). */
export const deployHookSource = `const { CodeDeployClient, GetDeploymentCommand, PutLifecycleEventHookExecutionStatusCommand } = require('@aws-sdk/client-codedeploy');
const { LambdaClient, InvokeCommand } = require('@aws-sdk/client-lambda');
const codedeploy = new CodeDeployClient({});
const lambda = new LambdaClient({});
const SMOKE_EVENT = ${JSON.stringify(JSON.stringify(smokeEvent))};

/** The function and version the deployment moves traffic to, from its AppSpec. */
function targetOf(deployment) {
  const content = deployment.deploymentInfo.revision.appSpecContent.content;
  const appSpec = JSON.parse(content);
  for (const resource of appSpec.Resources) {
    for (const name of Object.keys(resource)) {
      const properties = resource[name].Properties;
      return { functionName: properties.Name, version: String(properties.TargetVersion) };
    }
  }
  throw new Error('the deployment names no target version');
}

exports.handler = async (event) => {
  let status = 'Failed';
  try {
    const deployment = await codedeploy.send(new GetDeploymentCommand({ deploymentId: event.DeploymentId }));
    const target = targetOf(deployment);
    const result = await lambda.send(
      new InvokeCommand({ FunctionName: target.functionName, Qualifier: target.version, Payload: SMOKE_EVENT }),
    );
    const answer = result.Payload ? JSON.parse(Buffer.from(result.Payload).toString('utf8') || 'null') : null;
    // An API function answers the smoke event 200 after its read; anything else (a 503 from the read, a 403
    // from a version that does not know the smoke event) fails the deployment like an error does.
    const statusCode = answer && typeof answer === 'object' ? answer.statusCode : undefined;
    if (result.FunctionError || (statusCode !== undefined && statusCode !== 200)) {
      console.log(JSON.stringify({ level: 'error', event: 'smoke_test_failed', target, functionError: result.FunctionError, statusCode }));
    } else {
      console.log(JSON.stringify({ level: 'info', event: 'smoke_test_passed', target }));
      status = 'Succeeded';
    }
  } catch (error) {
    console.log(JSON.stringify({ level: 'error', event: 'smoke_test_error', name: error && error.name }));
  }
  await codedeploy.send(
    new PutLifecycleEventHookExecutionStatusCommand({
      deploymentId: event.DeploymentId,
      lifecycleEventHookExecutionId: event.LifecycleEventHookExecutionId,
      status,
    }),
  );
  return status;
};
`;

export interface DeployHookProps {
  /** The CodeDeploy application whose deployments the hook reads. */
  applicationName: string;
  logRetention: RetentionDays;
  logRemovalPolicy: RemovalPolicy;
}

/** One hook function for every deployment group (`preHook`). */
export class DeployHook extends Construct {
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: DeployHookProps) {
    super(scope, id);
    const logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    this.function = new LambdaFunction(this, 'Function', {
      description: 'CodeDeploy BeforeAllowTraffic: invokes the new version once with a smoke event',
      runtime: nodeRuntime,
      architecture: Architecture.ARM_64,
      handler: 'index.handler',
      code: Code.fromInline(deployHookSource),
      timeout: Duration.seconds(60),
      memorySize: 256,
      logGroup,
    });
    const stack = Stack.of(this);
    // The service functions have names CloudFormation generates from the stack's name; the hook may invoke
    // their versions and nothing else.
    const functions = stack.formatArn({
      service: 'lambda',
      resource: 'function',
      resourceName: `${stack.stackName}-*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeNewVersions',
        actions: ['lambda:InvokeFunction'],
        resources: [functions, `${functions}:*`],
      }),
    );
    // Reads the deployment and reports its verdict. Granted on the application's groups by pattern, not by
    // each group (aws-cdk-lib's preHook grant): the groups live in nested stacks that refer to this function,
    // so a reference back to them from here would be a dependency cycle (lib/service-stack.ts).
    this.function.addToRolePolicy(
      new PolicyStatement({
        sid: 'ReadDeployments',
        actions: ['codedeploy:GetDeployment', 'codedeploy:PutLifecycleEventHookExecutionStatus'],
        resources: [
          stack.formatArn({
            service: 'codedeploy',
            resource: 'deploymentgroup',
            resourceName: `${props.applicationName}/*`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }
}
