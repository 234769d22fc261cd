/**
 * `benchmark-ingest serve [--host 127.0.0.1] [--port 0] [--items N | --data PATH] [--collection-id ID]
 *  [--profile small|sentinel-2] [--seed S] [--latency-ms L] [--jitter-ms J] [--page-size P]
 *  [--max-page-size M] [--rate-limit RPS] [--fail-rate F] [--gzip]`
 *
 * Runs the local STAC API until SIGINT/SIGTERM. The first line on stdout is its URL (scripts read
 * it); what it serves goes to stderr, and on exit a one-line summary of the requests it answered.
 * `--max-page-size` is the largest `limit` honoured (default: the larger of the page size and
 * 1,000); a larger `limit`, however large, gets a page of that many and a `next` link.
 */
import type { Writable } from 'node:stream';
import { type StacApiOptions, startStacApi } from '../../mock-api/server.js';
import { ITEM_PROFILES } from '../../stac/item.js';
import {
  choiceFlag,
  EXIT,
  helpAsked,
  intFlag,
  numberFlag,
  parseArgs,
  stringFlag,
  UsageError,
} from '../args.js';

const DEFAULT_ITEMS = 1000;

export function parseServeArgs(argv: string[]): StacApiOptions {
  const args = parseArgs(argv, {
    values: [
      'host',
      'port',
      'items',
      'data',
      'collection-id',
      'profile',
      'seed',
      'latency-ms',
      'jitter-ms',
      'page-size',
      'max-page-size',
      'rate-limit',
      'fail-rate',
    ],
    booleans: ['gzip'],
  });
  if (args.positionals.length > 0) throw new UsageError(`unexpected argument '${args.positionals[0]}'`);
  const items = intFlag(args, 'items', { min: 0, max: 10_000_000 });
  const data = stringFlag(args, 'data');
  if (items !== undefined && data !== undefined) throw new UsageError('give --items or --data, not both');
  const options: StacApiOptions = {
    host: stringFlag(args, 'host') ?? '127.0.0.1',
    port: intFlag(args, 'port', { min: 0, max: 65535 }) ?? 0,
    collectionId: stringFlag(args, 'collection-id') ?? 'sentinel-2-l2a',
    profile: choiceFlag(args, 'profile', ITEM_PROFILES) ?? 'small',
    itemSeed: intFlag(args, 'seed') ?? 42,
    latencyMs: numberFlag(args, 'latency-ms', { min: 0, max: 600_000 }) ?? 0,
    pageSize: intFlag(args, 'page-size', { min: 1, max: 100_000 }) ?? 100,
    failRate: numberFlag(args, 'fail-rate', { min: 0, max: 1 }) ?? 0,
    gzip: args.flags.get('gzip') === true,
  };
  if (data !== undefined) options.data = data;
  else options.items = items ?? DEFAULT_ITEMS;
  const jitter = numberFlag(args, 'jitter-ms', { min: 0, max: 600_000 });
  if (jitter !== undefined) options.jitterMs = jitter;
  const maxPage = intFlag(args, 'max-page-size', { min: 1, max: 100_000 });
  if (maxPage !== undefined) options.maxPageSize = maxPage;
  const rate = numberFlag(args, 'rate-limit', { min: 0 });
  if (rate !== undefined) {
    if (rate <= 0) throw new UsageError(`--rate-limit must be > 0 requests/s, got ${rate}`);
    options.rateLimit = rate;
  }
  return options;
}

export interface ServeIo {
  stdout: Writable;
  stderr: Writable;
  /** Resolves when the server should stop (default: SIGINT or SIGTERM). */
  stopped?: Promise<unknown>;
}

function untilSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => {
      process.off('SIGINT', on);
      process.off('SIGTERM', on);
      resolve(signal);
    };
    process.on('SIGINT', on);
    process.on('SIGTERM', on);
  });
}

export const SERVE_USAGE =
  'usage: benchmark-ingest serve [--items N | --data PATH] [--host H] [--port P] [--collection-id ID] ' +
  '[--profile small|sentinel-2] [--seed S] [--latency-ms MS] [--jitter-ms MS] [--page-size N] ' +
  '[--max-page-size N] [--fail-rate 0..1] [--rate-limit REQ_PER_S]';

export async function run(argv: string[], io: ServeIo = process): Promise<number> {
  if (helpAsked(argv)) {
    io.stdout.write(`${SERVE_USAGE}\n`);
    return EXIT.ok;
  }
  const options = parseServeArgs(argv);
  const stopped = io.stopped ?? untilSignal();
  const api = await startStacApi(options);
  io.stdout.write(`${api.url}\n`);
  const what =
    options.data !== undefined ? `items of ${options.data}` : `${options.items} ${options.profile} items`;
  io.stderr.write(
    `serving ${what} as collection '${options.collectionId}' (page size ${options.pageSize}, ` +
      `latency ${options.latencyMs} ms${options.rateLimit ? `, ${options.rateLimit} req/s` : ''}` +
      `${options.failRate ? `, fail rate ${options.failRate}` : ''}${options.gzip ? ', gzip' : ''}); ` +
      'stop with Ctrl-C\n',
  );
  await stopped;
  const m = api.metrics();
  await api.close();
  io.stderr.write(
    `stopped: ${m.requests} requests, ${m.pages} pages, peak ${m.peakInFlight} in flight, ` +
      `server CPU ${((m.cpuUserMs + m.cpuSystemMs) / 1000).toFixed(2)} s\n`,
  );
  return EXIT.ok;
}
