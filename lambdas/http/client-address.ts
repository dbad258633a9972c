// The client address every per-client limit keys on (rules 38, 4), one source of truth for the code, the
// regional WAF and the local gateway: the `x-viewer-ip` header. CloudFront's viewer-request function
// (lib/viewer-ip-function.ts) always overwrites it with the viewer's TCP address, an IPv6 one reduced to
// its /64 network (a subscriber owns a whole /64, so counting each address would let one client rotate
// through 2^64 of them); the local gateway does the same from its TCP peer.

/** Lower case, as CloudFront Functions and API Gateway's header lookups see it. */
export const CLIENT_IP_HEADER = 'x-viewer-ip';

/**
 * The client's IPv6 /48 (its network address), for the regional WAF's second per-client bucket (rule 66):
 * one allocation from a tunnel broker holds 65,536 /64s. An IPv4 client's is its address. The code derives
 * the same from the client key (`siteKey`) and never reads this header.
 */
export const CLIENT_SITE_HEADER = 'x-viewer-net48';

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const HEX_GROUP = /^[0-9a-f]{1,4}$/;

/** The eight 16-bit groups of an IPv6 address (an embedded IPv4 tail counts as two), or undefined. */
function ipv6Groups(address: string): number[] | undefined {
  const halves = address.toLowerCase().split('::');
  if (halves.length > 2) return undefined;
  const parse = (part: string | undefined): number[] | undefined => {
    if (!part) return [];
    const groups: number[] = [];
    const items = part.split(':');
    for (const [i, item] of items.entries()) {
      if (i === items.length - 1 && IPV4.test(item)) {
        const [a, b, c, d] = item.split('.').map(Number) as [number, number, number, number];
        groups.push(a * 256 + b, c * 256 + d);
      } else if (HEX_GROUP.test(item)) {
        groups.push(Number.parseInt(item, 16));
      } else {
        return undefined;
      }
    }
    return groups;
  };
  const left = parse(halves[0]);
  const right = parse(halves[1]);
  if (!left || !right) return undefined;
  if (halves.length === 1) return left.length === 8 ? left : undefined;
  const missing = 8 - left.length - right.length;
  return missing >= 1 ? [...left, ...Array<number>(missing).fill(0), ...right] : undefined;
}

/**
 * The key of the client: an IPv4 address as it is, an IPv4-mapped IPv6 address as its IPv4, any other
 * IPv6 address as its /64 (`2001:db8:1:2::/64`, one spelling for every address of that network).
 * Undefined for anything that is not a bare address (a port, a list, a name).
 */
export function clientKey(value: string | undefined): string | undefined {
  const text = value?.trim() ?? '';
  if (IPV4.test(text)) return text;
  const groups = ipv6Groups(text);
  if (!groups) return undefined;
  const [, , , , , sixth = 0, high = 0, low = 0] = groups;
  if (groups.slice(0, 5).every((g) => g === 0) && sixth === 0xffff) {
    return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}
