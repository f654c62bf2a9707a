import type { Logger } from "../observability/logger.ts";

// An uncaught exception ends the process, as it would without a handler, but first says
// so in the log as one JSON line with the error, where the rest of the process's story is.
// (An unhandled promise rejection arrives here too: Node's default turns it into one.)
// Nothing is swallowed: after an exception nothing caught, the process's state is unknown,
// and a supervisor restarting it is the safe way back. The errors seen so far, postgres.js
// 3.4.9 writing to a closed socket from a timer and leaving its array-types query's
// failure unhandled when Postgres restarts (porsager/postgres#1154, #1192), are fixed in
// the driver by patches/postgres+3.4.9.patch; carrying on after the first, as this
// handler once did, left the connection pool unable to reconnect.

/**
 * Installs the process's uncaughtException handler: the error is logged at fatal and the
 * process exits 1. Returns a function that removes the handler.
 */
export function guardUncaughtExceptions(
  logger: Pick<Logger, "fatal">,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const onUncaught = (err: Error) => {
    logger.fatal({ err }, "uncaught exception; exiting");
    exit(1);
  };
  process.on("uncaughtException", onUncaught);
  return () => {
    process.off("uncaughtException", onUncaught);
  };
}
