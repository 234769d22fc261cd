/** `benchmark-ingest ingest` — not built yet (see the open issues). */
export async function run(_argv: string[]): Promise<number> {
  throw new Error('the ingest command is not built yet');
}
