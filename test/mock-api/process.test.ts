import { describe, expect, it } from 'vitest';
import { readServerCpu } from '../../src/mock-api/control.js';
import { startStacApiProcess } from '../../src/mock-api/process.js';

describe('the local STAC API in a child process', () => {
  it('serves several generated collections, reports its own metrics over IPC, and exits on close', async () => {
    const api = await startStacApiProcess({
      generated: [
        { id: 'small', count: 10 },
        { id: 'large', count: 120, seed: 3 },
      ],
      pageSize: 50,
    });
    try {
      expect(api.pid).not.toBe(process.pid);
      expect(api.controlUrl).toBeNull();
      const page = (await (await fetch(`${api.url}/collections/large/items`)).json()) as {
        numberMatched: number;
      };
      expect(page.numberMatched).toBe(120);
      await (await fetch(`${api.url}/collections/small`)).text();
      const m = await api.metrics();
      expect(m.requests).toBe(2);
      expect(m.byRoute).toEqual({ items: 1, collection: 1 });
      expect(m.pages).toBe(1);
      expect(m.pageItems).toBe(50);
      expect(m.cpuUserMs).toBeGreaterThan(0);
      await api.resetMetrics();
      expect((await api.metrics()).requests).toBe(0);
    } finally {
      await api.close();
    }
    expect(() => process.kill(api.pid, 0)).toThrow();
  });

  it('answers, asked for a control listener, the CPU its process has used so far on a loopback URL', async () => {
    const api = await startStacApiProcess({ items: 500, pageSize: 250, control: true });
    const control = api.controlUrl!;
    try {
      expect(control).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(control).not.toBe(api.url);
      const before = await readServerCpu(control);
      expect(before).toBeGreaterThan(0);
      let next: string | undefined = `${api.url}/collections/sentinel-2-l2a/items`;
      while (next) {
        const page = (await (await fetch(next)).json()) as { links: { rel: string; href: string }[] };
        next = page.links.find((l) => l.rel === 'next')?.href;
      }
      // Building and sending 500 Items costs the server's process CPU, and the listener sees it.
      expect(await readServerCpu(control)).toBeGreaterThan(before);
      expect((await fetch(`${control}/metrics`)).status).toBe(404);
    } finally {
      await api.close();
    }
    await expect(readServerCpu(control)).rejects.toThrow();
  });

  it('rejects with the reason when the server cannot start', async () => {
    await expect(startStacApiProcess({ items: 3, failRate: 5 })).rejects.toThrow(/failRate/);
  });
});
