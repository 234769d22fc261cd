/** Number and text formatting shared by the analysis sentences, the Markdown report and the charts. */

/** `12345.6` -> `12,346`; null -> `—`. */
export function fmtInt(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return Math.round(n).toLocaleString('en-US');
}

/** A fixed number of decimals with thousands separators; null -> `—`. */
export function fmtNum(n: number | null | undefined, digits: number): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** Three significant digits, at most 3 decimals: 0.01234 -> `0.0123`, 12.345 -> `12.3`, 1234 -> `1,234`. */
export function fmtSig(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const abs = Math.abs(n);
  if (abs >= 100) return fmtInt(n);
  if (abs === 0) return '0';
  const digits = Math.min(4, Math.max(0, 2 - Math.floor(Math.log10(abs))));
  return fmtNum(n, digits);
}

/** Signed difference: `+12.5`, `-3.0`. */
export function fmtSigned(n: number, digits: number): string {
  const s = fmtNum(Math.abs(n), digits);
  return n < 0 ? `-${s}` : `+${s}`;
}

/** Signed percentage of a ratio change: 0.123 -> `+12.3%`. */
export function fmtPct(ratio: number, digits = 1): string {
  return `${fmtSigned(ratio * 100, digits)}%`;
}

/** Bytes -> `1.2 KB` / `3.4 MB` (binary units, as the results file's MB). */
export function fmtBytes(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  if (n < 1024) return `${Math.round(n)} B`;
  if (n < 1024 * 1024) return `${fmtSig(n / 1024)} KB`;
  return `${fmtSig(n / (1024 * 1024))} MB`;
}

/** Escapes a value for a Markdown table cell (pipes and line breaks). */
export function mdCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Escapes text for XML content and attribute values. */
export function xmlEscape(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** A ratio such as a speedup: 2 decimals, or 2 significant digits below 0.1 (`0.0023`). */
export function fmtRatio(r: number): string {
  if (!Number.isFinite(r)) return '—';
  if (Math.abs(r) >= 0.1 || r === 0) return fmtNum(r, 2);
  return fmtNum(r, Math.min(6, 1 - Math.floor(Math.log10(Math.abs(r)))));
}
