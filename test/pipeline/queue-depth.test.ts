import { describe, expect, it } from 'vitest';
import { MAX_SHARES_PER_WORKER, queueDepth, SHARES_PER_WORKER } from '../../src/pipeline/sharded.js';

describe('queueDepth', () => {
  it('keeps the most shares queued per worker while many are left', () => {
    expect(queueDepth(1000, 2)).toBe(MAX_SHARES_PER_WORKER);
    expect(queueDepth(MAX_SHARES_PER_WORKER * 4, 4)).toBe(MAX_SHARES_PER_WORKER);
  });

  it('comes back to two per worker as the source runs out, so the last shares go to whichever worker is free', () => {
    expect(queueDepth(10, 2)).toBe(5);
    expect(queueDepth(5, 2)).toBe(SHARES_PER_WORKER);
    expect(queueDepth(0, 2)).toBe(SHARES_PER_WORKER);
  });

  it('keeps two per worker when how many shares are left is unknown (a streamed file, a search)', () => {
    expect(queueDepth(null, 1)).toBe(SHARES_PER_WORKER);
    expect(queueDepth(null, 8)).toBe(SHARES_PER_WORKER);
  });
});
