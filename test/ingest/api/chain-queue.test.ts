import { describe, expect, it } from 'vitest';
import { type Chain, ChainQueue, newChain, pagesLeft } from '../../../src/ingest/api/chain-queue.js';

const chain = (id: string, estimate: number | null): Chain =>
  newChain(
    { start: 0, end: 1, matched: estimate },
    { url: `http://x/${id}`, method: 'GET' },
    { pages: 0, items: 0 },
  );

describe('ChainQueue', () => {
  it("counts a chain's pages left from the estimate before its first page and exactly after it", () => {
    const c = chain('a', 450);
    expect(pagesLeft(c, 100)).toBe(5);
    c.report.pages = 1;
    c.matched = 730;
    c.received = 100;
    expect(pagesLeft(c, 100)).toBe(7);
    c.received = 700;
    expect(pagesLeft(c, 100)).toBe(1);
  });

  it('counts one page left when the server gives no count', () => {
    const c = chain('a', null);
    expect(pagesLeft(c, 100)).toBe(1);
    c.report.pages = 3;
    c.received = 300;
    expect(pagesLeft(c, 100)).toBe(1);
  });

  it('serves the chain with the most pages left first, the one queued first among equals', () => {
    const queue = new ChainQueue(100);
    const [a, b, c, d] = [chain('a', 250), chain('b', 900), chain('c', 300), chain('d', 880)];
    for (const x of [a, b, c, d]) queue.push(x);
    expect(queue.pagesLeft()).toBe(3 + 9 + 3 + 9);
    expect(queue.take()).toBe(b);
    expect(queue.take()).toBe(d);
    expect(queue.take()).toBe(a);
    // a chain coming back after a page competes with what it has left
    a.report.pages = 1;
    a.matched = 1200;
    a.received = 100;
    queue.push(a);
    expect(queue.take()).toBe(a);
    expect(queue.take()).toBe(c);
    expect(queue.take()).toBeUndefined();
    expect(queue.size).toBe(0);
  });

  it('remembers the first request, so a next link back to it counts as a repeat', () => {
    const c = chain('a', 10);
    expect(c.sent.has(`GET http://x/a `)).toBe(true);
  });
});
