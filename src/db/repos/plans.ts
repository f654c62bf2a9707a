import { and, asc, desc, eq, gte, isNull, lte, max, sql } from "drizzle-orm";
import type { Database, Executor, Transaction } from "../client.ts";
import { dayClassifications, plannedSessions, planVersions } from "../schema/index.ts";

export interface StoredSession {
  sessionKey: string;
  session: string;
  phase: string;
  startAt: Date;
  endAt: Date;
  exercises: unknown;
  reasons: string[];
  status: string;
  pinned: boolean;
  sequence: number;
}

export interface StoredPlan {
  id: number;
  version: number;
  windowFrom: string;
  windowTo: string;
  cause: unknown;
  diff: unknown;
  unplaced: unknown;
  createdAt: Date;
  publishedAt: Date | null;
  sessions: StoredSession[];
}

const sessionColumns = {
  sessionKey: plannedSessions.sessionKey,
  session: plannedSessions.session,
  phase: plannedSessions.phase,
  startAt: plannedSessions.startAt,
  endAt: plannedSessions.endAt,
  exercises: plannedSessions.exercises,
  reasons: plannedSessions.reasons,
  status: plannedSessions.status,
  pinned: plannedSessions.pinned,
  sequence: plannedSessions.sequence,
};

/** The athlete's newest plan version with its sessions in time order, or null before the first plan. */
export async function latestPlan(db: Executor, athleteId: number): Promise<StoredPlan | null> {
  const [version] = await db
    .select()
    .from(planVersions)
    .where(eq(planVersions.athleteId, athleteId))
    .orderBy(desc(planVersions.version))
    .limit(1);
  if (!version) return null;
  const sessions = await db
    .select(sessionColumns)
    .from(plannedSessions)
    .where(eq(plannedSessions.planVersionId, version.id))
    .orderBy(asc(plannedSessions.startAt));
  return { ...version, sessions };
}

export interface NewPlanVersion {
  athleteId: number;
  windowFrom: string;
  windowTo: string;
  cause: unknown;
  diff: unknown;
  unplaced: unknown;
  sessions: StoredSession[];
}

/**
 * Stores the next version. The (athlete, version) unique key makes two re-plans
 * racing for one athlete store one version; the loser's transaction fails and
 * its job retries on the newer plan. Only through insertPlanVersionOn, under its lock.
 */
async function insertPlanVersion(
  tx: Transaction,
  plan: NewPlanVersion,
): Promise<{ id: number; version: number }> {
  const [row] = await tx
    .insert(planVersions)
    .values({
      athleteId: plan.athleteId,
      version: sql`(select coalesce(max(${planVersions.version}), 0) + 1 from ${planVersions} where ${planVersions.athleteId} = ${plan.athleteId})`,
      windowFrom: plan.windowFrom,
      windowTo: plan.windowTo,
      cause: plan.cause,
      diff: plan.diff,
      unplaced: plan.unplaced,
    })
    .returning({ id: planVersions.id, version: planVersions.version });
  if (!row) throw new Error("plan version insert returned nothing");
  if (plan.sessions.length > 0) {
    await tx
      .insert(plannedSessions)
      .values(plan.sessions.map((s) => ({ ...s, planVersionId: row.id, athleteId: plan.athleteId })));
  }
  return row;
}

/** The plan moved on (a re-plan or an override stored a version) since the version a change was computed from. */
export class PlanChangedError extends Error {
  override name = "PlanChangedError";
}

// Any fixed number, shared by every writer of plan versions: with the athlete id
// it makes one lock per athlete.
const PLAN_WRITE_LOCK = 7_406;

/**
 * Stores the next version only on top of `basedOnVersion` (0 before the first),
 * under a per-athlete lock held to the end of the transaction: a re-plan and an
 * override racing cannot overwrite each other's version with a copy of the older
 * plan; the loser gets PlanChangedError and computes again on the newer plan.
 * A transaction only: outside one the lock would end with the statement that took it.
 */
export async function insertPlanVersionOn(
  tx: Transaction,
  basedOnVersion: number,
  plan: NewPlanVersion,
): Promise<{ id: number; version: number }> {
  await tx.execute(sql`select pg_advisory_xact_lock(${PLAN_WRITE_LOCK}, ${plan.athleteId}::int)`);
  const [row] = await tx
    .select({ version: max(planVersions.version) })
    .from(planVersions)
    .where(eq(planVersions.athleteId, plan.athleteId));
  if ((row?.version ?? 0) !== basedOnVersion) throw new PlanChangedError("the plan changed meanwhile");
  return insertPlanVersion(tx, plan);
}

export async function markPublished(db: Executor, planVersionId: number, at: Date): Promise<void> {
  await db.update(planVersions).set({ publishedAt: at }).where(eq(planVersions.id, planVersionId));
}

/** Versions stored but not yet handed on (a crash between commit and enqueue leaves one behind). */
export async function unpublishedVersions(
  db: Executor,
  athleteId: number,
): Promise<{ id: number; version: number; diff: unknown }[]> {
  return db
    .select({ id: planVersions.id, version: planVersions.version, diff: planVersions.diff })
    .from(planVersions)
    .where(and(eq(planVersions.athleteId, athleteId), isNull(planVersions.publishedAt)))
    .orderBy(asc(planVersions.version));
}

export async function planVersionById(db: Database, id: number) {
  const [row] = await db.select().from(planVersions).where(eq(planVersions.id, id));
  return row ?? null;
}

export async function planHistory(db: Executor, athleteId: number, limit: number) {
  return db
    .select({
      version: planVersions.version,
      createdAt: planVersions.createdAt,
      windowFrom: planVersions.windowFrom,
      windowTo: planVersions.windowTo,
      cause: planVersions.cause,
      diff: planVersions.diff,
    })
    .from(planVersions)
    .where(eq(planVersions.athleteId, athleteId))
    .orderBy(desc(planVersions.version))
    .limit(limit);
}

export interface DayVerdict {
  date: string;
  kind: string;
  confidence: number;
  reasons: string[];
}

export async function saveDayClassifications(
  tx: Executor,
  athleteId: number,
  days: DayVerdict[],
  at: Date,
): Promise<void> {
  if (days.length === 0) return;
  await tx
    .insert(dayClassifications)
    .values(days.map((d) => ({ athleteId, ...d, computedAt: at })))
    .onConflictDoUpdate({
      target: [dayClassifications.athleteId, dayClassifications.date],
      set: {
        kind: sql`excluded.kind`,
        confidence: sql`excluded.confidence`,
        reasons: sql`excluded.reasons`,
        computedAt: sql`excluded.computed_at`,
      },
    });
}

/** The stored day verdicts for [from, to] (athlete-local dates), in date order. */
export async function dayVerdictsBetween(
  db: Executor,
  athleteId: number,
  from: string,
  to: string,
): Promise<DayVerdict[]> {
  return db
    .select({
      date: dayClassifications.date,
      kind: dayClassifications.kind,
      confidence: dayClassifications.confidence,
      reasons: dayClassifications.reasons,
    })
    .from(dayClassifications)
    .where(
      and(
        eq(dayClassifications.athleteId, athleteId),
        gte(dayClassifications.date, from),
        lte(dayClassifications.date, to),
      ),
    )
    .orderBy(asc(dayClassifications.date));
}
