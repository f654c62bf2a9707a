import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { athletes, plannedRuns } from "../schema/index.ts";

/** Where planned runs come from; one import replaces all of an athlete's rows of its source. */
export type PlannedRunSource = "ics";

export interface NewPlannedRun {
  uid: string;
  startAt: Date;
  durationMin: number;
  title: string;
}

export interface StoredPlannedRun {
  startAt: Date;
  durationMin: number;
  title: string;
}

const same = (a: NewPlannedRun, b: NewPlannedRun) =>
  a.uid === b.uid &&
  a.startAt.getTime() === b.startAt.getTime() &&
  a.durationMin === b.durationMin &&
  a.title === b.title;

/**
 * Makes the athlete's planned runs of `source` exactly `runs`, in one transaction
 * (joining the caller's), when `feedUrl` (the URL the runs were read from) is
 * still the athlete's running-plan URL. The athlete's row is locked first, so a
 * settings change that clears or replaces the URL either happened before (and
 * this stores nothing: `superseded`) or waits for this and then removes the runs.
 * Returns whether anything changed, so an import that finds the same plan asks
 * for no re-plan.
 */
export async function replacePlannedRuns(
  db: Executor,
  athleteId: number,
  source: PlannedRunSource,
  runs: readonly NewPlannedRun[],
  at: Date,
  feedUrl: string,
): Promise<{ changed: boolean; count: number; superseded: boolean }> {
  return db.transaction(async (tx) => {
    const [athlete] = await tx
      .select({ url: sql<string | null>`${athletes.settings}->>'runningPlanIcsUrl'` })
      .from(athletes)
      .where(eq(athletes.id, athleteId))
      .for("update");
    if (athlete?.url !== feedUrl) return { changed: false, count: 0, superseded: true };
    const where = and(eq(plannedRuns.athleteId, athleteId), eq(plannedRuns.source, source));
    const before = await tx
      .select({
        uid: plannedRuns.uid,
        startAt: plannedRuns.startAt,
        durationMin: plannedRuns.durationMin,
        title: plannedRuns.title,
      })
      .from(plannedRuns)
      .where(where)
      .for("update");
    const byUid = new Map(before.map((r) => [r.uid, r]));
    const unchanged =
      before.length === runs.length &&
      runs.every((r) => {
        const old = byUid.get(r.uid);
        return old !== undefined && same(old, r);
      });
    if (unchanged) return { changed: false, count: runs.length, superseded: false };
    await tx.delete(plannedRuns).where(where);
    if (runs.length > 0) {
      await tx.insert(plannedRuns).values(runs.map((r) => ({ ...r, athleteId, source, importedAt: at })));
    }
    return { changed: true, count: runs.length, superseded: false };
  });
}

export async function deletePlannedRuns(
  db: Executor,
  athleteId: number,
  source: PlannedRunSource,
): Promise<number> {
  const rows = await db
    .delete(plannedRuns)
    .where(and(eq(plannedRuns.athleteId, athleteId), eq(plannedRuns.source, source)))
    .returning({ id: plannedRuns.id });
  return rows.length;
}

/** The athlete's planned runs (every source) starting in [from, to), in time order. */
export async function plannedRunsBetween(
  db: Executor,
  athleteId: number,
  from: Date,
  to: Date,
): Promise<StoredPlannedRun[]> {
  return db
    .select({ startAt: plannedRuns.startAt, durationMin: plannedRuns.durationMin, title: plannedRuns.title })
    .from(plannedRuns)
    .where(
      and(eq(plannedRuns.athleteId, athleteId), gte(plannedRuns.startAt, from), lt(plannedRuns.startAt, to)),
    )
    .orderBy(asc(plannedRuns.startAt), asc(plannedRuns.id));
}
