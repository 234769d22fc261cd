/**
 * The local STAC API as a service: the routes plus the knobs a benchmark turns (latency with
 * seeded jitter, a rate limit answered with 429 + Retry-After, a share of requests failing with
 * 500/503) and the metrics tests and benchmarks read. The node:http server and the msw handlers
 * both wrap one `StacApiService`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { Random } from '../fixtures/random.js';
import type { Catalog } from './catalog.js';
import { ApiError } from './errors.js';
import {
  type ApiRequest,
  type ApiResponse,
  errorResponse,
  handleRoute,
  matchRoute,
  type RouteName,
} from './routes.js';

export interface ServiceOptions {
  /** Added to every answer except 429s, in ms. Default 0. */
  latencyMs?: number;
  /** Uniform jitter of +-jitterMs around latencyMs (seeded). Default 10% of latencyMs. */
  jitterMs?: number;
  /** Items per page when the client sends no `limit`. Default 100. */
  pageSize?: number;
  /** Largest `limit` honoured; larger ones are capped. Default max(pageSize, 1000). */
  maxPageSize?: number;
  /** Requests per second (token bucket, one second of burst); null: unlimited. */
  rateLimit?: number | null;
  /** Share of requests (0..1) answered 500 or 503. Default 0. */
  failRate?: number;
  /** Seeds the jitter and the fault draws. Default 1. */
  seed?: number;
  /** POST next links: merge the token into the previous body (true, default) or carry the whole body. */
  postMerge?: boolean;
  /** Larger request bodies are answered 413. Default 1 MiB. */
  maxBodyBytes?: number;
}

export interface StacApiMetrics {
  /** Every request received, whatever its answer. */
  requests: number;
  byRoute: Partial<Record<RouteName, number>>;
  byStatus: Record<string, number>;
  inFlight: number;
  peakInFlight: number;
  /** Answered 429 by the rate limit. */
  rateLimited: number;
  /** Answered 500/503 by the fail rate. */
  faults: number;
  /** Pages (FeatureCollections) served and the items in them. */
  pages: number;
  pageItems: number;
  /** The server's own time building pages (routing, matching, joining), excluding latency, in ms. */
  pageMs: number;
  /** CPU of the process the server runs in since start or reset, in ms (process-wide). */
  cpuUserMs: number;
  cpuSystemMs: number;
  /** Wall time since start or reset, in ms. */
  wallMs: number;
}

export interface ServiceRequest extends ApiRequest {
  /** Size of the body as received (may exceed `body` when the reader stopped keeping it). */
  bodyBytes?: number;
}

function checkOptions(o: ServiceOptions): void {
  const nonNegative = (name: keyof ServiceOptions, v: number | undefined) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new TypeError(`${name} must be a number >= 0, got ${v}`);
    }
  };
  nonNegative('latencyMs', o.latencyMs);
  nonNegative('jitterMs', o.jitterMs);
  const positiveInt = (name: keyof ServiceOptions, v: number | undefined) => {
    if (v !== undefined && !(Number.isInteger(v) && v >= 1)) {
      throw new TypeError(`${name} must be a whole number >= 1, got ${v}`);
    }
  };
  positiveInt('pageSize', o.pageSize);
  positiveInt('maxPageSize', o.maxPageSize);
  positiveInt('maxBodyBytes', o.maxBodyBytes);
  if (o.rateLimit !== undefined && o.rateLimit !== null && !(o.rateLimit > 0)) {
    throw new TypeError(`rateLimit must be > 0 requests/s, got ${o.rateLimit}`);
  }
  if (o.failRate !== undefined && !(o.failRate >= 0 && o.failRate <= 1)) {
    throw new TypeError(`failRate must be within 0..1, got ${o.failRate}`);
  }
}

/** Token bucket: `rate` tokens per second, at most `rate` (and at least 1) stored. */
class RateLimiter {
  private tokens: number;
  private last = performance.now();
  private readonly capacity: number;
  constructor(private readonly rate: number) {
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
  }

  /** 0 when the request may go on; otherwise the whole seconds to wait. */
  take(): number {
    const now = performance.now();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - this.tokens) / this.rate));
  }
}

export class StacApiService {
  readonly latencyMs: number;
  readonly jitterMs: number;
  private readonly limiter: RateLimiter | null;
  private readonly failRate: number;
  private readonly random: Random;
  private readonly maxBodyBytes: number;
  private readonly routeConfig;
  private m!: StacApiMetrics;
  private cpuStart!: NodeJS.CpuUsage;
  private wallStart!: number;

