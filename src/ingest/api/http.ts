/**
 * The HTTP layer of the STAC API client: one JSON request with a timeout, gzip accepted, a
 * User-Agent, and retries of 429, 5xx and network errors with exponential backoff and jitter that
 * honour `Retry-After`. Requests go through an undici dispatcher (an Agent with spare connections,
 * shared by everything one ingest sends from one thread) and are counted in `HttpCounters`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { gunzip as gunzipCb } from 'node:zlib';
import { Agent, type Dispatcher, request } from 'undici';
import { HttpCounters } from './counters.js';
import { parseJsonBytes } from './json-bytes.js';

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
  /** Sent with every request (a link's headers are added to them). */
  headers?: Record<string, string>;
  userAgent?: string;
}

/** A request a STAC API answered with an error status (after retries, when retryable). */
export class HttpError extends Error {
  constructor(
    readonly method: string,
    readonly url: string,
    readonly status: number,
    readonly body: string,
  ) {
    super(`${method} ${url}: HTTP ${status}${describeBody(body)}`);
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
    // not JSON: show its start
  }
  const text = body.trim().slice(0, 200);
  return text ? ` ${text}` : '';
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
  readonly dispatcher: Dispatcher;
  private readonly ownDispatcher: boolean;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly backoffMs: number;
  private readonly maxBackoffMs: number;
  private readonly headers: Record<string, string>;

  constructor(
    readonly counters: HttpCounters = new HttpCounters(),
    options: HttpOptions & { concurrency?: number; dispatcher?: Dispatcher } = {},
    private readonly signal?: AbortSignal,
  ) {
    this.timeoutMs = options.timeoutMs ?? 30_000;
    this.retries = options.retries ?? 5;
    this.backoffMs = options.backoffMs ?? 200;
    this.maxBackoffMs = options.maxBackoffMs ?? 30_000;
    this.headers = {
      accept: 'application/geo+json, application/json;q=0.9',
      'accept-encoding': 'gzip',
      'user-agent': options.userAgent ?? USER_AGENT,
      ...(options.headers ?? {}),
    };
    this.ownDispatcher = !options.dispatcher;
    this.dispatcher =
      options.dispatcher ??
      new Agent({ connections: connectionsFor(options.concurrency ?? 1), keepAliveTimeout: 10_000 });
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
        if (e instanceof HttpError || this.signal?.aborted) throw e;
        if (attempt >= this.retries)
          throw new Error(`${req.method} ${req.url}: ${(e as Error).message}`, { cause: e });
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
    const timeout = AbortSignal.timeout(this.timeoutMs);
    const signal = this.signal ? AbortSignal.any([this.signal, timeout]) : timeout;
    const headers: Record<string, string | string[]> = { ...this.headers, ...(req.headers ?? {}) };
    let body: string | undefined;
    if (req.method === 'POST') {
      body = JSON.stringify(req.body ?? {});
      headers['content-type'] = 'application/json';
    }
    this.counters.enter();
    try {
      const res = await request(req.url, {
        method: req.method,
        headers,
        body,
        signal,
        dispatcher: this.dispatcher,
      });
      const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
      let bytes = Buffer.from(await res.body.arrayBuffer());
      if (encoding === 'gzip' || encoding === 'x-gzip') bytes = await gunzip(bytes);
      return { status: res.statusCode, bytes, retryAfter: retryAfterMs(res.headers['retry-after']) };
    } catch (e) {
      if (timeout.aborted && !this.signal?.aborted) {
        throw new Error(`timed out after ${this.timeoutMs} ms`);
      }
      throw e;
    } finally {
      this.counters.leave();
    }
  }

  /** Sends and parses JSON (large pages feature by feature); a non-2xx answer is an HttpError. */
  async json(req: JsonRequest): Promise<unknown> {
    const res = await this.send(req);
    if (res.status < 200 || res.status > 299)
      throw new HttpError(req.method, req.url, res.status, bodyText(res.bytes));
    try {
      return parseJsonBytes(res.bytes);
    } catch (e) {
      throw new Error(`${req.method} ${req.url}: the answer is not JSON (${(e as Error).message})`);
    }
  }

  async close(): Promise<void> {
    if (this.ownDispatcher) await this.dispatcher.close();
  }
}
