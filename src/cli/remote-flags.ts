/**
 * The flags that reach a real STAC API the way people reach one: request headers (`--header`,
 * `--token-env`) and a search narrowed the STAC way (`--bbox`, `--datetime`, `--query`,
 * `--filter`). Shared by `ingest` and the API benchmarks. A header's value is never printed, in an
 * error or elsewhere: it may be a secret.
 */
import { jsonErrorReason } from '../ingest/decode/json-text.js';
import { type ParsedArgs, stringFlag, UsageError } from './args.js';

/** Value flags these functions read (`header` may be given several times: see REPEATABLE_FLAGS). */
export const REMOTE_FLAGS = ['token-env', 'bbox', 'datetime', 'query', 'filter'];
export const REPEATABLE_FLAGS = ['header'];

export const REMOTE_USAGE = [
  "    --header 'Name: value'  sent with each request to the source's origin (repeatable; never to",
  '                      another host a link or redirect points at)',
  '    --token-env NAME  sends Authorization: Bearer <the value of the environment variable NAME>',
  '    --bbox W,S,E,N    search only Items intersecting the box (W > E crosses the antimeridian)',
  '    --datetime A/B    search only Items in the RFC 3339 interval (an instant, or .. for an open end)',
  '    --query JSON      the search\'s "query" object (Query extension), passed through',
  '    --filter JSON     a CQL2 JSON filter (filter-lang cql2-json), passed through',
  '  HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured.',
];

/** An HTTP header name (RFC 9110 token). */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
/** Headers the HTTP client sets itself (framing, the host): a user's copy would break the request. */
const MANAGED = new Set(['host', 'content-length', 'transfer-encoding', 'connection', 'content-type']);

/** True when any header or search flag was given. */
export function remoteFlagsGiven(args: ParsedArgs): boolean {
  return [...REMOTE_FLAGS, ...REPEATABLE_FLAGS].some((f) => args.flags.has(f));
}

/**
 * `--header 'Name: value'` (each name once) and `--token-env NAME` (`Authorization: Bearer` and the
 * variable's value) as one header object; undefined when neither was given.
 */
export function headersFromArgs(
  args: ParsedArgs,
  env: NodeJS.ProcessEnv = process.env,
): Record<string, string> | undefined {
  const headers: Record<string, string> = {};
  const add = (name: string, value: string, flag: string) => {
    const key = name.toLowerCase();
    if (key in headers) throw new UsageError(`${flag}: the header '${name}' is given twice`);
    headers[key] = value;
  };
  for (const raw of args.repeated?.get('header') ?? []) {
    const colon = raw.indexOf(':');
    // The text is not quoted back: a mistyped header may hold a secret.
    if (colon <= 0) throw new UsageError("--header must be 'Name: value' (a name, a colon, a value)");
    const name = raw.slice(0, colon).trim();
    if (!HEADER_NAME.test(name))
      throw new UsageError('--header: the name before the colon is not a header name');
    if (MANAGED.has(name.toLowerCase())) {
      throw new UsageError(`--header: '${name}' is set by the HTTP client, not by hand`);
    }
    const value = raw.slice(colon + 1).trim();
    if (/[\r\n\0]/.test(value)) throw new UsageError(`--header '${name}': the value holds a line break`);
    add(name, value, '--header');
  }
  const tokenEnv = stringFlag(args, 'token-env');
  if (tokenEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(tokenEnv)) {
      throw new UsageError(`--token-env must name an environment variable, got '${tokenEnv}'`);
    }
    const token = env[tokenEnv]?.trim();
    if (!token) throw new UsageError(`--token-env ${tokenEnv}: the variable is not set or empty`);
    if (/[\r\n\0]/.test(token)) throw new UsageError(`--token-env ${tokenEnv}: the value holds a line break`);
    add('Authorization', `Bearer ${token}`, '--token-env (Authorization)');
  }
  return Object.keys(headers).length > 0 ? headers : undefined;
}

/** The search parameters of `--bbox`, `--datetime`, `--query` and `--filter`; undefined when none. */
export function searchFromArgs(args: ParsedArgs): Record<string, unknown> | undefined {
  const search: Record<string, unknown> = {};
  const bbox = stringFlag(args, 'bbox');
  if (bbox !== undefined) search.bbox = parseBboxFlag(bbox);
  const datetime = stringFlag(args, 'datetime');
  if (datetime !== undefined) search.datetime = parseDatetimeFlag(datetime);
  const query = stringFlag(args, 'query');
  if (query !== undefined) search.query = jsonObjectFlag('query', query);
  const filter = stringFlag(args, 'filter');
  if (filter !== undefined) {
    search.filter = jsonObjectFlag('filter', filter);
    search['filter-lang'] = 'cql2-json';
  }
  return Object.keys(search).length > 0 ? search : undefined;
}

/** `W,S,E,N` or `W,S,minZ,E,N,maxZ`: numbers, latitudes in order, within the globe. */
export function parseBboxFlag(raw: string): number[] {
  const parts = raw.split(',').map((s) => s.trim());
  const nums = parts.map((s) => (s === '' ? Number.NaN : Number(s)));
  if ((nums.length !== 4 && nums.length !== 6) || !nums.every(Number.isFinite)) {
    throw new UsageError(`--bbox must be 4 numbers W,S,E,N (or 6 with heights), got '${raw}'`);
  }
  const half = nums.length / 2;
  const [w, s, e, n] = [nums[0]!, nums[1]!, nums[half]!, nums[half + 1]!];
  if (w < -180 || w > 180 || e < -180 || e > 180 || s < -90 || n > 90) {
    throw new UsageError(`--bbox must lie within -180,-90,180,90, got '${raw}'`);
  }
  if (s > n) throw new UsageError(`--bbox: south ${s} is above north ${n}`);
  if (half === 3 && nums[2]! > nums[5]!) throw new UsageError(`--bbox: the lower height is above the upper`);
  return nums;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

function instant(text: string, raw: string): number {
  const ms = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `--datetime must be an RFC 3339 date-time or interval like 2024-01-01T00:00:00Z/.., got '${raw}'`,
    );
  }
  return ms;
}

/** An instant, or `start/end` with `..` (or nothing) for an open end; returned as given. */
export function parseDatetimeFlag(raw: string): string {
  const parts = raw.split('/');
  if (parts.length === 1) {
    instant(raw, raw);
    return raw;
  }
  if (parts.length !== 2)
    throw new UsageError(`--datetime must be an instant or one interval a/b, got '${raw}'`);
  const open = (s: string) => s === '' || s === '..';
  const [a, b] = parts as [string, string];
  if (open(a) && open(b))
    throw new UsageError(`--datetime '${raw}' is open at both ends: leave it out instead`);
  const start = open(a) ? Number.NEGATIVE_INFINITY : instant(a, raw);
  const end = open(b) ? Number.POSITIVE_INFINITY : instant(b, raw);
  if (start > end) throw new UsageError(`--datetime '${raw}' ends before it starts`);
  return raw;
}

function jsonObjectFlag(name: string, raw: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`--${name} must be a JSON object (${jsonErrorReason(e)})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(
      `--${name} must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`,
    );
  }
  return value as Record<string, unknown>;
}
