/** Argument parsing shared by every command. A user's mistake is a UsageError: one line, exit 2. */

export class UsageError extends Error {
  override name = 'UsageError';
}

/** Exit codes: 0 ok, 1 run failed, 2 usage error, 3 regression found by compare. */
export const EXIT = { ok: 0, failed: 1, usage: 2, regression: 3 } as const;

/** True when the arguments ask for the command's usage (`--help` or `-h`). */
export function helpAsked(argv: readonly string[]): boolean {
  return argv.includes('--help') || argv.includes('-h');
}

/** --max-rps (`ingest`, and `api`/`all` with --catalog-url): down to one request per 100 s. */
export const MAX_RPS_RANGE = { min: 0.01, max: 100_000 } as const;

export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string | true>;
  /** Every value of a flag that may be given several times (`known.repeatable`), in order. */
  repeated?: Map<string, string[]>;
}

/**
 * Parses `--name value`, `--name=value` and boolean `--flag` (names listed in `booleans`); a name
 * in `repeatable` keeps every value (`repeated`), the others their last.
 * Unknown flags are a UsageError naming the flag.
 */
export function parseArgs(
  argv: string[],
  known: { values: string[]; booleans?: string[]; repeatable?: string[] },
): ParsedArgs {
  const repeatable = new Set(known.repeatable ?? []);
  const repeated = new Map<string, string[]>();
  const values = new Set([...known.values, ...repeatable]);
  const booleans = new Set(known.booleans ?? []);
  const flags = new Map<string, string | true>();
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    if (booleans.has(name)) {
      if (eq !== -1) throw new UsageError(`--${name} takes no value`);
      flags.set(name, true);
    } else if (values.has(name)) {
      const value = eq === -1 ? argv[++i] : arg.slice(eq + 1);
      if (value === undefined || (eq === -1 && value.startsWith('--'))) {
        throw new UsageError(`--${name} needs a value`);
      }
      flags.set(name, value);
      if (repeatable.has(name)) repeated.set(name, [...(repeated.get(name) ?? []), value]);
    } else {
      throw new UsageError(`unknown option --${name}`);
    }
  }
  return { positionals, flags, repeated };
}

export function stringFlag(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return typeof v === 'string' ? v : undefined;
}

/** A whole number within [min, max]; a UsageError naming the flag otherwise. */
export function intFlag(
  args: ParsedArgs,
  name: string,
  opts: { min?: number; max?: number } = {},
): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  return parseIntStrict(raw, `--${name}`, opts);
}

export function numberFlag(
  args: ParsedArgs,
  name: string,
  opts: { min?: number; max?: number } = {},
): number | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(n))
    throw new UsageError(`--${name} must be a number, got '${raw}'`);
  if (opts.min !== undefined && n < opts.min)
    throw new UsageError(`--${name} must be >= ${opts.min}, got ${raw}`);
  if (opts.max !== undefined && n > opts.max)
    throw new UsageError(`--${name} must be <= ${opts.max}, got ${raw}`);
  return n;
}

/** A comma-separated list of whole numbers, e.g. `1,5,10,20`. */
export function intListFlag(
  args: ParsedArgs,
  name: string,
  opts: { min?: number; max?: number } = {},
): number[] | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  const parts = raw.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) throw new UsageError(`--${name} must be a list like 1,5,10, got '${raw}'`);
  return [...new Set(parts.map((p) => parseIntStrict(p, `--${name}`, opts)))];
}

export function parseIntStrict(
  raw: string,
  label: string,
  opts: { min?: number; max?: number } = {},
): number {
  if (!/^-?\d+$/.test(raw.trim())) throw new UsageError(`${label} must be a whole number, got '${raw}'`);
  const n = Number(raw);
  if (opts.min !== undefined && n < opts.min)
    throw new UsageError(`${label} must be >= ${opts.min}, got ${raw}`);
  if (opts.max !== undefined && n > opts.max)
    throw new UsageError(`${label} must be <= ${opts.max}, got ${raw}`);
  return n;
}

export function choiceFlag<T extends string>(
  args: ParsedArgs,
  name: string,
  choices: readonly T[],
): T | undefined {
  const raw = stringFlag(args, name);
  if (raw === undefined) return undefined;
  if (!(choices as readonly string[]).includes(raw)) {
    throw new UsageError(`--${name} must be one of ${choices.join(', ')}, got '${raw}'`);
  }
  return raw as T;
}
