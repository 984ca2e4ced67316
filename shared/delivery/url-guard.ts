import { lookup as dnsLookup, type LookupAddress, type LookupAllOptions, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';

/**
 * Integrator endpoints are URLs anyone with a developer account chooses, and the delivery worker posts to them from
 * inside AWS: without a guard they reach the instance metadata service, VPC neighbours or localhost (SSRF). The URL
 * is checked at registration (`checkEndpointUrl`, literal addresses and local names), and every connection resolves
 * through `guardedLookup`, so a public name re-pointed at a private address later (DNS rebinding) fails too.
 */
export const MAX_ENDPOINT_URL_LENGTH = 2_048;

const MAPPED = 0xffff_0000_0000n;
const ALL_BITS = (1n << 128n) - 1n;

function ipv4Value(address: string): bigint {
  return address.split('.').reduce((value, octet) => (value << 8n) | BigInt(Number(octet)), 0n);
}

/** The eight 16-bit groups of a valid IPv6 text, a trailing dotted quad folded into the last two. */
function ipv6Value(address: string): bigint {
  let text = address.toLowerCase();
  const quad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (quad) {
    const v4 = ipv4Value(quad[1]!);
    text = `${text.slice(0, quad.index)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const groups = (part: string) => (part ? part.split(':').map((group) => BigInt(`0x${group}`)) : []);
  const head = groups(left);
  const tail = right === undefined ? [] : groups(right);
  const all = [...head, ...Array<bigint>(8 - head.length - tail.length).fill(0n), ...tail];
  return all.reduce((value, group) => (value << 16n) | group, 0n);
}

/** An IP address as a 128-bit number, IPv4 as its IPv4-mapped IPv6 form; undefined for anything else. */
function addressValue(address: string): bigint | undefined {
  const bare = address.replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return MAPPED | ipv4Value(bare);
  if (version === 6) return ipv6Value(bare);
  return undefined;
}

interface Range {
  base: bigint;
  mask: bigint;
}

function range(cidr: string): Range {
  const [address, length] = cidr.split('/') as [string, string];
  const bits = BigInt(Number(length) + (isIP(address) === 4 ? 96 : 0));
  const mask = bits === 0n ? 0n : (ALL_BITS << (128n - bits)) & ALL_BITS;
  return { base: addressValue(address)! & mask, mask };
}

const within = (value: bigint, { base, mask }: Range) => (value & mask) === base;

/** Not globally reachable (RFC 6890 and successors): private, loopback, link-local, CGNAT, reserved... */
const BLOCKED = [
  '0.0.0.0/8', // "this network", the unspecified address
  '10.0.0.0/8',
  '100.64.0.0/10', // carrier-grade NAT
  '127.0.0.0/8',
  '169.254.0.0/16', // link-local, the instance metadata service
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, broadcast
  '::/96', // unspecified, loopback, the deprecated IPv4-compatible addresses
  '::ffff:0:0:0/96', // IPv4-translated
  '64:ff9b:1::/48', // local-use NAT64
  '100::/64', // discard
  '2001::/23', // IETF protocol assignments, Teredo
  '2001:db8::/32', // documentation
  'fc00::/7', // unique-local
  'fe80::/10', // link-local
  'fec0::/10', // site-local (deprecated)
  'ff00::/8', // multicast
].map(range);

/** IPv6 ranges that carry an IPv4 address: judged by that address. */
const NAT64 = range('64:ff9b::/96');
const SIX_TO_FOUR = range('2002::/16');

/** True for any address that is not a public unicast address (and for anything that is not an IP address). */
export function isPrivateAddress(address: string): boolean {
  const value = addressValue(address);
  if (value === undefined) return true;
  if (within(value, NAT64)) return isPrivateAddress(ipv4Text(value & 0xffff_ffffn));
  if (within(value, SIX_TO_FOUR)) return isPrivateAddress(ipv4Text((value >> 80n) & 0xffff_ffffn));
  return BLOCKED.some((blocked) => within(value, blocked));
}

const ipv4Text = (value: bigint) => [24n, 16n, 8n, 0n].map((shift) => (value >> shift) & 0xffn).join('.');

/** Names that resolve on the machine or its network only, never on the public DNS. */
const LOCAL_NAME = /(?:^|\.)(?:localhost|local|localdomain|internal|intranet|lan|home\.arpa)$|^[^.]+$/;

/**
 * Why an endpoint URL is refused, or null when it is fine. Without `allowPrivate`: https only, and no literal
 * address or local name that points inside (a public name pointing inside is caught at connect time).
 */
export function checkEndpointUrl(url: string, { allowPrivate }: { allowPrivate: boolean }): string | null {
  if (url.length > MAX_ENDPOINT_URL_LENGTH)
    return `URL must be at most ${MAX_ENDPOINT_URL_LENGTH} characters`;
  if (!URL.canParse(url)) return 'URL must be absolute (scheme and host)';
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return 'URL must use http or https';
  if (parsed.username || parsed.password) return 'URL must not contain credentials';
  if (allowPrivate) return null;
  if (parsed.protocol !== 'https:') return 'URL must use https';
  const host = parsed.hostname
    .replace(/^\[|\]$/g, '')
    .replace(/\.$/, '')
    .toLowerCase();
  if (isIP(host)) {
    return isPrivateAddress(host) ? 'URL must not point to a private, loopback or link-local address' : null;
  }
  return LOCAL_NAME.test(host) ? 'URL must not point to a local host name' : null;
}

/** A connection refused because its host resolved to an address `isPrivateAddress` rejects. */
export class PrivateAddressError extends Error {
  override name = 'PrivateAddressError';
  readonly code = 'EPRIVATEADDRESS';
  constructor(hostname: string) {
    // The address itself stays out: the message is shown to the developer as the attempt's response.
    super(`${hostname} resolves to a private, loopback or link-local address`);
  }
}

/** Resolves a name to all its addresses (dns.lookup with `all: true`; tests inject their own). */
export type Resolver = (
  hostname: string,
  options: LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void,
) => void;

const systemResolver: Resolver = (hostname, options, callback) => dnsLookup(hostname, options, callback);

/**
 * A `lookup` for `http(s).request` / `net.connect`: resolves every address of the host and refuses the
 * connection when any of them is private (unless `allowPrivate`), so the checked address is the one connected to.
 * Literal-address hosts skip lookups in Node: `checkEndpointUrl` covers them.
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolver = systemResolver): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, options.all ? [] : '');
      if (addresses.length === 0) {
        return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '');
      }
      if (!allowPrivate && addresses.some(({ address }) => isPrivateAddress(address))) {
        return callback(new PrivateAddressError(hostname), options.all ? [] : '');
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress];
      return callback(null, first.address, first.family);
    });
  };
}
