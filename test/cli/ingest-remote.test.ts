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
});
