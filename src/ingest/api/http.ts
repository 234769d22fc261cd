/**
 * The HTTP layer of every remote read (STAC API pages, static catalog documents): one request with
 * a timeout, gzip accepted, a User-Agent, and retries of 429, 5xx and network errors with
 * exponential backoff and jitter that honour `Retry-After`. Requests go through an undici
 * dispatcher (an Agent with spare connections, shared by everything one ingest sends from one
 * thread) and are counted in `HttpCounters`.
 *
 * Bounded: a body is read up to `maxBodyBytes` of its **decoded** size (a gzip bomb stops there),
 * a declared Content-Length above it is refused unread, and redirects are followed by hand (at most
 * MAX_REDIRECTS), each target checked like a link (reach.ts). An overrun or a refused reach is a
 * RefusedReachError, never retried.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { type Dispatcher, request } from 'undici';
import { jsonErrorReason } from '../decode/json-text.js';
import { IngestError } from '../errors.js';
import { HttpCounters } from './counters.js';
import { parseJsonBytes } from './json-bytes.js';
import { Pacer, type PaceState } from './pace.js';
import {
  checkReach,
  guardedAgent,
  type Lookup,
  type PrivateAddresses,
  RefusedReachError,
  systemLookup,
} from './reach.js';

const gunzip = promisify(gunzipCb);

export const USER_AGENT = 'stac-ingest-bench/0.1 (+https://github.com/stac-utils; undici)';

export interface HttpOptions {
  /** Per request (headers and body), ms. Default 30,000. */
  timeoutMs?: number;
  /** Retries after the first attempt. Default 5. */
  retries?: number;
  /** First backoff, ms; doubles per retry, with jitter. Default 200. */
  backoffMs?: number;
  /** Longest single wait (backoff or Retry-After), ms. Default 30,000. */
  maxBackoffMs?: number;
  /**
   * The caller's headers (an API key, `Authorization`): sent only to `headersOrigin` when it is
   * given (a link, `next` link or redirect to another origin goes without them), else with every
   * request. A link's own headers are added to them.
   */
  headers?: Record<string, string>;
  /** The one origin (`https://host:port`) `headers` are sent to; the ingest sets its root's. */
  headersOrigin?: string;
  userAgent?: string;
  /** Largest body accepted, in bytes after decompression. Default 64 MiB (DEFAULT_MAX_BODY_BYTES). */
  maxBodyBytes?: number;
  /**
   * `refuse`: no request reaches a private or loopback address (see reach.ts). The ingest entry
   * points decide `auto` from the root before a client is made; a client given `auto` refuses.
   * Default `allow`.
   */
  privateAddresses?: PrivateAddresses;
  /**
   * The ingest's request-rate schedule (pace.ts, from `maxRps`): every request waits for its
   * start on it, retries and redirects included. Shared with the crawl workers.
   */
  pace?: PaceState;
}

/** Large enough for any real STAC page or document (a 10,000-feature page is ~50 MB). */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024 * 1024;
export const DEFAULT_TIMEOUT_MS = 30_000;
const MAX_REDIRECTS = 5;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** A size in bytes for messages: "1 MiB", "64 MiB", "512 KiB", "100 bytes". */
export function formatBytes(n: number): string {
  if (n >= 1 << 20 && n % (1 << 20) === 0) return `${n / (1 << 20)} MiB`;
  if (n >= 1 << 10 && n % (1 << 10) === 0) return `${n / (1 << 10)} KiB`;
  return `${n} bytes`;
}

/** A request a STAC API answered with an error status (after retries, when retryable). */
export class HttpError extends IngestError {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(url, 'http', `${method} ${url}: HTTP ${status}${describeBody(body)}`);
    this.name = 'HttpError';
  }
}

function describeBody(body: string): string {
  try {
    const parsed = JSON.parse(body) as { code?: unknown; description?: unknown };
    if (parsed && (parsed.code || parsed.description)) {
      return ` ${[parsed.code, parsed.description].filter(Boolean).join(': ')}`;
    }
  } catch {
    // not JSON: its bytes are not quoted (they could be anything), only its size
  }
  return body.length > 0 ? ` (a ${body.length}-character body that is not a STAC error)` : '';
}

