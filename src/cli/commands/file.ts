/** `benchmark-ingest file` — not built yet (see the open issues). */
export async function run(_argv: string[]): Promise<number> {
  throw new Error('the file command is not built yet');
}
