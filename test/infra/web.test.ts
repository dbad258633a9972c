// Web hosting: the private bucket, CloudFront with OAC, security headers, TLS, WAF from us-east-1, and the
// /v1/* behaviour that keeps the API on the page's own origin.
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SelfRegistrationApp } from '../../lib/app.ts';
import { buildTemplates, devContext, prodContext, resourcesOf } from './app-fixture.ts';

/** IDs of the AWS managed policies the /v1/* behaviour must use. */
const cachingDisabled = '4135ea2d-6df8-44a3-9df3-4b5a84be39ad';
const allViewerExceptHostHeader = 'b689b0a8-53d0-40ab-baf2-68738e2966ac';
const csp =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

describe('web hosting (prod)', () => {
  let web: Template;
  let edgeWaf: Template | undefined;
  let built: SelfRegistrationApp;

  beforeAll(() => {
    // Prepare
    ({ web, edgeWaf, built } = buildTemplates(prodContext));
  });

  const distribution = () =>
    Object.values(resourcesOf(web, 'AWS::CloudFront::Distribution'))[0]?.Properties
      .DistributionConfig as Record<string, unknown> & {
      DefaultCacheBehavior: Record<string, unknown>;
      CacheBehaviors: Record<string, unknown>[];
      Origins: {
        Id: string;
        DomainName: unknown;
        OriginPath?: string;
        S3OriginConfig?: unknown;
        OriginAccessControlId?: unknown;
      }[];
    };

  it('keeps the site in a private, encrypted, SSL-only bucket with access logs', () => {
    // Prepare
    const siteId = built.web.getLogicalId(built.web.siteBucket.node.defaultChild as never);
    const logsId = built.web.getLogicalId(built.web.logsBucket.node.defaultChild as never);

    // Act
    const site = resourcesOf(web, 'AWS::S3::Bucket')[siteId]?.Properties;

    // Assess
    expect(site).toMatchObject({
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      LoggingConfiguration: { DestinationBucketName: { Ref: logsId } },
    });
    web.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: siteId },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  it('reads the bucket only through CloudFront origin access control', () => {
    // Act
    const s3Origin = distribution().Origins.find((origin) => origin.S3OriginConfig !== undefined);

    // Assess
    web.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({
        OriginAccessControlOriginType: 's3',
        SigningBehavior: 'always',
      }),
    });
    expect(s3Origin?.OriginAccessControlId).toEqual({ 'Fn::GetAtt': [expect.any(String), 'Id'] });
  });

  it('sends strict security headers on every response', () => {
    // Act + Assess
    web.hasResourceProperties('AWS::CloudFront::ResponseHeadersPolicy', {
      ResponseHeadersPolicyConfig: Match.objectLike({
        SecurityHeadersConfig: {
          ContentSecurityPolicy: { ContentSecurityPolicy: csp, Override: true },
          StrictTransportSecurity: Match.objectLike({
            AccessControlMaxAgeSec: 63072000,
            IncludeSubdomains: true,
            Override: true,
          }),
          ContentTypeOptions: { Override: true },
          ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
          FrameOptions: { FrameOption: 'DENY', Override: true },
        },
      }),
    });
    const policyId = Object.keys(resourcesOf(web, 'AWS::CloudFront::ResponseHeadersPolicy'))[0];
    expect(distribution().DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
    for (const behavior of distribution().CacheBehaviors)
      expect(behavior.ResponseHeadersPolicyId).toEqual({ Ref: policyId });
  });

  it('serves only TLS 1.2+ on the custom domain, HTTPS only', () => {
    // Act
    const config = distribution();

    // Assess
    expect(config).toMatchObject({
      Aliases: [prodContext.webDomain],
      ViewerCertificate: {
        AcmCertificateArn: prodContext.webCertificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2025',
        SslSupportMethod: 'sni-only',
      },
      DefaultCacheBehavior: { ViewerProtocolPolicy: 'redirect-to-https' },
    });
  });

  it('forwards /v1/* to the API origin uncached, with all viewer headers but Host', () => {
    // Act
    const config = distribution();
    const api = config.CacheBehaviors.find((behavior) => behavior.PathPattern === '/v1/*');
    const origin = config.Origins.find((candidate) => candidate.Id === api?.TargetOriginId);

    // Assess
    expect(config.CacheBehaviors).toHaveLength(1);
    expect(api).toMatchObject({
      CachePolicyId: cachingDisabled,
      OriginRequestPolicyId: allViewerExceptHostHeader,
      ViewerProtocolPolicy: 'https-only',
      AllowedMethods: expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']),
    });
    expect(JSON.stringify(origin?.DomainName)).toContain('execute-api');
    expect(origin).toMatchObject({
      CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] },
    });
    expect(JSON.stringify(origin?.OriginPath)).toContain('Fn::Select');
  });

  it('logs viewer requests and is protected by the us-east-1 CloudFront web ACL', () => {
    // Act
    const config = distribution();

    // Assess
    expect(config.Logging).toMatchObject({ Bucket: expect.anything(), Prefix: 'cloudfront/' });
    expect(JSON.stringify(config.WebACLId)).toMatch(/EdgeWaf|SSMParameter|ExportsReader/);
    expect(built.edgeWaf?.region).toBe('us-east-1');
    edgeWaf?.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'CLOUDFRONT',
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimitIdentify',
          Statement: { RateBasedStatement: Match.objectLike({ AggregateKeyType: 'IP', Limit: 10 }) },
        }),
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
        Match.objectLike({ Name: 'AWSManagedRulesKnownBadInputsRuleSet' }),
      ]),
    });
  });

  it('uploads the built wizard and outputs the distribution URL', () => {
    // Act + Assess
    web.resourceCountIs('Custom::CDKBucketDeployment', 1);
    web.hasOutput('DistributionUrl', { Value: `https://${prodContext.webDomain}` });
  });
});

describe('web hosting (override)', () => {
  it('an existing CloudFront web ACL from context replaces the EdgeWaf stack', () => {
    // Prepare
    const webAclArn =
      'arn:aws:wafv2:us-east-1:123456789012:global/webacl/bank-edge/0a1b2c3d-1111-2222-3333-444455556666';

    // Act
    const { web, built } = buildTemplates({ ...devContext, cloudFrontWebAclArn: webAclArn });

    // Assess
    expect(built.edgeWaf).toBeUndefined();
    web.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({ WebACLId: webAclArn }),
    });
  });
});