export interface JsonRequest {
  url: string;
  method: 'GET' | 'POST';
  /** POST body (serialised as JSON). */
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

export interface JsonResponse {
  status: number;
  /** The body's bytes (decompressed); decoded only where needed (see `parseJsonBytes`). */
  bytes: Buffer;
}

/** A body's text (errors and messages; pages are parsed from their bytes). */
export function bodyText(bytes: Buffer): string {
  return bytes.toString('utf8');
}

const RETRYABLE_STATUS = (s: number) => s === 429 || s === 408 || (s >= 500 && s <= 599);

/** `Retry-After` as ms: delay-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | string[] | undefined, now = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Number(v) * 1000;
  const date = Date.parse(v);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

/** Connections for `concurrency` requests in flight: spare ones, so requests never queue for a socket. */
export function connectionsFor(concurrency: number): number {
  return Math.ceil(concurrency * 1.5) + 2;
}

export class HttpClient {
  /**
   * The caller's dispatcher, or this client's own Agent, made on the first request: a file ingest
   * that never reads a URL makes none.
   */
  private readonly given: Dispatcher | undefined;
  private own: Dispatcher | null = null;
  private readonly connections: number;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly headers: Record<string, string>;
  private readonly callerHeaders: Record<string, string>;
  private readonly headersOrigin: string | null;
  private readonly maxBodyBytes: number;
  private readonly privateAddresses: 'allow' | 'refuse';
  private readonly lookup: Lookup;
  private readonly pacer: Pacer | null;

  constructor(
    readonly counters: HttpCounters = new HttpCounters(),
    options: HttpOptions & { concurrency?: number; dispatcher?: Dispatcher; lookup?: Lookup } = {},
    private readonly signal?: AbortSignal,
  ) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
    this.privateAddresses =
      options.privateAddresses === 'auto' ? 'refuse' : (options.privateAddresses ?? 'allow');
    this.lookup = options.lookup ?? systemLookup;
    this.retries = options.retries ?? 5;
    this.backoffMs = options.backoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.headers = {
      accept: 'application/geo+json, application/json;q=0.9',
      'accept-encoding': 'gzip',
      'user-agent': options.userAgent ?? USER_AGENT,
    };
    this.callerHeaders = { ...(options.headers ?? {}) };
    this.headersOrigin = options.headersOrigin ?? null;
    this.given = options.dispatcher;
    this.connections = connectionsFor(options.concurrency ?? 1);
    this.pacer = options.pace ? new Pacer(options.pace) : null;
  }

  /** Sends a request, retrying what is worth retrying; resolves with a 2xx/3xx/4xx answer's text. */
  async send(req: JsonRequest): Promise<JsonResponse> {
    for (let attempt = 0; ; attempt++) {
      this.signal?.throwIfAborted();
      let waitMs: number;
      try {
        const res = await this.attempt(req);
        if (!RETRYABLE_STATUS(res.status)) return res;
        if (attempt >= this.retries)
          throw new HttpError(req.method, req.url, res.status, bodyText(res.bytes));
        const asked = res.retryAfter;
        if (asked !== null && asked > this.maxBackoffMs) {
          throw new HttpError(
            req.method,
            req.url,
            res.status,
            `${bodyText(res.bytes)} (Retry-After ${asked / 1000}s is too long)`,
          );
        }
        waitMs = asked !== null ? asked + Math.random() * 50 : this.backoff(attempt);
      } catch (e) {
        if (e instanceof HttpError || e instanceof RefusedReachError || this.signal?.aborted) throw e;
        if (attempt >= this.retries)
          throw new IngestError(req.url, 'http', `${req.method} ${req.url}: ${(e as Error).message}`, {
            cause: e,
          });
        waitMs = this.backoff(attempt);
      }
      this.counters.retry();
      await sleep(waitMs, undefined, this.signal ? { signal: this.signal } : undefined);
    }
  }

  /** Exponential backoff with "equal jitter": half fixed, half random. */
  private backoff(attempt: number): number {
    const full = Math.min(this.maxBackoffMs, this.backoffMs * 2 ** attempt);
    return full / 2 + Math.random() * (full / 2);
  }

