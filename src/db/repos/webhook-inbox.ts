import { and, eq, gt, inArray, lt, lte, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { webhookEvents } from "../schema/index.ts";

export type InboxEvent = typeof webhookEvents.$inferSelect;
export type InboxStatus = InboxEvent["status"];

/** Deletes events that are done with (processed or ignored) and older than `before`. */
export async function pruneHandledEvents(db: Executor, before: Date): Promise<number> {
  const deleted = await db
    .delete(webhookEvents)
    .where(and(inArray(webhookEvents.status, ["processed", "ignored"]), lt(webhookEvents.receivedAt, before)))
    .returning({ id: webhookEvents.id });
  return deleted.length;
}

/** One Strava event as the webhook route hands it over, already validated. */
export interface StravaInboxInput {
  dedupeKey: string;
  ownerId: string;
  objectType: string;
  objectId: string;
  aspectType: string;
  /** epoch seconds, as Strava sends it */
  eventTime: number;
  payload: unknown;
}

/**
 * What became of each input, in input order: `stored` (a new row), `duplicate`
 * (a row with this identity exists; its status says whether it still needs work)
 * or `unknown_athlete` (the owner is no connected athlete: nothing stored).
 */
export type StravaInboxOutcome =
  | { kind: "stored"; id: number }
  | { kind: "duplicate"; id: number; status: InboxStatus }
  | { kind: "unknown_athlete" };

/**
 * Stores a batch of Strava events in one statement, one round trip: rows whose
 * owner is a connected athlete are inserted, repeats of an event already stored
 * are skipped by the (provider, dedupe_key) key, and each input learns its fate.
 * The existing-row lookup sees the table as it was before this statement, so a
 * key repeated inside the batch reports `stored` for each of its copies.
 */
export async function storeStravaEvents(
  db: Executor,
  events: readonly StravaInboxInput[],
): Promise<StravaInboxOutcome[]> {
  if (events.length === 0) return [];
  const input = JSON.stringify(
    events.map((e, idx) => ({
      idx,
      dedupe_key: e.dedupeKey,
      owner_id: e.ownerId,
      object_type: e.objectType,
      object_id: e.objectId,
      aspect_type: e.aspectType,
      event_time: e.eventTime,
      payload: e.payload,
    })),
  );
  const rows = (await db.execute(sql`
    with input as (
      select * from jsonb_to_recordset(${input}::jsonb) as i(
        idx int, dedupe_key text, owner_id text, object_type text, object_id text,
        aspect_type text, event_time bigint, payload jsonb)
    ),
    ins as (
      insert into webhook_events
        (provider, dedupe_key, external_athlete_id, object_type, object_id, aspect_type, event_time, payload)
      select 'strava', i.dedupe_key, i.owner_id, i.object_type, i.object_id, i.aspect_type,
             to_timestamp(i.event_time), i.payload
      from input i
      cross join lateral (
        select 1 from provider_connections c
        where c.provider = 'strava' and c.external_athlete_id = i.owner_id
        limit 1) connected
      on conflict (provider, dedupe_key) do nothing
      returning id, dedupe_key
    )
    select i.idx, ins.id::text as inserted_id, e.id::text as existing_id, e.status::text as existing_status
    from input i
    left join ins on ins.dedupe_key = i.dedupe_key
    left join lateral (
      select w.id, w.status from webhook_events w
      where w.provider = 'strava' and w.dedupe_key = i.dedupe_key
      limit 1) e on true
  `)) as unknown as {
    idx: number;
    inserted_id: string | null;
    existing_id: string | null;
    existing_status: InboxStatus | null;
  }[];
  const out: StravaInboxOutcome[] = events.map(() => ({ kind: "unknown_athlete" }));
  for (const r of rows) {
    if (r.inserted_id !== null) out[r.idx] = { kind: "stored", id: Number(r.inserted_id) };
    else if (r.existing_id !== null && r.existing_status !== null)
      out[r.idx] = { kind: "duplicate", id: Number(r.existing_id), status: r.existing_status };
  }
  return out;
}

/** A stored event (Strava's or Garmin's) still waiting to be handled, as the inbox sweep sees it. */
export interface PendingInboxEvent {
  id: number;
  /** tries so far: 404 waits, re-queues by the sweep */
  attempts: number;
}

/**
 * One provider's events stored before `before` and still "received", oldest
 * (lowest id) first, from just after `afterId` up to `throughId`: the sweep pages
 * through them with a cursor, so rows that stay stuck cannot hide the ones behind them.
 */
export async function pendingInboxEvents(
  db: Executor,
  o: { provider: InboxEvent["provider"]; before: Date; afterId: number; throughId?: number; limit: number },
): Promise<PendingInboxEvent[]> {
  return db
    .select({ id: webhookEvents.id, attempts: webhookEvents.attempts })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.provider, o.provider),
        eq(webhookEvents.status, "received"),
        lt(webhookEvents.receivedAt, o.before),
        gt(webhookEvents.id, o.afterId),
        o.throughId === undefined ? undefined : lte(webhookEvents.id, o.throughId),
      ),
    )
    .orderBy(webhookEvents.id)
    .limit(o.limit);
}

/** Counts one more try of events the sweep queued again, and why; rows handled meanwhile are left alone. */
export async function countInboxRequeue(db: Executor, ids: readonly number[], note: string): Promise<void> {
  if (ids.length === 0) return;
  await db
    .update(webhookEvents)
    .set({ attempts: sql`${webhookEvents.attempts} + 1`, error: note })
    .where(and(inArray(webhookEvents.id, [...ids]), eq(webhookEvents.status, "received")));
}

/** Ends a still-"received" event as failed, with why (an event the sweep gives up on). */
export async function giveUpInboxEvent(db: Executor, id: number, note: string): Promise<boolean> {
  const updated = await db
    .update(webhookEvents)
    .set({ status: "failed", error: note, processedAt: sql`now()` })
    .where(and(eq(webhookEvents.id, id), eq(webhookEvents.status, "received")))
    .returning({ id: webhookEvents.id });
  return updated.length > 0;
}

export async function getInboxEvent(db: Executor, id: number): Promise<InboxEvent | null> {
  const [row] = await db.select().from(webhookEvents).where(eq(webhookEvents.id, id));
  return row ?? null;
}

/** Records how an event ended: processed, ignored (with why) or failed (with the error). */
export async function finishInboxEvent(
  db: Executor,
  id: number,
  status: Exclude<InboxStatus, "received">,
  note: string | null = null,
): Promise<void> {
  await db
    .update(webhookEvents)
    .set({
      status,
      error: note,
      processedAt: sql`now()`,
      attempts: sql`${webhookEvents.attempts} + 1`,
    })
    .where(eq(webhookEvents.id, id));
}

/** Counts one more try that is going to wait (a 404 of a just-uploaded activity); returns the count. */
export async function countInboxAttempt(db: Executor, id: number, note: string): Promise<number> {
  const [row] = await db
    .update(webhookEvents)
    .set({ attempts: sql`${webhookEvents.attempts} + 1`, error: note })
    .where(eq(webhookEvents.id, id))
    .returning({ attempts: webhookEvents.attempts });
  return row?.attempts ?? 0;
}

/** Every stored event of one Strava athlete: they hold Strava-derived ids, so deauthorization removes them. */
export async function deleteStravaEventsOfOwner(db: Executor, ownerId: string): Promise<number> {
  const deleted = await db
    .delete(webhookEvents)
    .where(and(eq(webhookEvents.provider, "strava"), eq(webhookEvents.externalAthleteId, ownerId)))
    .returning({ id: webhookEvents.id });
  return deleted.length;
}
