// Hosting of the web wizard: a private S3 bucket behind CloudFront (origin access control, strict security
// headers, WAF), with `/v1/*` forwarded to the regional API so the page and the API share one origin.
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import type { RestApi } from 'aws-cdk-lib/aws-apigateway';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import {
  AllowedMethods,
  CachePolicy,
  Distribution,
  FunctionEventType,
  HeadersFrameOption,
  HeadersReferrerPolicy,
  HttpVersion,
  OriginRequestPolicy,
  PriceClass,
  ResponseHeadersPolicy,
  SecurityPolicyProtocol,
  SSLMethod,
  ViewerProtocolPolicy,
} from 'aws-cdk-lib/aws-cloudfront';
import { RestApiOrigin, S3BucketOrigin } from 'aws-cdk-lib/aws-cloudfront-origins';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { BucketDeployment, Source } from 'aws-cdk-lib/aws-s3-deployment';
import type { Construct } from 'constructs';
import { contentSecurityPolicy, securityHeaders } from '../web/security-headers.ts';
import type { AlarmTopic } from './alarm-topic.ts';
import type { DeployConfig } from './config.ts';
import { originSecretNames, originVerifyHeader, secretReference } from './origin-verify.ts';
import { viewerIpFunction } from './viewer-ip-function.ts';
import { WizardCanary } from './wizard-canary.ts';

export interface WebStackProps extends StackProps {
  config: DeployConfig;
  api: RestApi;
  /** The service region's alarm topic: the canary's alarm goes there. */
  alarmTopic: AlarmTopic;
  /** ARN of the CLOUDFRONT-scope web ACL (us-east-1). */
  webAclArn: string;
  /** The built wizard (index.html and assets); without it the bucket is created empty (dev only). */
  siteDirectory?: string;
}

export class WebStack extends Stack {
  readonly siteBucket: Bucket;
  readonly logsBucket: Bucket;
  readonly distribution: Distribution;
  readonly headersPolicy: ResponseHeadersPolicy;
  readonly deployment?: BucketDeployment;
  readonly canary: WizardCanary;

