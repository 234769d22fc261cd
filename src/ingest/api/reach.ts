/**
 * Where a remote source may reach. A root on a public host (a static catalog or STAC API on the
 * internet) must not steer this process at private, loopback or link-local addresses (a cloud
 * metadata service, an admin port on this machine) through its links, `next` links or redirects.
 * Addresses are checked twice: before a request (IP literals, and names resolved when refusing) and
 * again when the connection is made (the resolver a guarded Agent uses), so a name that resolves to
 * a public address first and a private one later is still refused.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { Agent, type Dispatcher, EnvHttpProxyAgent } from 'undici';
import { IngestError } from '../errors.js';

/** `refuse`: private addresses are not reached; `allow`: anything is. `auto` decides from the root. */
export type PrivateAddresses = 'auto' | 'allow' | 'refuse';

/** A resolver with the shape of `dns.lookup` called with `{ all: true }` (tests supply their own). */
export type Lookup = (hostname: string) => Promise<LookupAddress[]>;

/** Refused reaches and overruns: never retried, and named as such rather than as network trouble. */
export class RefusedReachError extends IngestError {
  constructor(source: string, message: string, kind: 'refused' | 'limit' = 'refused') {
    super(source, kind, message);
    this.name = 'RefusedReachError';
  }
}

const PRIVATE = new BlockList();
for (const [net, bits] of [
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
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE.addSubnet(net, bits, 'ipv6');
}

/** True for loopback, private, link-local, shared, multicast and unspecified addresses (v4 and v6). */
export function isPrivateAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '');
  const family = isIP(bare);
  if (family === 0) return false;
  if (family === 6) {
    // An IPv4 address mapped into IPv6 (::ffff:10.0.0.1) is the IPv4 address.
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
    if (mapped) return PRIVATE.check(mapped[1]!, 'ipv4');
    return PRIVATE.check(bare, 'ipv6');
  }
  return PRIVATE.check(bare, 'ipv4');
}

export const systemLookup: Lookup = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

function hostOf(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

/**
 * `auto` made concrete for a root URL: `refuse` when the root is on a public host (an address
 * outside the private ranges, or a name that resolves to one), `allow` when it is on this machine
 * or a private network (a local test API, an intranet catalog). A name that cannot be resolved
 * counts as public: the root request fails on its own, and nothing is opened up by the doubt.
 */
export async function privateAddressesFor(
  root: string,
  asked: PrivateAddresses = 'auto',
  lookup: Lookup = systemLookup,
): Promise<'allow' | 'refuse'> {
  if (asked !== 'auto') return asked;
  const host = hostOf(new URL(root));
  if (host === 'localhost' || host.endsWith('.localhost')) return 'allow';
  if (isIP(host)) return isPrivateAddress(host) ? 'allow' : 'refuse';
  try {
    const addresses = await lookup(host);
    return addresses.length > 0 && addresses.every((a) => isPrivateAddress(a.address)) ? 'allow' : 'refuse';
  } catch {
    return 'refuse';
  }
}

/**
 * Checks a URL before it is requested: http(s) only, and with `refuse`, no private address (an IP
 * literal, or any address the name resolves to). Throws a RefusedReachError naming the URL.
 */
export async function checkReach(
  url: string,
  privateAddresses: 'allow' | 'refuse',
  lookup: Lookup = systemLookup,
): Promise<void> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new RefusedReachError(url, `'${url}' is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new RefusedReachError(url, `refused '${url}': only http(s) is reachable from a remote source`);
  }
  if (privateAddresses === 'allow') return;
  const host = hostOf(parsed);
  if (host === 'localhost' || host.endsWith('.localhost')) throw privateRefusal(url, host);
  if (isIP(host)) {
    if (isPrivateAddress(host)) throw privateRefusal(url, host);
    return;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await lookup(host);
  } catch {
    return; // the request itself reports the unknown name
  }
  const bad = addresses.find((a) => isPrivateAddress(a.address));
  if (bad) throw privateRefusal(url, bad.address);
}

function privateRefusal(url: string, address: string): RefusedReachError {
  return new RefusedReachError(
    url,
    `refused '${url}': ${address} is a private or loopback address, not reachable from a public root`,
  );
}

/** True when the environment names a proxy (`HTTPS_PROXY`, `HTTP_PROXY`, either case). */
export function proxyConfigured(env: NodeJS.ProcessEnv = process.env): boolean {
  return [env.https_proxy, env.HTTPS_PROXY, env.http_proxy, env.HTTP_PROXY].some(
    (v) => v !== undefined && v.trim() !== '',
  );
}

/**
 * The dispatcher of a client: an undici Agent whose connections are made only to addresses the
 * policy allows (checked on the addresses the resolver returns, at connect time). When the
 * environment names a proxy, an EnvHttpProxyAgent that honours `HTTPS_PROXY`, `HTTP_PROXY` and
 * `NO_PROXY`: requests it sends direct (NO_PROXY) keep the connect-time check; through the proxy,
 * the proxy resolves the names, so only the check before each request applies (`checkReach`).
 */
export function guardedAgent(
  connections: number,
  privateAddresses: 'allow' | 'refuse',
  keepAliveTimeout = 10_000,
  env: NodeJS.ProcessEnv = process.env,
): Dispatcher {
  const options: Agent.Options = { connections, keepAliveTimeout };
  if (privateAddresses === 'refuse') options.connect = { lookup: guardedLookup };
  if (!proxyConfigured(env)) return new Agent(options);
  return new EnvHttpProxyAgent({
    ...options,
    httpProxy: env.http_proxy ?? env.HTTP_PROXY,
    httpsProxy: env.https_proxy ?? env.HTTPS_PROXY,
    noProxy: env.no_proxy ?? env.NO_PROXY,
  });
}

/** A resolver for undici's connect that refuses private addresses. */
const guardedLookup: NonNullable<Extract<Agent.Options['connect'], { lookup?: unknown }>['lookup']> = (
  hostname,
  options,
  callback,
) => {
  dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
    if (err) return callback(err, addresses);
    const bad = addresses.find((a) => isPrivateAddress(a.address));
    if (bad) return callback(privateRefusal(hostname, bad.address), []);
    if ((options as { all?: boolean }).all) return callback(null, addresses);
    const first = addresses[0]!;
    return (callback as (e: null, a: string, f: number) => void)(null, first.address, first.family);
  });
};
