// The process's uncaughtException guard: postgres.js's write on a closed socket
// (porsager/postgres#1154), thrown from its own connection.js, is logged at warn and the
// process carries on; every other uncaught exception is logged and exits 1.
import { afterEach, describe, expect, it, vi } from "vitest";
import { guardUncaughtExceptions, isPostgresClosedSocketWrite } from "../../src/runtime/uncaught.ts";

const MESSAGE = "Cannot read properties of null (reading 'write')";

/** A real TypeError from reading `write` off null, with the stack the driver's timer leaves. */
function nullWrite(frames: string[]): TypeError {
  let err: unknown;
  try {
    const socket = null as unknown as { write: () => void };
    socket.write();
  } catch (caught) {
    err = caught;
  }
  if (!(err instanceof TypeError)) throw new Error("expected a TypeError");
  err.stack = [`TypeError: ${err.message}`, ...frames.map((f) => `    at ${f}`)].join("\n");
  return err;
}

const esmFrames = [
  "Immediate.nextWrite (file:///srv/runstrong/node_modules/postgres/src/connection.js:255:22)",
  "process.processImmediate (node:internal/timers:485:21)",
];
const cjsFrames = [
  "Immediate.nextWrite (/srv/runstrong/node_modules/postgres/cjs/src/connection.js:255:22)",
  "process.processImmediate (node:internal/timers:476:21)",
];

describe("isPostgresClosedSocketWrite", () => {
  it("accepts postgres.js's write on a null socket, ESM or CommonJS build", () => {
    expect(nullWrite([]).message).toBe(MESSAGE);
    expect(isPostgresClosedSocketWrite(nullWrite(esmFrames))).toBe(true);
    expect(isPostgresClosedSocketWrite(nullWrite(cjsFrames))).toBe(true);
  });

  it("rejects the same message thrown from anywhere but the driver's connection.js", () => {
    expect(
      isPostgresClosedSocketWrite(nullWrite(["flush (/srv/runstrong/src/workers/outbox.ts:40:11)"])),
    ).toBe(false);
    expect(
      isPostgresClosedSocketWrite(
        nullWrite(["Timeout.send (/srv/runstrong/node_modules/ioredis/built/connection.js:9:3)"]),
      ),
    ).toBe(false);
    // the driver further down the stack, our code on top: ours, not the driver's
    expect(
      isPostgresClosedSocketWrite(nullWrite(["onRow (/srv/runstrong/src/db/repo.ts:12:5)", ...esmFrames])),
    ).toBe(false);
    expect(isPostgresClosedSocketWrite(nullWrite([]))).toBe(false);
  });

  it("rejects other errors from the driver's connection.js", () => {
    const other = nullWrite(esmFrames);
    const otherMessage = new TypeError("Cannot read properties of null (reading 'destroy')");
    otherMessage.stack = other.stack?.replace("(reading 'write')", "(reading 'destroy')");
    expect(isPostgresClosedSocketWrite(otherMessage)).toBe(false);
    const notTypeError = new Error(MESSAGE);
    notTypeError.stack = other.stack;
    expect(isPostgresClosedSocketWrite(notTypeError)).toBe(false);
    expect(isPostgresClosedSocketWrite(MESSAGE)).toBe(false);
    expect(isPostgresClosedSocketWrite(null)).toBe(false);
  });
});

describe("guardUncaughtExceptions", () => {
  let remove: (() => void) | undefined;
  afterEach(() => remove?.());

  function install() {
    const logger = { warn: vi.fn(), fatal: vi.fn() };
    const exit = vi.fn();
    const before = process.listeners("uncaughtException");
    remove = guardUncaughtExceptions(logger, exit);
    const added = process.listeners("uncaughtException").filter((l) => !before.includes(l));
    expect(added).toHaveLength(1);
    const handler = added[0] as (err: Error) => void;
    return { logger, exit, handler };
  }

  it("logs postgres.js's closed-socket write at warn and carries on", () => {
    const { logger, exit, handler } = install();
    handler(nullWrite(esmFrames));
    expect(exit).not.toHaveBeenCalled();
    expect(logger.fatal).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0]?.[0]).toEqual({ code: "PG_CLOSED_SOCKET_WRITE" });
  });

  it("still ends the process, exit 1, on every other uncaught exception", () => {
    const { logger, exit, handler } = install();
    const ours = nullWrite(["flush (/srv/runstrong/src/workers/outbox.ts:40:11)"]);
    handler(ours);
    handler(new Error("boom"));
    expect(exit.mock.calls).toEqual([[1], [1]]);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.fatal.mock.calls.map((c) => c[0])).toEqual([{ err: ours }, { err: expect.any(Error) }]);
  });

  it("removes its handler when asked", () => {
    const before = process.listeners("uncaughtException").length;
    const undo = guardUncaughtExceptions({ warn: vi.fn(), fatal: vi.fn() }, vi.fn());
    expect(process.listeners("uncaughtException")).toHaveLength(before + 1);
    undo();
    expect(process.listeners("uncaughtException")).toHaveLength(before);
  });
});
