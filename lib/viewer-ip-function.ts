// The viewer's bare IP address as a header, for the regional WAF's per-client rate rules (rule 38).
// CloudFront-Viewer-Address carries `ip:port`, and AWS WAF documents no port stripping for a forwarded-IP
// header: a CloudFront Function on the API's viewer requests writes `event.viewer.ip`, which has no port.
import {
  Function as EdgeFunction,
  FunctionCode,
  FunctionRuntime,
  type IFunction,
} from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';

/** The header the function sets and the regional ACL keys on; lower case, as CloudFront Functions see it. */
export const viewerIpHeader = 'x-viewer-ip';

/**
 * The function's code (cloudfront-js-2.0, viewer request). It always replaces the header, single or
 * multi-valued, so a value the client sent never reaches WAF or the API. `event.viewer.ip` is the address
 * of the TCP peer CloudFront saw, IPv4 or IPv6, without a port.
 */
export const viewerIpFunctionSource = `async function handler(event) {
  var request = event.request;
  request.headers[${JSON.stringify(viewerIpHeader)}] = { value: event.viewer.ip };
  return request;
}
`;

/** The CloudFront Function for the `/v1/*` behaviour's viewer-request event. */
export function viewerIpFunction(scope: Construct, id: string): IFunction {
  return new EdgeFunction(scope, id, {
    comment: `Self-registration: sets ${viewerIpHeader} to the viewer's IP for the API's WAF rate rules`,
    code: FunctionCode.fromInline(viewerIpFunctionSource),
    runtime: FunctionRuntime.JS_2_0,
  });
}
