/**
 * The progress line of `ingest` and `ingest --to` (stderr): the count so far and, when a total is
 * known, the share done and an ETA at the pace so far.
 */
import { formatDuration } from '../vitest/results-model.js';

/** What the progress line counts against. */
export interface ProgressTotal {
  items: number;
  /** The source's own count (the run ends there), not only the --max-items bound. */
  exact: boolean;
  /** The source's count holds the inputs that fail too, so they count as done. */
  withFailures: boolean;
}

/**
 * The total of a run: the source's count (`onTotal`: an items directory, a Parquet file, a STAC
 * API that reports numberMatched), at most --max-items; --max-items alone is a bound the source
 * may not reach; neither, no total.
 */
export function totalOf(source: number | undefined, maxItems: number | undefined): ProgressTotal | undefined {
  if (source === undefined)
    return maxItems === undefined ? undefined : { items: maxItems, exact: false, withFailures: false };
  if (maxItems !== undefined && maxItems < source)
    return { items: maxItems, exact: true, withFailures: false };
  return { items: source, exact: true, withFailures: true };
}

/**
 * `1200 items, 0 failures, 600 items/s` while the total is unknown; `1200 of 5000 items (24%), 0
 * failures, 600 items/s, ETA ~6s` when the source says how many it holds; `1200 of at most 5000
 * items …` when only --max-items bounds the run (a source with fewer Items ends sooner). The ETA is
 * the time to the total at the pace so far; an input that failed counts as done when the source's
 * count holds it. `verb`: ` written` for `--to`, whose count is of Items written.
 */
export function progressText(
  count: number,
  failures: number,
  seconds: number,
  total?: ProgressTotal,
  verb = '',
): string {
  const rate = seconds > 0 ? count / seconds : 0;
  const tail = `${failures} failures, ${Math.round(rate)} items/s`;
  if (total === undefined || total.items <= 0) return `${count} items${verb}, ${tail}`;
  const done = Math.min(total.items, count + (total.withFailures ? failures : 0));
  const pace = seconds > 0 ? done / seconds : 0;
  const pct = Math.min(100, Math.floor((100 * done) / total.items));
  const eta = pace > 0 ? `~${formatDuration(((total.items - done) / pace) * 1000)}` : '?';
  const of = total.exact ? 'of' : 'of at most';
  return `${count} ${of} ${total.items} items${verb} (${pct}%), ${tail}, ETA ${eta}`;
}
