// The CloudFront-scope web ACL. AWS accepts CLOUDFRONT-scope ACLs only in us-east-1, so it is a small stack of
// its own there; the web stack reads its ARN through a cross-region reference.
import { Stack, type StackProps } from 'aws-cdk-lib';
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
    });
  }

  get webAclArn(): string {
    return this.webAcl.webAcl.attrArn;
  }
}
