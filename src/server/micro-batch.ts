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
   * it throws, every caller of that batch gets the error (none is told its item is
   * done when the batch is not), unless `retryAlone` says to try each item alone.
   */
  flush: (items: I[]) => Promise<O[]>;
  /**
   * Whether a failed batch of several items is worth flushing again one item at a
   * time: yes when the error may be one item's fault (a value the store refuses),
   * so that item fails only its own caller and its neighbours are stored; no when
   * the store itself is away, where n more attempts would only wait n times.
   */
  retryAlone?: (err: unknown) => boolean;
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

  async function flushChecked(items: I[]): Promise<O[]> {
    const results = await steps.flush(items);
    if (results.length !== items.length)
      throw new Error(`batch flush returned ${results.length} results for ${items.length} items`);
    return results;
  }

  async function run(batch: Pending<I, O>[]): Promise<void> {
    const items = batch.map((p) => p.item);
    let results: O[];
    try {
      results = await flushChecked(items);
    } catch (err) {
      if (batch.length > 1 && steps.retryAlone?.(err)) await runAlone(batch);
      else for (const p of batch) p.reject(err);
      return;
    }
    for (const [i, p] of batch.entries()) p.resolve(results[i] as O);
    await steps.after?.(items, results).catch(() => {});
  }

  /** Each item of a failed batch flushed on its own, at once; `after` gets those that made it. */
  async function runAlone(batch: Pending<I, O>[]): Promise<void> {
    const settled = await Promise.all(
      batch.map(async (p) => {
        try {
          const [result] = await flushChecked([p.item]);
          p.resolve(result as O);
          return { ok: true as const, item: p.item, result: result as O };
        } catch (err) {
          p.reject(err);
          return { ok: false as const };
        }
      }),
    );
    const done = settled.filter((s) => s.ok);
    if (done.length > 0)
      await steps
        .after?.(
          done.map((d) => d.item),
          done.map((d) => d.result),
        )
        .catch(() => {});
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
