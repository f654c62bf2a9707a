import type { Logger } from "../observability/logger.ts";

// postgres.js 3.4.9 buffers small writes and flushes them from a setImmediate; when the
// connection closes first, that timer calls write on a null socket and throws where no
// caller can catch it (porsager/postgres#1154, #1208, unfixed upstream; the proposed fixes,
// #1168 and #1209, guard nextWrite in the driver). The driver has already dropped that
// connection and rejected its queries, and the pool opens a new one, so the process may
// carry on. No connection option avoids the path: it is any small write racing a close.
const NULL_SOCKET_WRITE = "Cannot read properties of null (reading 'write')";
// Its first stack frame is in the driver's own connection.js (ESM src, cjs or cf build).
const POSTGRES_CONNECTION_FRAME =
  /[\\/]node_modules[\\/]postgres[\\/](?:cjs[\\/]|cf[\\/])?src[\\/]connection\.js:\d+/;

/** True only for postgres.js's write on a closed socket, thrown from its own connection.js. */
export function isPostgresClosedSocketWrite(err: unknown): boolean {
  if (!(err instanceof TypeError) || err.message !== NULL_SOCKET_WRITE) return false;
  const firstFrame = (err.stack ?? "").split("\n").find((line) => line.trimStart().startsWith("at "));
  return firstFrame !== undefined && POSTGRES_CONNECTION_FRAME.test(firstFrame);
}

/**
 * Installs the process's uncaughtException handler: postgres.js's write on a closed socket
 * is logged at warn and the process carries on; anything else is logged and the process
 * exits 1, as it would without a handler. Returns a function that removes the handler.
 */
export function guardUncaughtExceptions(
  logger: Pick<Logger, "warn" | "fatal">,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onUncaught = (err: Error) => {
    if (isPostgresClosedSocketWrite(err)) {
      logger.warn(
        { code: "PG_CLOSED_SOCKET_WRITE" },
        "postgres.js wrote to a closed connection (porsager/postgres#1154); the pool reconnects",
      );
      return;
    }
    logger.fatal({ err }, "uncaught exception; exiting");
    exit(1);
  };
  process.on("uncaughtException", onUncaught);
  return () => {
    process.off("uncaughtException", onUncaught);
  };
}
