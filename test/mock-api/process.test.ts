import { describe, expect, it } from 'vitest';
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

  it('rejects with the reason when the server cannot start', async () => {
    await expect(startStacApiProcess({ items: 3, failRate: 5 })).rejects.toThrow(/failRate/);
  });
});
