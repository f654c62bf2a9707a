// The process's uncaughtException handler: every uncaught exception is logged at fatal and
// the process exits 1. Nothing is swallowed, not even postgres.js's write on a closed socket
// (porsager/postgres#1154), which the driver patch now prevents: carrying on after it left
// the pool unable to reconnect.
import { afterEach, describe, expect, it, vi } from "vitest";
import { guardUncaughtExceptions } from "../../src/runtime/uncaught.ts";

/** The TypeError postgres.js 3.4.9 threw from its write timer, with the stack it left. */
function driverNullWrite(): TypeError {
  const err = new TypeError("Cannot read properties of null (reading 'write')");
  err.stack = [
    `TypeError: ${err.message}`,
    "    at Immediate.nextWrite (file:///srv/runstrong/node_modules/postgres/src/connection.js:255:22)",
    "    at process.processImmediate (node:internal/timers:485:21)",
  ].join("\n");
  return err;
}

describe("guardUncaughtExceptions", () => {
  let remove: (() => void) | undefined;
  afterEach(() => remove?.());

  function install() {
    const logger = { fatal: vi.fn() };
    const exit = vi.fn();
    const before = process.listeners("uncaughtException");
    remove = guardUncaughtExceptions(logger, exit);
    const added = process.listeners("uncaughtException").filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    const handler = added[0] as (err: Error) => void;
    return { logger, exit, handler };
  }

  it("logs any uncaught exception at fatal, with the error, and exits 1", () => {
    const { logger, exit, handler } = install();
    const boom = new Error("boom");
    handler(boom);
    expect(exit.mock.calls).toEqual([[1]]);
    expect(logger.fatal.mock.calls).toEqual([[{ err: boom }, "uncaught exception; exiting"]]);
  });

  it("swallows nothing, not even the driver's closed-socket write", () => {
    const { logger, exit, handler } = install();
    const driver = driverNullWrite();
    handler(driver);
    expect(exit.mock.calls).toEqual([[1]]);
    expect(logger.fatal.mock.calls.map((c) => c[0])).toEqual([{ err: driver }]);
  });

  it("removes its handler when asked", () => {
    const before = process.listeners("uncaughtException").length;
    const undo = guardUncaughtExceptions({ fatal: vi.fn() }, vi.fn());
    expect(process.listeners("uncaughtException")).toHaveLength(before + 1);
    undo();
    expect(process.listeners("uncaughtException")).toHaveLength(before);
  });
});
