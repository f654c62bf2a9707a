import { DrizzleQueryError } from "drizzle-orm/errors";

/**
 * An error as it may be logged or stored (BullMQ keeps a failed job's message on
 * the dashboard). drizzle's query errors carry the statement's parameters in
 * their message (a calendar token, a feed URL, a token being stored): only the
 * database's own code and message are kept.
 */
export function loggableError(err: unknown): Error {
  if (err instanceof DrizzleQueryError) {
    const cause = err.cause as { code?: string; message?: string } | undefined;
    const safe = new Error(
      `database error${cause?.code ? ` ${cause.code}` : ""}: ${cause?.message ?? "query failed"}`,
    );
    safe.name = "DatabaseError";
    return safe;
  }
  return err instanceof Error ? err : new Error(String(err));
}
