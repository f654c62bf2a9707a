import { describe, expect, it } from "vitest";
import { createMicroBatcher } from "../../src/server/micro-batch.ts";

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

describe("the webhook micro-batcher", () => {
  it("flushes what arrives together as one batch and answers each caller with its own result", async () => {
    const batches: number[][] = [];
    const b = createMicroBatcher<number, string>(
      {
        flush: async (xs) => {
          batches.push(xs);
          return xs.map((x) => `r${x}`);
        },
      },
      { windowMs: 5, maxBatch: 100, maxInFlight: 2 },
    );
    const answers = await Promise.all([1, 2, 3, 4].map((x) => b.submit(x)));
    expect(answers).toEqual(["r1", "r2", "r3", "r4"]);
    expect(batches).toEqual([[1, 2, 3, 4]]);
  });

  it("sends a full batch at once and never more than maxBatch items in one", async () => {
    const sizes: number[] = [];
    const b = createMicroBatcher<number, number>(
      {
        flush: async (xs) => {
          sizes.push(xs.length);
          return xs;
        },
      },
      { windowMs: 1_000, maxBatch: 3, maxInFlight: 4 },
    );
    const started = Date.now();
    await Promise.all([1, 2, 3, 4, 5, 6].map((x) => b.submit(x)));
    expect(sizes).toEqual([3, 3]);
    expect(Date.now() - started).toBeLessThan(500);
  });

  it("rejects every caller of a failed batch and none of another", async () => {
    let call = 0;
    const b = createMicroBatcher<number, number>(
      {
        flush: async (xs) => {
          call++;
          if (call === 1) throw new Error("database gone");
          return xs;
        },
      },
      { windowMs: 1, maxBatch: 10, maxInFlight: 1 },
    );
    const first = [b.submit(1), b.submit(2)].map((p) =>
      p.then(
        () => "ok",
        (e: Error) => e.message,
      ),
    );
    expect(await Promise.all(first)).toEqual(["database gone", "database gone"]);
    expect(await b.submit(3)).toBe(3);
  });

  it("flushes a failed batch again item by item when retryAlone says so: only the bad item fails", async () => {
    const batches: number[][] = [];
    const followed: number[][] = [];
    const b = createMicroBatcher<number, number>(
      {
        flush: async (xs) => {
          batches.push(xs);
          if (xs.includes(13)) throw new Error(xs.length > 1 ? "batch refused" : "13 refused");
          return xs.map((x) => x * 10);
        },
        retryAlone: (err) => (err as Error).message !== "database gone",
        after: async (xs) => {
          followed.push(xs);
        },
      },
      { windowMs: 5, maxBatch: 10, maxInFlight: 1 },
    );
    const answers = await Promise.allSettled([12, 13, 14].map((x) => b.submit(x)));
    expect(answers.map((a) => (a.status === "fulfilled" ? a.value : (a.reason as Error).message))).toEqual([
      120,
      "13 refused",
      140,
    ]);
    expect(batches).toEqual([[12, 13, 14], [12], [13], [14]]);
    await b.drain();
    expect(followed).toEqual([[12, 14]]);
  });

  it("does not retry item by item when retryAlone says the store itself is away", async () => {
    let flushes = 0;
    const b = createMicroBatcher<number, number>(
      {
        flush: async () => {
          flushes++;
          throw new Error("database gone");
        },
        retryAlone: (err) => (err as Error).message !== "database gone",
      },
      { windowMs: 5, maxBatch: 10, maxInFlight: 1 },
    );
    const answers = await Promise.allSettled([1, 2, 3].map((x) => b.submit(x)));
    expect(answers.every((a) => a.status === "rejected")).toBe(true);
    expect(flushes).toBe(1);
  });

  it("answers before the follow-up step, which keeps the slot until it is done", async () => {
    const events: string[] = [];
    let release: () => void = () => {};
    const b = createMicroBatcher<number, number>(
      {
        flush: async (xs) => {
          events.push(`flush ${xs.join(",")}`);
          return xs;
        },
        after: (xs) => {
          events.push(`after ${xs.join(",")}`);
          return new Promise<void>((r) => {
            release = r;
          });
        },
      },
      { windowMs: 1, maxBatch: 10, maxInFlight: 1 },
    );
    expect(await b.submit(1)).toBe(1);
    const second = b.submit(2);
    await tick(20);
    expect(events).toEqual(["flush 1", "after 1"]);
    release();
    expect(await second).toBe(2);
    expect(events).toEqual(["flush 1", "after 1", "flush 2", "after 2"]);
    release();
    await b.drain();
  });
});
