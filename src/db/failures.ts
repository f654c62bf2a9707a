// What kind of failure a database error is, for callers that answer differently
// to "Postgres is away" (try again soon) and "Postgres refused this value" (trying
// again will not help). drizzle wraps postgres.js' errors; the kind is in the cause.
import { DrizzleQueryError } from "drizzle-orm/errors";

/** postgres.js' own codes and the socket errors it passes on while no server answers. */
const CONNECTION_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EPIPE",
]);

/** SQLSTATEs of a server that is shutting down, starting up or full. */
const UNAVAILABLE_STATES = new Set(["57P01", "57P02", "57P03", "53300"]);

function codeOf(err: unknown): string | undefined {
  const inner = err instanceof DrizzleQueryError ? err.cause : err;
  const code = (inner as { code?: unknown } | undefined)?.code;
  return typeof code === "string" ? code : undefined;
}

/** The database could not be reached or could not take the query: worth retrying later. */
export function databaseUnavailable(err: unknown): boolean {
  const code = codeOf(err);
  if (code === undefined) return false;
  return CONNECTION_CODES.has(code) || code.startsWith("08") || UNAVAILABLE_STATES.has(code);
}

/** Postgres refused a value (SQLSTATE class 22, data exception: out of range, bad encoding). */
export function databaseRejectedValue(err: unknown): boolean {
  const code = codeOf(err);
  return code !== undefined && /^22[0-9A-Z]{3}$/.test(code);
}
