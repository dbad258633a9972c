// The CloudFront-scope web ACL. AWS accepts CLOUDFRONT-scope ACLs only in us-east-1, so it is a small stack of
// its own there; the web stack reads its ARN through a cross-region reference.
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';
import { ServiceWebAcl } from './web-acl.ts';

export const edgeRegion = 'us-east-1';

export interface EdgeWafStackProps extends StackProps {
  config: DeployConfig;
}

export class EdgeWafStack extends Stack {
  readonly webAcl: ServiceWebAcl;

  constructor(scope: Construct, id: string, props: EdgeWafStackProps) {
    super(scope, id, props);
    this.webAcl = new ServiceWebAcl(this, 'EdgeWaf', {
      scope: 'CLOUDFRONT',
      metricPrefix: `SelfRegistration${props.config.isProd ? 'Prod' : 'Dev'}Edge`,
      logRetention: props.config.isProd ? RetentionDays.ONE_YEAR : RetentionDays.ONE_MONTH,
      logRemovalPolicy: props.config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }

  get webAclArn(): string {
    return this.webAcl.webAcl.attrArn;
  }
}