  private async attempt(req: JsonRequest): Promise<JsonResponse & { retryAfter: number | null }> {
    // Before the timeout starts and before the request counts as in flight: waiting is not sending.
    await this.pacer?.take(this.signal);
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    let body: string | undefined;
    if (req.method === 'POST') body = JSON.stringify(req.body ?? {});
    this.counters.enter();
    try {
      let { url, method } = req;
      for (let hops = 0; ; hops++) {
        if (hops > 0) await this.pacer?.take(this.signal);
        await checkReach(url, this.privateAddresses, this.lookup);
        // Per hop: a redirect to another origin must not carry the caller's headers.
        const headers = this.headersFor(url, req.headers);
        if (body !== undefined) headers['content-type'] = 'application/json';
        const res = await request(url, { method, headers, body, signal, dispatcher: this.dispatcher });
        const location = res.headers.location;
        if (REDIRECTS.has(res.statusCode) && typeof location === 'string') {
          await res.body.dump();
          if (hops >= MAX_REDIRECTS)
            throw new RefusedReachError(url, `more than ${MAX_REDIRECTS} redirects`, 'limit');
          url = new URL(location, url).href;
          if (
            res.statusCode === 303 ||
            ((res.statusCode === 301 || res.statusCode === 302) && method === 'POST')
          ) {
            method = 'GET';
            body = undefined;
          }
          continue;
        }
        const bytes = await this.readBody(res, url);
        return { status: res.statusCode, bytes, retryAfter: retryAfterMs(res.headers['retry-after']) };
      }
    } catch (e) {
      if (timeout.aborted && !this.signal?.aborted) {
        throw new Error(`timed out after ${this.timeoutMs} ms`);
      }
      throw e;
    } finally {
      this.counters.leave();
    }
  }

  /** The headers of one request to `url`: the caller's only on their origin (see `headersOrigin`). */
  private headersFor(url: string, linkHeaders: JsonRequest['headers']): Record<string, string | string[]> {
    const ours = this.headersOrigin === null || new URL(url).origin === this.headersOrigin;
    return { ...this.headers, ...(ours ? this.callerHeaders : {}), ...(linkHeaders ?? {}) };
  }

  /**
   * A response's body, decompressed, of at most `maxBodyBytes` decoded bytes: a larger declared
   * length is refused unread, a longer stream is cut off where it passes the limit, and gzip stops
   * inflating there (so a small compressed body cannot expand without bound).
   */
  private async readBody(res: Dispatcher.ResponseData, url: string): Promise<Buffer> {
    const limit = this.maxBodyBytes;
    const tooLarge = (what: string) =>
      new RefusedReachError(
        url,
        `${what} larger than the limit of ${formatBytes(limit)} (maxBodyBytes)`,
        'limit',
      );
    const declared = Number(res.headers['content-length']);
    if (declared > limit) {
      res.body.destroy();
      throw tooLarge('the body is');
    }
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of res.body as AsyncIterable<Buffer>) {
      total += chunk.length;
      if (total > limit) {
        res.body.destroy();
        throw tooLarge('the body is');
      }
      chunks.push(chunk);
    }
    const raw = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
    const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
    if (encoding !== 'gzip' && encoding !== 'x-gzip') return raw;
    try {
      return await gunzip(raw, { maxOutputLength: limit });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
        throw tooLarge('the decompressed body is');
      throw new Error(
        `the gzip body cannot be decompressed (${(e as NodeJS.ErrnoException).code ?? 'corrupt'})`,
      );
    }
  }

  /** Sends and parses JSON (large pages feature by feature); a non-2xx answer is an HttpError. */
  async json(req: JsonRequest): Promise<unknown> {
    let res: JsonResponse;
    try {
      res = await this.send(req);
    } catch (e) {
      if (e instanceof RefusedReachError && !e.message.includes(req.url)) {
        throw new RefusedReachError(
          e.source,
          `${req.method} ${req.url}: ${e.message}`,
          e.kind === 'limit' ? 'limit' : 'refused',
        );
      }
      throw e;
    }
    if (res.status < 200 || res.status > 299)
      throw new HttpError(req.method, req.url, res.status, bodyText(res.bytes));
    try {
      return parseJsonBytes(res.bytes);
    } catch (e) {
      throw new IngestError(
        req.url,
        'page',
        `${req.method} ${req.url}: the answer is not JSON (${jsonErrorReason(e)})`,
      );
    }
  }

  get dispatcher(): Dispatcher {
    if (this.given) return this.given;
    this.own ??= guardedAgent(this.connections, this.privateAddresses);
    return this.own;
  }

  async close(): Promise<void> {
    const own = this.own;
    this.own = null;
    if (own) await own.close();
  }
}
