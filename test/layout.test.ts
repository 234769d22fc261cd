/** The shape of src/: no import cycles, and the ingest layers import only downwards. */
import { describe, expect, it } from 'vitest';
import { cycles, importGraph } from './support/imports.js';

const graph = importGraph('src');

describe('the source tree', () => {
  it('has no import cycles, type-only and dynamic imports included', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('keeps the ingest layers in order: io below decode below run, and none of them imports the entry point', () => {
    const below: Record<string, string[]> = {
      'ingest/io/': ['ingest/decode/', 'ingest/run/'],
      'ingest/decode/': ['ingest/run/'],
    };
    const wrong: string[] = [];
    for (const [from, deps] of graph) {
      for (const dep of deps) {
        for (const [layer, above] of Object.entries(below)) {
          if (from.startsWith(layer) && above.some((a) => dep.startsWith(a))) wrong.push(`${from} -> ${dep}`);
        }
        const inLayer = /^ingest\/(io|decode|run)\//.test(from);
        if (inLayer && (dep === 'ingest/index.ts' || dep === 'ingest/sources.ts'))
          wrong.push(`${from} -> ${dep}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sees the imports it checks (the graph is not empty)', () => {
    expect(graph.get('ingest/index.ts')).toContain('ingest/run/strategies.ts');
  });
});
