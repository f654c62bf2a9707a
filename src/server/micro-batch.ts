// Group commit for request handlers: items that arrive within a few milliseconds
// of each other are flushed together, and each caller's promise settles with its
// own item's result once its batch is done. The cost of storing a webhook is the
// round trips, not the work, so one multi-row insert for fifty events beats fifty
// inserts by far.

export interface MicroBatchOptions {
  /** how long the first item of a batch waits for company */
  windowMs: number;
  /** a batch this full goes at once */
  maxBatch: number;
  /** batches being flushed at the same time; more wait, and grow meanwhile */
  maxInFlight: number;
}

export interface MicroBatcher<I, O> {
  submit(item: I): Promise<O>;
  /** resolves once everything submitted so far has settled, follow-up work included */
  drain(): Promise<void>;
}

interface Pending<I, O> {
  item: I;
  resolve: (o: O) => void;
  reject: (e: unknown) => void;
}

export interface MicroBatchSteps<I, O> {
  /**
   * Gets the items of one batch and returns one result per item, in order. When
   * it throws, every caller of that batch gets the error: none is told its item is
   * done when the batch is not.
   */
  flush: (items: I[]) => Promise<O[]>;
  /**
   * Work that follows the answers (the callers are already resolved). The batch
   * keeps its slot until this settles, so a slow follow-up slows intake down
   * instead of piling up in memory. It must handle its own errors.
   */
  after?: (items: I[], results: O[]) => Promise<void>;
}

export function createMicroBatcher<I, O>(
  steps: MicroBatchSteps<I, O>,
  options: MicroBatchOptions,
): MicroBatcher<I, O> {
  let pending: Pending<I, O>[] = [];
  let timer: NodeJS.Timeout | null = null;
  let inFlight = 0;
  const idle: (() => void)[] = [];

  const settleIdle = () => {
    if (inFlight === 0 && pending.length === 0) for (const done of idle.splice(0)) done();
  };

  const schedule = () => {
    if (pending.length === 0 || inFlight >= options.maxInFlight) return;
    if (pending.length >= options.maxBatch) {
      go();
      return;
    }
    timer ??= setTimeout(go, options.windowMs);
  };

  async function run(batch: Pending<I, O>[]): Promise<void> {
    const items = batch.map((p) => p.item);
    let results: O[];
    try {
      results = await steps.flush(items);
      if (results.length !== batch.length)
        throw new Error(`batch flush returned ${results.length} results for ${batch.length} items`);
    } catch (err) {
      for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as O);
    await steps.after?.(items, results).catch(() => {});
  }

  function go(): void {
    if (timer) {
      clearTimeout(timer);
      timer = null;
    }
    if (pending.length === 0 || inFlight >= options.maxInFlight) return;
    const batch = pending.slice(0, options.maxBatch);
    pending = pending.slice(batch.length);
    inFlight++;
    void run(batch).finally(() => {
      inFlight--;
      // What piled up while every slot was busy has waited long enough: go now.
      if (pending.length > 0) go();
      settleIdle();
    });
    schedule();
  }

  return {
    submit(item) {
      return new Promise<O>((resolve, reject) => {
        pending.push({ item, resolve, reject });
        schedule();
      });
    },
    drain() {
      if (inFlight === 0 && pending.length === 0) return Promise.resolve();
      return new Promise<void>((resolve) => idle.push(resolve));
    },
  };
}