  constructor(
    readonly catalog: Catalog,
    options: ServiceOptions = {},
  ) {
    checkOptions(options);
    this.latencyMs = options.latencyMs ?? 0;
    this.jitterMs = options.jitterMs ?? this.latencyMs * 0.1;
    this.limiter = options.rateLimit ? new RateLimiter(options.rateLimit) : null;
    this.failRate = options.failRate ?? 0;
    this.random = new Random(options.seed ?? 1, 0x5e41);
    this.maxBodyBytes = options.maxBodyBytes ?? 1 << 20;
    const pageSize = options.pageSize ?? 100;
    this.routeConfig = {
      defaultLimit: pageSize,
      maxLimit: Math.max(options.maxPageSize ?? Math.max(pageSize, 1000), pageSize),
      postMerge: options.postMerge ?? true,
    };
    this.resetMetrics();
  }

  get maxBody(): number {
    return this.maxBodyBytes;
  }

  /** Answers one request with every knob applied; counts it in the metrics. */
  async handle(req: ServiceRequest): Promise<ApiResponse> {
    const m = this.m;
    const route = matchRoute(this.catalog, req.url);
    m.requests++;
    m.byRoute[route.route] = (m.byRoute[route.route] ?? 0) + 1;
    m.inFlight++;
    if (m.inFlight > m.peakInFlight) m.peakInFlight = m.inFlight;
    try {
      const res = await this.answer(req, route);
      m.byStatus[res.status] = (m.byStatus[res.status] ?? 0) + 1;
      return res;
    } finally {
      m.inFlight--;
    }
  }

  private async answer(req: ServiceRequest, route: ReturnType<typeof matchRoute>): Promise<ApiResponse> {
    const wait = this.limiter?.take() ?? 0;
    if (wait > 0) {
      this.m.rateLimited++;
      const res = errorResponse(
        new ApiError(429, 'TooManyRequests', `rate limit exceeded, retry in ${wait}s`),
      );
      return { ...res, headers: { 'retry-after': String(wait) } };
    }
    if (this.failRate > 0 && this.random.next() < this.failRate) {
      this.m.faults++;
      await this.delay();
      const status = this.random.next() < 0.5 ? 500 : 503;
      return errorResponse(
        new ApiError(status, status === 500 ? 'InternalServerError' : 'ServiceUnavailable', 'injected fault'),
      );
    }
    if ((req.bodyBytes ?? req.body?.length ?? 0) > this.maxBodyBytes) {
      await this.delay();
      return errorResponse(
        new ApiError(413, 'PayloadTooLarge', `request body exceeds ${this.maxBodyBytes} bytes`),
      );
    }
    const started = performance.now();
    const res = handleRoute(this.catalog, req, this.routeConfig, route);
    if (res.pageItems !== undefined) {
      this.m.pages++;
      this.m.pageItems += res.pageItems;
      this.m.pageMs += performance.now() - started;
    }
    await this.delay();
    return res;
  }

  private async delay(): Promise<void> {
    if (this.latencyMs <= 0 && this.jitterMs <= 0) return;
    const ms = Math.max(0, this.latencyMs + (this.random.next() * 2 - 1) * this.jitterMs);
    await sleep(ms);
  }

  metrics(): StacApiMetrics {
    const cpu = process.cpuUsage(this.cpuStart);
    return {
      ...this.m,
      byRoute: { ...this.m.byRoute },
      byStatus: { ...this.m.byStatus },
      cpuUserMs: cpu.user / 1000,
      cpuSystemMs: cpu.system / 1000,
      wallMs: performance.now() - this.wallStart,
    };
  }

  /** Starts the counters again (requests in flight stay counted). */
  resetMetrics(): void {
    const inFlight = this.m?.inFlight ?? 0;
    this.m = {
      requests: 0,
      byRoute: {},
      byStatus: {},
      inFlight,
      peakInFlight: inFlight,
      rateLimited: 0,
      faults: 0,
      pages: 0,
      pageItems: 0,
      pageMs: 0,
      cpuUserMs: 0,
      cpuSystemMs: 0,
      wallMs: 0,
    };
    this.cpuStart = process.cpuUsage();
    this.wallStart = performance.now();
  }
}
