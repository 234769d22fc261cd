/**
 * `--only`: the names that select benchmark rows (scenarios and strategies), and the selection itself.
 * Scenario names keep those scenarios; strategy names keep those strategies' rows; given both, a
 * row must match both. Floors are kept with the rows they bound (a floor alone bounds nothing).
 */
import { STRATEGIES } from '../ingest/types.js';
import { SCENARIOS } from '../profiling/result.js';

/** Pipeline rows name their placement as strategy (`caller`, `sharded`). */
export const ONLY_STRATEGIES: readonly string[] = [...STRATEGIES, 'caller', 'sharded'];
export const ONLY_NAMES: readonly string[] = [...SCENARIOS, ...ONLY_STRATEGIES];

export interface Selection {
  scenarios: string[];
  strategies: string[];
}

/** Splits the names given to --only into scenarios and strategies (names checked by the caller). */
export function selection(only: readonly string[]): Selection {
  return {
    scenarios: only.filter((n) => (SCENARIOS as readonly string[]).includes(n)),
    strategies: only.filter((n) => ONLY_STRATEGIES.includes(n)),
  };
}

/** The names in `only` that select nothing, in order. */
export function unknownNames(only: readonly string[]): string[] {
  return only.filter((n) => !ONLY_NAMES.includes(n));
}

interface Selectable {
  group: string;
  meta: { scenario: string; kind: string; strategy: string; variant: string | null };
}

function strategyMatches(meta: Selectable['meta'], strategies: readonly string[]): boolean {
  if (strategies.includes(meta.strategy)) return true;
  // A pipeline caller row is also fed by an ingest strategy (its variant `ingest=<strategy>:<level>`).
  const fed = /^ingest=([a-z-]+):/.exec(meta.variant ?? '');
  return fed !== null && strategies.includes(fed[1]!);
}

/**
 * The cases `only` selects, in order. Empty `only`: all of them. A floor stays when a row of its
 * group stays.
 */
export function selectCases<C extends Selectable>(cases: readonly C[], only: readonly string[] = []): C[] {
  if (only.length === 0) return [...cases];
  const { scenarios, strategies } = selection(only);
  const rowKept = (c: C) =>
    (scenarios.length === 0 || scenarios.includes(c.meta.scenario)) &&
    (strategies.length === 0 || strategyMatches(c.meta, strategies));
  const groupsWithRows = new Set(
    cases.filter((c) => c.meta.kind !== 'floor' && rowKept(c)).map((c) => c.group),
  );
  return cases.filter((c) =>
    c.meta.kind === 'floor'
      ? groupsWithRows.has(c.group) && (scenarios.length === 0 || scenarios.includes(c.meta.scenario))
      : rowKept(c),
  );
}

/** Whether `only` keeps any row of `scenario` whose strategies are among `strategies`. */
export function selects(only: readonly string[], scenario: string, strategies: readonly string[]): boolean {
  const chosen = selection(only);
  return (
    (chosen.scenarios.length === 0 || chosen.scenarios.includes(scenario)) &&
    (chosen.strategies.length === 0 || chosen.strategies.some((s) => strategies.includes(s)))
  );
}
