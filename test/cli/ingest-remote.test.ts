/** The ingest command against a static catalog over http: limits from the command line, every strategy. */
import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/args.js';
import { parseIngestArgs } from '../../src/cli/commands/ingest.js';
import { STRATEGIES } from '../../src/ingest/types.js';
import { makeItems } from '../support/ingest-data.js';

const BIN = join(process.cwd(), 'bin', 'benchmark-ingest.mjs');
const items = makeItems(20);
let server: Server;
let base: string;
/** When each request reached the server (ms, this process's clock). */
const arrivals: number[] = [];

beforeAll(async () => {
  const docs: Record<string, unknown> = {
    '/catalog.json': {
      type: 'Catalog',
      id: 'web',
      links: [
        ...items.map((i) => ({ rel: 'item', href: `items/${i.id}.json` })),
        { rel: 'item', href: 'file:///etc/passwd' },
      ],
    },
    ...Object.fromEntries(items.map((i) => [`/items/${i.id}.json`, i])),
  };
  server = createServer((req, res) => {
    arrivals.push(performance.now());
    const doc = docs[req.url!];
    res.writeHead(doc ? 200 : 404, { 'content-type': 'application/json' }).end(JSON.stringify(doc ?? {}));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000 }, (error, stdout, stderr) => {
      const code = error ? ((error as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

describe('benchmark-ingest ingest of a static catalog over http', () => {
  it.each(STRATEGIES)(
    'writes every Item under %s and names the refused link in the summary',
    async (strategy) => {
      const { code, stdout, stderr } = await cli(['ingest', `${base}/catalog.json`, '--strategy', strategy]);
      expect(code).toBe(0);
      expect(stdout.trim().split('\n')).toHaveLength(20);
      expect(stderr).toMatch(/ingested 20 items/);
      expect(stderr).toMatch(/link leaves the catalog's origin: 'file:\/\/\/etc\/passwd'/);
      expect(stderr).not.toMatch(/root:/);
    },
  );

  it('takes the remote limits from the command line', () => {
    const { options } = parseIngestArgs([
      'https://x.test/catalog.json',
      '--max-body-mb',
      '1',
      '--timeout-s',
      '2.5',
      '--same-host',
      '--private-addresses',
      'refuse',
    ]);
    expect(options).toMatchObject({
      maxBodyBytes: 1 << 20,
      timeoutMs: 2500,
      otherHosts: false,
      privateAddresses: 'refuse',
    });
  });

  it('answers a wrong remote limit with a usage error', () => {
    expect(() => parseIngestArgs(['x.json', '--max-body-mb', '0'])).toThrow(UsageError);
    expect(() => parseIngestArgs(['x.json', '--timeout-s', 'soon'])).toThrow(UsageError);
    expect(() => parseIngestArgs(['x.json', '--private-addresses', 'maybe'])).toThrow(UsageError);
  });

  it('reads --max-rps into the ingest options', () => {
    expect(parseIngestArgs(['https://x.test/stac', '--max-rps', '2.5']).options.maxRps).toBe(2.5);
  });

  it('spaces the requests of an ingest by --max-rps, as the server sees them arrive', async () => {
    const maxRps = 20;
    arrivals.length = 0;
    const { code, stdout } = await cli([
      'ingest',
      `${base}/catalog.json`,
      '--strategy',
      'concurrent',
      '--concurrency',
      '8',
      '--max-rps',
      String(maxRps),
    ]);
    expect(code).toBe(0);
    expect(stdout.trim().split('\n')).toHaveLength(items.length);
    expect(arrivals).toHaveLength(items.length + 1);
    // Requests start one interval apart. The first one also sets up the client and its connection,
    // so it reaches the server late: the span is taken from the second, with one interval to spare
    // for a send the client's thread delayed.
    const span = arrivals.at(-1)! - arrivals[1]!;
    expect(span).toBeGreaterThanOrEqual(((arrivals.length - 3) * 1000) / maxRps);
  });

  it.each([
    ['0', /--max-rps must be >= 0\.01, got 0/],
    ['fast', /--max-rps must be a number, got 'fast'/],
  ])('answers --max-rps %s with one line and exit code 2', async (value, message) => {
    const r = await cli(['ingest', `${base}/catalog.json`, '--max-rps', value]);
    expect(r.code).toBe(2);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });

  it('answers --max-rps on a local source with one line and exit code 2 (it sends no requests)', async () => {
    const r = await cli(['ingest', 'fixtures/items', '--max-rps', '5']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "benchmark-ingest ingest: --max-rps applies to remote sources (a STAC API or a catalog URL), not to 'fixtures/items'\n",
    );
  });
});
