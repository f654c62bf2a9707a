// Garmin notifications into the webhook_events inbox, before they are answered.
import { and, eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { webhookEvents } from "../schema/index.ts";
import type { InboxStatus } from "./webhook-inbox.ts";

export interface GarminInboxInput {
  dedupeKey: string;
  userId: string;
  objectType: string;
  objectId: string | null;
  aspectType: string;
  payload: unknown;
}

export type GarminInboxOutcome =
  | { kind: "stored"; id: number }
  | { kind: "duplicate"; id: number; status: InboxStatus }
  | { kind: "unknown_user" };

/**
 * Stores a notification's items in one statement: only items of a user with a
 * Garmin connection are inserted (an unknown user's cost nothing and are stored
 * nowhere), repeats land on the row they made before. The dedupe key is the
 * item's own plus the connection's identity (its id and when it was made), so a
 * deregistration or a permission change repeated for a later connection of the
 * same user is a new event, not a duplicate of one already handled.
 */
export async function storeGarminEvents(
  db: Executor,
  items: readonly GarminInboxInput[],
): Promise<GarminInboxOutcome[]> {
  if (items.length === 0) return [];
  const input = JSON.stringify(
    items.map((e, idx) => ({
      idx,
      dedupe_key: e.dedupeKey,
      user_id: e.userId,
      object_type: e.objectType,
      object_id: e.objectId,
      aspect_type: e.aspectType,
      payload: e.payload,
    })),
  );
  const rows = (await db.execute(sql`
    with input as (
      select i.*, c.id as connection_id,
             i.dedupe_key || ':' || c.id || '-' || floor(extract(epoch from c.connected_at))::bigint as key
      from jsonb_to_recordset(${input}::jsonb) as i(
        idx int, dedupe_key text, user_id text, object_type text, object_id text,
        aspect_type text, payload jsonb)
      left join provider_connections c
        on c.provider = 'garmin' and c.external_athlete_id = i.user_id
    ),
    ins as (
      insert into webhook_events
        (provider, dedupe_key, external_athlete_id, object_type, object_id, aspect_type, payload)
      select distinct on (i.key) 'garmin'::provider, i.key, i.user_id, i.object_type, i.object_id,
             i.aspect_type, i.payload
      from input i
      where i.connection_id is not null
      order by i.key, i.idx
      on conflict (provider, dedupe_key) do nothing
      returning id, dedupe_key
    )
    select i.idx, ins.id::text as inserted_id, e.id::text as existing_id, e.status::text as existing_status
    from input i
    left join ins on ins.dedupe_key = i.key
    left join lateral (
      select w.id, w.status from webhook_events w
      where w.provider = 'garmin' and w.dedupe_key = i.key
      limit 1) e on true
    where i.connection_id is not null
  `)) as unknown as {
    idx: number;
    inserted_id: string | null;
    existing_id: string | null;
    existing_status: InboxStatus | null;
  }[];
  const out: GarminInboxOutcome[] = items.map(() => ({ kind: "unknown_user" }));
  for (const r of rows) {
    if (r.inserted_id !== null) out[r.idx] = { kind: "stored", id: Number(r.inserted_id) };
    else if (r.existing_id !== null && r.existing_status !== null)
      out[r.idx] = { kind: "duplicate", id: Number(r.existing_id), status: r.existing_status };
  }
  return out;
}

/** Every stored event of one Garmin user: they hold Garmin data, so a deregistration removes them. */
export async function deleteGarminEventsOfUser(db: Executor, userId: string): Promise<number> {
  const deleted = await db
    .delete(webhookEvents)
    .where(and(eq(webhookEvents.provider, "garmin"), eq(webhookEvents.externalAthleteId, userId)))
    .returning({ id: webhookEvents.id });
  return deleted.length;
}
