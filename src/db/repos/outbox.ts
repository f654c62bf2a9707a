// The transactional outbox: follow-up work stored with the change that calls for
// it (see src/db/schema/outbox.ts), queued after commit or by the sweep.
import { and, asc, eq, gt, inArray, isNull, lte, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { outbox } from "../schema/index.ts";

export interface OutboxEntry {
  id: number;
  /** unique for the life of any Redis: the base of the ids of the jobs it queues */
  key: string;
  athleteId: number;
  /** the follow-up as stored; the worker side parses it */
  payload: Record<string, unknown>;
  attempts: number;
}

const entryColumns = {
  id: outbox.id,
  key: outbox.key,
  athleteId: outbox.athleteId,
  payload: outbox.payload,
  attempts: outbox.attempts,
};

/**
 * Stores follow-ups for one athlete. Call it with the transaction that stores the
 * change itself: the follow-up exists exactly when the change does.
 */
export async function addFollowUps(
  db: Executor,
  athleteId: number,
  followUps: readonly ({ type: string } & Record<string, unknown>)[],
): Promise<OutboxEntry[]> {
  if (followUps.length === 0) return [];
  return db
    .insert(outbox)
    .values(followUps.map((f) => ({ athleteId, kind: f.type, payload: f })))
    .returning(entryColumns);
}

/**
 * Follow-ups not done yet, by id (the order they were stored), after `afterId`:
 * created at or before `createdBefore`, and due (`nextAttemptAt` passed) unless
 * `ignoreBackoff` (Redis just came back: whatever failed while it was away is due now).
 */
export async function pendingFollowUps(
  db: Executor,
  options: { now: Date; createdBefore: Date; ignoreBackoff: boolean; afterId: number; limit: number },
): Promise<OutboxEntry[]> {
  return db
    .select(entryColumns)
    .from(outbox)
    .where(
      and(
        isNull(outbox.doneAt),
        gt(outbox.id, options.afterId),
        lte(outbox.createdAt, options.createdBefore),
        options.ignoreBackoff ? undefined : lte(outbox.nextAttemptAt, options.now),
      ),
    )
    .orderBy(asc(outbox.id))
    .limit(options.limit);
}

export async function markFollowUpsDone(db: Executor, ids: readonly number[], at: Date): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(outbox)
    .set({ doneAt: at })
    .where(and(inArray(outbox.id, [...ids]), isNull(outbox.doneAt)));
}

/**
 * Records a failed attempt at `at`: the row is due again at `retryAt`, or, given
 * null, never (it is closed as done, with its error kept).
 */
export async function markFollowUpFailed(
  db: Executor,
  id: number,
  error: string,
  at: Date,
  retryAt: Date | null,
): Promise<void> {
  await db
    .update(outbox)
    .set({
      attempts: sql`${outbox.attempts} + 1`,
      error: error.slice(0, 500),
      ...(retryAt ? { nextAttemptAt: retryAt } : { doneAt: at }),
    })
    .where(and(eq(outbox.id, id), isNull(outbox.doneAt)));
}

/** Deletes up to `limit` rows done before `before`; answers how many. */
export async function pruneDoneFollowUps(db: Executor, before: Date, limit: number): Promise<number> {
  const deleted = await db
    .delete(outbox)
    .where(
      inArray(
        outbox.id,
        db.select({ id: outbox.id }).from(outbox).where(lte(outbox.doneAt, before)).limit(limit),
      ),
    )
    .returning({ id: outbox.id });
  return deleted.length;
}
