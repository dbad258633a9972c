// The CloudFront-scope web ACL. AWS accepts CLOUDFRONT-scope ACLs only in us-east-1, so it is a small stack of
// its own there; the web stack reads its ARN through a cross-region reference.
import { RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { DeployConfig } from './config.ts';
import { ServiceWebAcl } from './web-acl.ts';

export const edgeRegion = 'us-east-1';

/**
 * The edge ACL's request logs (viewer addresses, paths, headers) live in us-east-1 whatever the main region,
 * because WAF logs a CLOUDFRONT-scope ACL only there. They are personal data kept outside the region chosen
 * for residency (docs/DEPLOYMENT.md, "Region"), so they are kept a quarter, not the regional ACL's year.
 */
export const edgeWafLogRetention = {
  dev: RetentionDays.ONE_MONTH,
  prod: RetentionDays.THREE_MONTHS,
} as const;

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
      logRetention: edgeWafLogRetention[props.config.stage],
      logRemovalPolicy: props.config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
  }

  get webAclArn(): string {
    return this.webAcl.webAcl.attrArn;
  }
}
