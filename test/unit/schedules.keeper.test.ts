// keepSchedulesRegistered: a trigger while registering asks for exactly one more
// run, a failed run is tried again until it succeeds, and stop() waits for the
// run in progress and starts no other.
import { describe, expect, it, vi } from "vitest";
import { keepSchedulesRegistered } from "../../src/workers/schedules.ts";

const quiet = { info: () => {}, warn: () => {} };

function deferred() {
  let resolve: () => void = () => {};
  let reject: (err: Error) => void = () => {};
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe("keepSchedulesRegistered", () => {
  it("never registers twice at once: triggers during a run ask for one more run", async () => {
    const runs: ReturnType<typeof deferred>[] = [];
    const register = vi.fn(() => {
      const d = deferred();
      runs.push(d);
      return d.promise;
    });
    const keeper = keepSchedulesRegistered(register, quiet);
    keeper.trigger("Redis connection ready again");
    keeper.trigger("Redis connection ready again");
    keeper.trigger("Redis no longer held this install's keys");
    expect(register).toHaveBeenCalledTimes(1);
    runs[0]?.resolve();
    await vi.waitFor(() => expect(register).toHaveBeenCalledTimes(2));
    runs[1]?.resolve();
    await keeper.stop();
    expect(register).toHaveBeenCalledTimes(2);
  });

  it("tries a failed registration again until it succeeds", async () => {
    let calls = 0;
    const register = vi.fn(async () => {
      calls++;
      if (calls < 3) throw new Error("Connection is closed.");
    });
    const warn = vi.fn();
    const keeper = keepSchedulesRegistered(register, { info: () => {}, warn }, 5);
    keeper.trigger("Redis connection ready again");
    await vi.waitFor(() => expect(register).toHaveBeenCalledTimes(3));
    expect(warn).toHaveBeenCalledTimes(2);
    await keeper.stop();
    await new Promise((r) => setTimeout(r, 20));
    expect(register).toHaveBeenCalledTimes(3);
  });

  it("starts nothing after stop(), and stop() waits for the run in progress", async () => {
    const run = deferred();
    const register = vi.fn(() => run.promise);
    const keeper = keepSchedulesRegistered(register, quiet);
    keeper.trigger("start");
    keeper.trigger("again");
    let stopped = false;
    const stopping = keeper.stop().then(() => {
      stopped = true;
    });
    await new Promise((r) => setTimeout(r, 5));
    expect(stopped).toBe(false);
    run.resolve();
    await stopping;
    keeper.trigger("late");
    expect(register).toHaveBeenCalledTimes(1);
  });
});
