import type { LookupAddress } from 'node:dns';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkEndpointUrl,
  guardedLookup,
  isPrivateAddress,
  PrivateAddressError,
  type Resolver,
} from '#shared/delivery/url-guard.js';

/** The IPv4 ranges the guard must refuse (RFC 6890 and successors), as [first address, prefix length]. */
const PRIVATE_V4: Array<[string, number]> = [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
];
const PRIVATE_V6: Array<[string, number]> = [
  ['::', 96],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
  ['2001:db8::', 32],
];
const PUBLIC = ['8.8.8.8', '1.1.1.1', '93.184.216.34', '2606:4700:4700::1111', '2001:4860:4860::8888'];

const v4Number = (text: string) => text.split('.').reduce((n, octet) => n * 256 + Number(octet), 0);
const v4Text = (n: number) => [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');

/** Any address inside an IPv4 range. */
const inV4 = ([first, length]: [string, number]) =>
  fc.nat(2 ** (32 - length) - 1).map((offset) => v4Text(v4Number(first) + offset));

/** Any address inside an IPv6 range: the prefix kept, the rest random. */
const inV6 = ([first, length]: [string, number]) =>
  fc.array(fc.nat(0xffff), { minLength: 8, maxLength: 8 }).map((random) => {
    const base = expandV6(first);
    return base
      .map((group, i) => {
        const kept = Math.max(0, Math.min(16, length - i * 16));
        const mask = kept === 0 ? 0 : (0xffff << (16 - kept)) & 0xffff;
        return ((group & mask) | (random[i]! & ~mask & 0xffff)).toString(16);
      })
      .join(':');
  });

function expandV6(text: string): number[] {
  const [left = '', right = ''] = text.split('::');
  const head = left ? left.split(':') : [];
  const tail = right ? right.split(':') : [];
  return [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail].map((g) => parseInt(g, 16));
}

/** The IPv6 spellings that carry an IPv4 address. */
const hex = (n: number) => n.toString(16);
const embeddings = (v4: string) => {
  const n = v4Number(v4);
  const [high, low] = [Math.floor(n / 65_536), n % 65_536];
  return [
    `::ffff:${v4}`,
    `::ffff:${hex(high)}:${hex(low)}`,
    `64:ff9b::${v4}`,
    `2002:${hex(high)}:${hex(low)}::1`,
  ];
};

const privateAddress = fc.oneof(...PRIVATE_V4.map(inV4), ...PRIVATE_V6.map(inV6));
const noPrivate = { allowPrivate: false };

describe('isPrivateAddress', () => {
  it('refuses every address of every private, loopback, link-local, CGNAT, multicast or reserved range', () => {
    fc.assert(
      fc.property(privateAddress, (address) => {
        expect(isPrivateAddress(address)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('judges an IPv4 address the same in each of its IPv6 embeddings (mapped, NAT64, 6to4)', () => {
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        for (const embedded of embeddings(v4)) expect(isPrivateAddress(embedded)).toBe(isPrivateAddress(v4));
      }),
      { numRuns: 1_000 },
    );
  });

  it('accepts public unicast addresses, including mapped ones', () => {
    for (const address of [...PUBLIC, ...embeddings('8.8.8.8')])
      expect(isPrivateAddress(address)).toBe(false);
  });

  it('refuses what is not an address, and ignores a zone id', () => {
    expect(isPrivateAddress('example.com')).toBe(true);
    expect(isPrivateAddress('fe80::1%eth0')).toBe(true);
  });

  it('agrees with a plain range check over any IPv4 address', () => {
    const ranges = PRIVATE_V4.map(([first, length]) => [v4Number(first), 2 ** (32 - length)] as const);
    const expected = (v4: string) =>
      ranges.some(([start, size]) => v4Number(v4) - start >= 0 && v4Number(v4) - start < size);
    const documentation = ['192.0.2.', '198.51.100.', '203.0.113.'];
    fc.assert(
      fc.property(fc.ipV4(), (v4) => {
        fc.pre(!documentation.some((prefix) => v4.startsWith(prefix)));
        expect(isPrivateAddress(v4)).toBe(expected(v4));
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('checkEndpointUrl', () => {
  it('accepts a public https URL, with port, path and query', () => {
    expect(checkEndpointUrl('https://hooks.example.com:8443/ow?x=1', noPrivate)).toBeNull();
    expect(checkEndpointUrl('https://8.8.8.8/hook', noPrivate)).toBeNull();
    expect(checkEndpointUrl('https://[2606:4700:4700::1111]/hook', noPrivate)).toBeNull();
  });

  it.each([
    ['http://hooks.example.com/', /https/],
    ['ftp://hooks.example.com/', /http or https/],
    ['/relative/path', /absolute/],
    ['hooks.example.com', /absolute/],
    ['https://user:pass@hooks.example.com/', /credentials/],
    ['https://localhost/', /local host name/],
    ['https://LOCALHOST./', /local host name/],
    ['https://api.localhost/', /local host name/],
    ['https://printer.local/', /local host name/],
    ['https://ip-10-0-0-1.ec2.internal/', /local host name/],
    ['https://intranet/', /local host name/],
    ['https://127.0.0.1/', /private/],
    ['https://0x7f.1/', /private/],
    ['https://2130706433/', /private/],
    ['https://0177.0.0.1/', /private/],
    ['https://169.254.169.254/latest/meta-data/', /private/],
    ['https://[::1]/', /private/],
    ['https://[::ffff:127.0.0.1]/', /private/],
    ['https://[::ffff:a9fe:a9fe]/', /private/],
    ['https://[fd00:ec2::254]/', /private/],
    ['https://[fe80::1]/', /private/],
    ['https://0.0.0.0/', /private/],
    [`https://example.com/${'a'.repeat(2_048)}`, /at most 2048/],
  ])('refuses %s', (url, reason) => {
    expect(checkEndpointUrl(url, noPrivate)).toMatch(reason);
  });

  it('allows http and private targets with allowPrivate, but never credentials or other schemes', () => {
    const allow = { allowPrivate: true };
    expect(checkEndpointUrl('http://localhost:3000/hook', allow)).toBeNull();
    expect(checkEndpointUrl('http://10.1.2.3/hook', allow)).toBeNull();
    expect(checkEndpointUrl('http://u:p@localhost/', allow)).toMatch(/credentials/);
    expect(checkEndpointUrl('file:///etc/passwd', allow)).toMatch(/http or https/);
  });

  it('refuses any private literal address as a host, whatever the spelling', () => {
    fc.assert(
      fc.property(privateAddress, (address) => {
        const host = address.includes(':') ? `[${address}]` : address;
        expect(checkEndpointUrl(`https://${host}/hook`, noPrivate)).toMatch(/private/);
        expect(checkEndpointUrl(`https://${host}/hook`, { allowPrivate: true })).toBeNull();
      }),
      { numRuns: 500 },
    );
  });
});

/** A resolver answering `addresses` for every name. */
const answering =
  (addresses: LookupAddress[]): Resolver =>
  (_hostname, _options, callback) =>
    callback(null, addresses);

function lookUp(resolve: Resolver, allowPrivate: boolean, all: boolean) {
  return new Promise<{ error: NodeJS.ErrnoException | null; result: unknown; family?: number }>((done) =>
    guardedLookup(allowPrivate, resolve)('hooks.example.com', { all }, (error, result, family) =>
      done({ error, result, family }),
    ),
  );
}

const addressEntry = fc.oneof(
  fc.ipV4().map((address) => ({ address, family: 4 })),
  fc.ipV6().map((address) => ({ address, family: 6 })),
  privateAddress.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })),
);

describe('guardedLookup', () => {
  it('refuses a name when any address it resolves to is private, else answers in the form asked for', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(addressEntry, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (addresses, all) => {
          const { error, result, family } = await lookUp(answering(addresses), false, all);
          if (addresses.some(({ address }) => isPrivateAddress(address))) {
            expect(error).toBeInstanceOf(PrivateAddressError);
            expect(error?.message).not.toContain(addresses[0]!.address);
          } else if (all) {
            expect({ error, result }).toEqual({ error: null, result: addresses });
          } else {
            expect({ error, result, family }).toEqual({
              error: null,
              result: addresses[0]!.address,
              family: addresses[0]!.family,
            });
          }
          expect((await lookUp(answering(addresses), true, all)).error).toBeNull();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('passes resolution errors through and treats an empty answer as not found', async () => {
    const failing: Resolver = (_h, _o, callback) =>
      callback(Object.assign(new Error('nope'), { code: 'ENOTFOUND' }), []);
    expect((await lookUp(failing, false, false)).error?.code).toBe('ENOTFOUND');
    expect((await lookUp(answering([]), true, false)).error?.code).toBe('ENOTFOUND');
  });

  describe('as the lookup of a real request', () => {
    const server = createServer((_req, res) => res.end('ok'));
    let port: number;
    beforeAll(async () => {
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const get = (allowPrivate: boolean) =>
      new Promise<number>((resolve, reject) => {
        request({ host: 'localhost', port, family: 4, lookup: guardedLookup(allowPrivate) }, (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        })
          .on('error', reject)
          .end();
      });

    it('refuses to connect to a name resolving to loopback, unless private targets are allowed', async () => {
      await expect(get(false)).rejects.toMatchObject({ code: 'EPRIVATEADDRESS' });
      await expect(get(true)).resolves.toBe(200);
    });
  });
});