  constructor(scope: Construct, id: string, props: WebStackProps) {
    super(scope, id, props);
    const { config } = props;

    // CloudFront standard logs are delivered with ACLs and SSE-S3 only, which fixes this bucket's settings.
    this.logsBucket = new Bucket(this, 'LogsBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      versioned: true,
      lifecycleRules: [
        {
          expiration: Duration.days(config.isProd ? 400 : 30),
          noncurrentVersionExpiration: Duration.days(30),
        },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.siteBucket = new Bucket(this, 'SiteBucket', {
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      encryption: BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      versioned: true,
      serverAccessLogsBucket: this.logsBucket,
      serverAccessLogsPrefix: 's3-site/',
      lifecycleRules: [{ noncurrentVersionExpiration: Duration.days(30) }],
      removalPolicy: config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });

    // The same headers the local gateway serves the wizard with (web/security-headers.ts).
    const header = (name: string): string => {
      const value = securityHeaders[name];
      if (!value) throw new Error(`web/security-headers.ts has no ${name}`);
      return value;
    };
    this.headersPolicy = new ResponseHeadersPolicy(this, 'SecurityHeaders', {
      comment: 'Self-registration: strict security headers on the wizard and the API',
      securityHeadersBehavior: {
        contentSecurityPolicy: { contentSecurityPolicy, override: true },
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          preload: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        referrerPolicy: { referrerPolicy: HeadersReferrerPolicy.NO_REFERRER, override: true },
        frameOptions: { frameOption: HeadersFrameOption.DENY, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Permissions-Policy', value: header('Permissions-Policy'), override: true },
          {
            header: 'Cross-Origin-Opener-Policy',
            value: header('Cross-Origin-Opener-Policy'),
            override: true,
          },
          { header: 'Cross-Origin-Resource-Policy', value: 'same-origin', override: true },
        ],
      },
      removeHeaders: ['Server'],
    });

    const custom =
      config.webDomain && config.webCertificateArn
        ? {
            domainNames: [config.webDomain],
            certificate: Certificate.fromCertificateArn(this, 'WebCertificate', config.webCertificateArn),
            minimumProtocolVersion: SecurityPolicyProtocol.TLS_V1_2_2025,
            sslSupportMethod: SSLMethod.SNI,
          }
        : {};

    this.distribution = new Distribution(this, 'Distribution', {
      // The generation changes the distribution at a rotation, so CloudFormation resolves the origin secret again.
      comment: `Self-registration wizard (${config.stage}, origin secret generation ${config.originSecretGeneration})`,
      defaultRootObject: 'index.html',
      httpVersion: HttpVersion.HTTP2_AND_3,
      // South American edge locations are only in the "All" price class.
      priceClass: PriceClass.PRICE_CLASS_ALL,
      webAclId: props.webAclArn,
      enableLogging: true,
      logBucket: this.logsBucket,
      logFilePrefix: 'cloudfront/',
      ...custom,
      defaultBehavior: {
        origin: S3BucketOrigin.withOriginAccessControl(this.siteBucket),
        viewerProtocolPolicy: ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: AllowedMethods.ALLOW_GET_HEAD,
        cachePolicy: CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.headersPolicy,
        compress: true,
      },
      additionalBehaviors: {
        // Same origin for the API: no CORS at all, and no caching of anything the API answers.
        '/v1/*': {
          origin: new RestApiOrigin(props.api, {
            readTimeout: Duration.seconds(30),
            // The regional ACL refuses any request without it (rule 37); a dynamic reference, never the value.
            customHeaders: {
              [originVerifyHeader]: secretReference(originSecretNames(config.stage).current),
            },
          }),
          viewerProtocolPolicy: ViewerProtocolPolicy.HTTPS_ONLY,
          allowedMethods: AllowedMethods.ALLOW_ALL,
          cachePolicy: CachePolicy.CACHING_DISABLED,
          // The regional ACL's rate rules and the code's per-client limits key on the header this sets: the
          // viewer's IP (an IPv6 one as its /64), always overwritten (rules 38, 4).
          functionAssociations: [
            {
              function: viewerIpFunction(this, 'ViewerIpFunction'),
              eventType: FunctionEventType.VIEWER_REQUEST,
            },
          ],
          // Every viewer header but Host, so the header the viewer-request function set reaches the API (the
          // address the code and WAF trust, rule 38). AWS asks only that the policy include a function's header;
          // that "all viewer headers" does is read from the docs, and the first-deploy call checks it.
          originRequestPolicy: OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
          responseHeadersPolicy: this.headersPolicy,
          compress: true,
        },
      },
    });

    if (props.siteDirectory) {
      this.deployment = new BucketDeployment(this, 'DeploySite', {
        sources: [Source.asset(props.siteDirectory)],
        destinationBucket: this.siteBucket,
        distribution: this.distribution,
        distributionPaths: ['/*'],
        prune: true,
        retainOnDelete: config.isProd,
        memoryLimit: 256,
      });
    } else {
      Annotations.of(this).addWarningV2(
        'selfreg:no-site',
        'No built web wizard: the site bucket is deployed empty. Build the web (web/build.ts) before deploying.',
      );
    }

    const url = `https://${config.webDomain ?? this.distribution.distributionDomainName}`;
    this.canary = new WizardCanary(this, 'WizardCanary', {
      siteUrl: url,
      canaryName: `selfreg-${config.stage}`,
      logsBucket: this.logsBucket,
      alarmTopic: props.alarmTopic,
      removal: config.isProd ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
    });
    new CfnOutput(this, 'DistributionUrl', { value: url, description: 'The wizard, and the API under /v1' });
    new CfnOutput(this, 'DistributionDomainName', { value: this.distribution.distributionDomainName });
    new CfnOutput(this, 'DistributionId', { value: this.distribution.distributionId });
    new CfnOutput(this, 'SiteBucketName', { value: this.siteBucket.bucketName });
  }
}
