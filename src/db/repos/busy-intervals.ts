import { and, asc, eq, gt, lt, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { athletes, busyIntervals } from "../schema/index.ts";

export interface BusyRow {
  startAt: Date;
  endAt: Date;
}

const same = (a: readonly BusyRow[], b: readonly BusyRow[]) =>
  a.length === b.length &&
  a.every(
    (x, i) => x.startAt.getTime() === b[i]?.startAt.getTime() && x.endAt.getTime() === b[i]?.endAt.getTime(),
  );
const byTime = (a: BusyRow, b: BusyRow) =>
  a.startAt.getTime() - b.startAt.getTime() || a.endAt.getTime() - b.endAt.getTime();

/**
 * Makes the athlete's busy intervals exactly `rows`, when `feedUrl` is still the
 * athlete's busy-calendar URL (the athlete row is locked first, as for planned
 * runs, so a cleared or replaced URL either wins or waits). Returns whether they changed.
 */
export async function replaceBusyIntervals(
  db: Executor,
  athleteId: number,
  rows: readonly BusyRow[],
  at: Date,
  feedUrl: string,
): Promise<{ changed: boolean; count: number; superseded: boolean }> {
  return db.transaction(async (tx) => {
    const [athlete] = await tx
      .select({ url: sql<string | null>`${athletes.settings}->>'busyCalendarIcsUrl'` })
      .from(athletes)
      .where(eq(athletes.id, athleteId))
      .for("update");
    if (athlete?.url !== feedUrl) return { changed: false, count: 0, superseded: true };
    const next = [...rows].sort(byTime);
    const before = await tx
      .select({ startAt: busyIntervals.startAt, endAt: busyIntervals.endAt })
      .from(busyIntervals)
      .where(eq(busyIntervals.athleteId, athleteId))
      .orderBy(asc(busyIntervals.startAt), asc(busyIntervals.endAt))
      .for("update");
    if (same(before, next)) return { changed: false, count: next.length, superseded: false };
    await tx.delete(busyIntervals).where(eq(busyIntervals.athleteId, athleteId));
    if (next.length > 0)
      await tx.insert(busyIntervals).values(next.map((r) => ({ ...r, athleteId, importedAt: at })));
    return { changed: true, count: next.length, superseded: false };
  });
}

export async function deleteBusyIntervals(db: Executor, athleteId: number): Promise<number> {
  const rows = await db
    .delete(busyIntervals)
    .where(eq(busyIntervals.athleteId, athleteId))
    .returning({ id: busyIntervals.id });
  return rows.length;
}

/** The athlete's busy intervals that overlap [from, to), in time order. */
export async function busyIntervalsBetween(
  db: Executor,
  athleteId: number,
  from: Date,
  to: Date,
): Promise<BusyRow[]> {
  return db
    .select({ startAt: busyIntervals.startAt, endAt: busyIntervals.endAt })
    .from(busyIntervals)
    .where(
      and(
        eq(busyIntervals.athleteId, athleteId),
        lt(busyIntervals.startAt, to),
        gt(busyIntervals.endAt, from),
      ),
    )
    .orderBy(asc(busyIntervals.startAt), asc(busyIntervals.endAt));
}
