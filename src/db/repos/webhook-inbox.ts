import { and, inArray, lt } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { webhookEvents } from "../schema/index.ts";

/** Deletes events that are done with (processed or ignored) and older than `before`. */
export async function pruneHandledEvents(db: Executor, before: Date): Promise<number> {
  const deleted = await db
    .delete(webhookEvents)
    .where(and(inArray(webhookEvents.status, ["processed", "ignored"]), lt(webhookEvents.receivedAt, before)))
    .returning({ id: webhookEvents.id });
  return deleted.length;
}
