/** `benchmark-ingest serve` — not built yet (see the open issues). */
export async function run(_argv: string[]): Promise<number> {
  throw new Error('the serve command is not built yet');
}
