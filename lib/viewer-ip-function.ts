// The viewer's client address as a header, for the regional WAF's per-client rate rules and the code's
// per-client limits alike (rules 38, 4). CloudFront-Viewer-Address carries `ip:port`, and AWS WAF documents
// no port stripping for a forwarded-IP header: a CloudFront Function on the API's viewer requests writes
// `event.viewer.ip` (no port), with IPv6 reduced to its /64.
import {
  Function as EdgeFunction,
  FunctionCode,
  FunctionRuntime,
  type IFunction,
} from 'aws-cdk-lib/aws-cloudfront';
import type { Construct } from 'constructs';
import { CLIENT_IP_HEADER, CLIENT_SITE_HEADER } from '../lambdas/http/client-address.ts';

/** The header the function sets and the regional ACL and the code key on (one source of truth). */
export const viewerIpHeader = CLIENT_IP_HEADER;
/** The header with the viewer's IPv6 /48 (an IPv4 viewer's address), for the regional ACL's /48 rules. */
export const viewerSiteHeader = CLIENT_SITE_HEADER;

/**
 * The function's code (cloudfront-js-2.0, viewer request). It always replaces the header, single or
 * multi-valued, so a value the client sent never reaches WAF or the API. `event.viewer.ip` is the address
 * of the TCP peer CloudFront saw, without a port: an IPv4 address is written as it is, an IPv4-mapped IPv6
 * address as its IPv4, and any other IPv6 address as its /64 network address (`2001:db8:1:2::`), so WAF,
 * which counts each address, counts a subscriber's whole /64 as one client, as the code does. A second header
 * carries the /48 network address (`2001:db8:1::`; an IPv4 address as it is) for the /48 rules (rule 66).
 */
export const viewerIpFunctionSource = `function clientNetwork(ip, kept) {
  var text = String(ip).toLowerCase();
  if (text.indexOf(':') < 0) return text;
  var mapped = /^(?:0{0,4}:){0,5}:?ffff:(\\d{1,3}(?:\\.\\d{1,3}){3})$/.exec(text);
  if (mapped) return mapped[1];
  var halves = text.split('::');
  var groups = function (part) {
    if (!part) return [];
    var items = part.split(':');
    var last = items[items.length - 1];
    if (last.indexOf('.') >= 0) items.splice(items.length - 1, 1, '0', '0');
    return items;
  };
  var left = groups(halves[0]);
  var right = halves.length > 1 ? groups(halves[1]) : [];
  var all = left;
  if (halves.length > 1) {
    all = left.slice();
    for (var n = left.length + right.length; n < 8; n++) all.push('0');
    all = all.concat(right);
  }
  var network = [];
  for (var i = 0; i < kept; i++) network.push(parseInt(all[i] || '0', 16).toString(16));
  return network.join(':') + '::';
}

async function handler(event) {
  var request = event.request;
  request.headers[${JSON.stringify(CLIENT_IP_HEADER)}] = { value: clientNetwork(event.viewer.ip, 4) };
  request.headers[${JSON.stringify(CLIENT_SITE_HEADER)}] = { value: clientNetwork(event.viewer.ip, 3) };
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
