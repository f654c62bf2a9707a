// One run, one record. The same run arriving from Strava and from Garmin (starts
// within 2 minutes, duration and distance within 10 %) is stored once: the richer
// record is the `activities` row, the other source's copy is kept in
// `activity_links` under its own id. Deleting the run at one source removes only
// that source's copy: when it was the row's, the other copy takes the row over
// (same row id, so the athlete's override and everything keyed by it stay).
import { and, eq, gte, lte, ne, sql } from "drizzle-orm";
import type { Activity } from "../../domain/activity.ts";
import type { Classification } from "../../domain/classify/types.ts";
import type { Executor } from "../client.ts";
import { activities, activityLinks } from "../schema/index.ts";
import {
  type ActivityRow,
  activityValues,
  athleteHasActivity,
  deleteActivityByExternal,
  type UpsertActivity,
  upsertActivity,
} from "./activities.ts";
import type { Provider } from "./connections.ts";

export const SAME_RUN_START_S = 120;
export const SAME_RUN_TOLERANCE = 0.1;

/** What a linked copy keeps: enough to take the row over. */
interface LinkedRecord {
  activity: Activity;
  classification: Pick<Classification, "kind" | "subtype" | "confidence" | "reasons">;
}

/**
 * How much a record tells the classifier: laps and samples (structure), heart
 * rate (intensity), the source's own label (race, long run, workout), the
 * athlete's effort numbers. Strava's detailed activity usually beats Garmin's
 * summary (no laps); Garmin's wins when it carries heart rate Strava lacks.
 */
export function richness(a: Activity): number {
  return (
    (a.laps.length > 0 ? 8 : 0) +
    (a.samples ? 8 : 0) +
    (a.avgHr !== null ? 4 : 0) +
    (a.maxHr !== null ? 1 : 0) +
    (a.sourceLabel !== null ? 2 : 0) +
    (a.trainingEffect ? 1 : 0) +
    (a.sufferScore != null ? 1 : 0) +
    (a.perceivedExertion != null ? 1 : 0) +
    (a.distanceM > 0 ? 1 : 0) +
    (a.name.trim() !== "" ? 1 : 0)
  );
}

function within(a: number, b: number): boolean {
  const big = Math.max(Math.abs(a), Math.abs(b));
  return big === 0 || Math.abs(a - b) <= SAME_RUN_TOLERANCE * big;
}

/** The same run recorded twice: starts within 2 minutes, duration and distance within 10 %. */
export function sameRun(a: Activity, b: Activity): boolean {
  if (a.sport !== b.sport) return false;
  if (Math.abs(Date.parse(a.start) - Date.parse(b.start)) > SAME_RUN_START_S * 1000) return false;
  const duration = within(a.movingS, b.movingS) || within(a.elapsedS, b.elapsedS);
  return duration && within(a.distanceM, b.distanceM);
}

function recordOf(row: ActivityRow): LinkedRecord {
  return {
    activity: row.summary as Activity,
    classification: {
      kind: (row.kind ?? "other") as Classification["kind"],
      subtype: row.subtype as Classification["subtype"],
      confidence: row.confidence ?? 0,
      reasons: row.reasons ?? [],
    },
  };
}

function rowValues(
  athleteId: number,
  provider: Provider,
  record: LinkedRecord,
  raw: unknown,
  at: Date | null,
) {
  const { athleteId: _a, ...values } = activityValues({
    athleteId,
    provider,
    activity: record.activity,
    classification: record.classification as Classification,
    raw,
    rawFetchedAt: at ?? new Date(0),
  });
  return { ...values, rawFetchedAt: at, updatedAt: sql`now()` };
}

export interface StoredOnce {
  /** the activities row that stands for this run */
  id: number;
  created: boolean;
  /** stored as a linked copy of a run another source sent, or took that run's row over */
  linked: boolean;
}

/**
 * Stores an activity once per run: an update of a record already stored (as a row
 * or as a linked copy), a copy linked to the same run from the other source (the
 * richer of the two becomes the row), or a new row. Serialized per athlete, so a
 * Strava and a Garmin import of one run arriving together cannot both insert.
 */
