/**
 * A bounded hand-over between producers (partition crawlers, workers) and the one consumer (the
 * ingest's async generator). `push` waits while `capacity` batches are buffered, which is how a
 * consumer that stops pulling stops the crawling after the work in flight.
 */
export class Channel<T> {
  private readonly buffer: T[] = [];
  private waitingConsumer: (() => void) | null = null;
  private readonly waitingProducers: (() => void)[] = [];
  private closed = false;
  private error: unknown = null;

  constructor(private readonly capacity: number) {}

  /** Adds a batch; resolves false when the channel was closed (the producer should stop). */
  async push(batch: T): Promise<boolean> {
    while (!this.closed && this.buffer.length >= this.capacity) {
      await new Promise<void>((resolve) => this.waitingProducers.push(resolve));
    }
    if (this.closed) return false;
    this.buffer.push(batch);
    this.wakeConsumer();
    return true;
  }

  /** No more batches: the consumer drains what is buffered, then ends. */
  close(): void {
    this.closed = true;
    this.wakeConsumer();
    for (const wake of this.waitingProducers.splice(0)) wake();
  }

  /**
   * No more batches, and the consumer ends with `error` once it has taken the batches already
   * buffered: what the producers received before the error is never dropped.
   */
  fail(error: unknown): void {
    if (this.error === null) this.error = error ?? new Error('channel failed');
    this.close();
  }

  private wakeConsumer(): void {
    const wake = this.waitingConsumer;
    this.waitingConsumer = null;
    wake?.();
  }

  async *drain(): AsyncGenerator<T> {
    for (;;) {
      const batch = this.buffer.shift();
      if (batch !== undefined) {
        this.waitingProducers.shift()?.();
        yield batch;
        continue;
      }
      if (this.error !== null) throw this.error;
      if (this.closed) return;
      await new Promise<void>((resolve) => {
        this.waitingConsumer = resolve;
      });
    }
  }
}
