/** `benchmark-ingest all` — not built yet (see the open issues). */
export async function run(_argv: string[]): Promise<number> {
  throw new Error('the all command is not built yet');
}