export async function storeActivityOnce(db: Executor, p: UpsertActivity): Promise<StoredOnce> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`activities:${p.athleteId}`}))`);
    const mine: LinkedRecord = { activity: p.activity, classification: p.classification };

    const [own] = await tx
      .select({ id: activities.id })
      .from(activities)
      .where(and(eq(activities.provider, p.provider), eq(activities.externalId, p.activity.id)));
    if (own) return { ...(await upsertActivity(tx, p)), linked: false };

    const [link] = await tx
      .select()
      .from(activityLinks)
      .where(and(eq(activityLinks.provider, p.provider), eq(activityLinks.externalId, p.activity.id)));
    if (link) {
      const [row] = await tx
        .select()
        .from(activities)
        .where(eq(activities.id, link.activityId))
        .for("update");
      if (row && richness(p.activity) > richness(row.summary as Activity)) {
        await swap(tx, row, link.id, p);
      } else {
        await tx.update(activityLinks).set({ record: mine }).where(eq(activityLinks.id, link.id));
      }
      return { id: link.activityId, created: false, linked: true };
    }

    const start = Date.parse(p.activity.start);
    const candidates = await tx
      .select()
      .from(activities)
      .where(
        and(
          eq(activities.athleteId, p.athleteId),
          ne(activities.provider, p.provider),
          eq(activities.sport, p.activity.sport),
          gte(activities.startAt, new Date(start - SAME_RUN_START_S * 1000)),
          lte(activities.startAt, new Date(start + SAME_RUN_START_S * 1000)),
        ),
      )
      .for("update");
    const taken = new Set(
      (
        await tx
          .select({ activityId: activityLinks.activityId })
          .from(activityLinks)
          .where(and(eq(activityLinks.athleteId, p.athleteId), eq(activityLinks.provider, p.provider)))
      ).map((l) => l.activityId),
    );
    const match = candidates
      .filter((c) => !taken.has(c.id) && sameRun(c.summary as Activity, p.activity))
      .sort((a, b) => Math.abs(a.startAt.getTime() - start) - Math.abs(b.startAt.getTime() - start))[0];
    if (!match) return { ...(await upsertActivity(tx, p)), linked: false };

    if (richness(p.activity) > richness(match.summary as Activity)) {
      await swap(tx, match, null, p);
    } else {
      await tx.insert(activityLinks).values({
        activityId: match.id,
        athleteId: p.athleteId,
        provider: p.provider,
        externalId: p.activity.id,
        record: mine,
      });
    }
    return { id: match.id, created: false, linked: true };
  });
}

/** The new record takes the row; the row's record becomes the linked copy (replacing `linkId` when it was one). */
async function swap(tx: Executor, row: ActivityRow, linkId: number | null, p: UpsertActivity): Promise<void> {
  if (linkId !== null) await tx.delete(activityLinks).where(eq(activityLinks.id, linkId));
  await tx
    .update(activities)
    .set(
      rowValues(
        p.athleteId,
        p.provider,
        { activity: p.activity, classification: p.classification },
        p.raw,
        p.rawFetchedAt,
      ),
    )
    .where(eq(activities.id, row.id));
  await tx.insert(activityLinks).values({
    activityId: row.id,
    athleteId: row.athleteId,
    provider: row.provider,
    externalId: row.externalId,
    record: recordOf(row),
  });
}

/**
 * Lets go of one source's records of an athlete (all of them, or the one with
 * `externalId`) before they are deleted: its linked copies are removed, and each
 * of its rows that another source also sent is taken over by that source's copy,
 * so the delete that follows leaves the other source's run in place. Returns the
 * ids of the rows taken over.
 */
export async function releaseSourceRecords(
  tx: Executor,
  athleteId: number,
  provider: Provider,
  externalId?: string,
): Promise<number[]> {
  const one = externalId === undefined ? undefined : eq(activityLinks.externalId, externalId);
  await tx
    .delete(activityLinks)
    .where(and(eq(activityLinks.athleteId, athleteId), eq(activityLinks.provider, provider), one));
  const rows = await tx
    .select({ row: activities, link: activityLinks })
    .from(activities)
    .innerJoin(activityLinks, eq(activityLinks.activityId, activities.id))
    .where(
      and(
        eq(activities.athleteId, athleteId),
        eq(activities.provider, provider),
        externalId === undefined ? undefined : eq(activities.externalId, externalId),
      ),
    )
    .for("update");
  const promoted: number[] = [];
  for (const { row, link } of rows) {
    if (promoted.includes(row.id)) continue;
    await tx.delete(activityLinks).where(eq(activityLinks.id, link.id));
    // The copy's raw payload was never kept: only the normalized record was.
    await tx
      .update(activities)
      .set(rowValues(athleteId, link.provider, link.record as LinkedRecord, null, null))
      .where(eq(activities.id, row.id));
    promoted.push(row.id);
  }
  return promoted;
}

/** Whether the athlete holds this source's record of an activity, as a row or as a linked copy. */
export async function athleteHasSourceRecord(
  db: Executor,
  athleteId: number,
  provider: Provider,
  externalId: string,
): Promise<boolean> {
  if (await athleteHasActivity(db, athleteId, provider, externalId)) return true;
  const [link] = await db
    .select({ id: activityLinks.id })
    .from(activityLinks)
    .where(
      and(
        eq(activityLinks.athleteId, athleteId),
        eq(activityLinks.provider, provider),
        eq(activityLinks.externalId, externalId),
      ),
    );
  return link !== undefined;
}

/**
 * Deletes one source's record of an activity: a linked copy goes alone, a row the
 * other source also sent is taken over by that copy, any other row is deleted.
 * Scoped to the athlete (events are unsigned). Returns whose it was, or null.
 */
export async function deleteSourceRecord(
  db: Executor,
  athleteId: number,
  provider: Provider,
  externalId: string,
): Promise<{ athleteId: number } | null> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`activities:${athleteId}`}))`);
    const had = await athleteHasSourceRecord(tx, athleteId, provider, externalId);
    if (!had) return null;
    await releaseSourceRecords(tx, athleteId, provider, externalId);
    await deleteActivityByExternal(tx, athleteId, provider, externalId);
    return { athleteId };
  });
}
