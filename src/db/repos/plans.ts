import { and, asc, desc, eq, gte, isNull, lte, max, sql } from "drizzle-orm";
import type { DayKind } from "../../domain/classify/types.ts";
import type { Exercise, Phase, SessionLetter, UnplacedSession } from "../../domain/plan/input.ts";
import type { Database, Executor, Transaction } from "../client.ts";
import {
  dayKind,
  exercises,
  phase,
  readColumn,
  reasons,
  type SessionStatus,
  type StoredCause,
  type StoredChange,
  sessionLetter,
  sessionStatus,
  storedCause,
  storedChanges,
  unplaced,
} from "../columns.ts";
import { dayClassifications, plannedSessions, planVersions } from "../schema/index.ts";

export interface StoredSession {
  sessionKey: string;
  session: SessionLetter;
  phase: Phase;
  startAt: Date;
  endAt: Date;
  exercises: Exercise[];
  reasons: string[];
  status: SessionStatus;
  pinned: boolean;
  sequence: number;
}

export interface StoredPlan {
  id: number;
  version: number;
  windowFrom: string;
  windowTo: string;
  cause: StoredCause;
  diff: StoredChange[];
  unplaced: UnplacedSession[];
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

function readSession(row: StoredSession): StoredSession {
  const at = (column: string) => ({ table: "planned_sessions", column, row: row.sessionKey });
  return {
    ...row,
    session: readColumn(sessionLetter, row.session, at("session")),
    phase: readColumn(phase, row.phase, at("phase")),
    exercises: readColumn(exercises, row.exercises, at("exercises")),
    reasons: readColumn(reasons, row.reasons, at("reasons")),
    status: readColumn(sessionStatus, row.status, at("status")),
  };
}

const versionColumn = (row: { id: number }, column: string) => ({
  table: "plan_versions",
  column,
  row: row.id,
});
const readCause = (row: { id: number; cause: unknown }) =>
  readColumn(storedCause, row.cause, versionColumn(row, "cause"));
const readDiff = (row: { id: number; diff: unknown }) =>
  readColumn(storedChanges, row.diff, versionColumn(row, "diff"));
const readUnplaced = (row: { id: number; unplaced: unknown }) =>
  readColumn(unplaced, row.unplaced, versionColumn(row, "unplaced"));

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
  return {
    ...version,
    cause: readCause(version),
    diff: readDiff(version),
    unplaced: readUnplaced(version),
    sessions: sessions.map(readSession),
  };
}

export interface NewPlanVersion {
  athleteId: number;
  windowFrom: string;
  windowTo: string;
  cause: StoredCause;
  diff: StoredChange[];
  unplaced: UnplacedSession[];
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
): Promise<{ id: number; version: number; diff: StoredChange[] }[]> {
  const rows = await db
    .select({ id: planVersions.id, version: planVersions.version, diff: planVersions.diff })
    .from(planVersions)
    .where(and(eq(planVersions.athleteId, athleteId), isNull(planVersions.publishedAt)))
    .orderBy(asc(planVersions.version));
  return rows.map((v) => ({ ...v, diff: readDiff(v) }));
}

export async function planVersionById(db: Database, id: number) {
  const [row] = await db.select().from(planVersions).where(eq(planVersions.id, id));
  return row ? { ...row, cause: readCause(row), diff: readDiff(row), unplaced: readUnplaced(row) } : null;
}

export async function planHistory(db: Executor, athleteId: number, limit: number) {
  const rows = await db
    .select({
      id: planVersions.id,
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
  return rows.map(({ id, ...v }) => ({ ...v, cause: readCause({ id, ...v }), diff: readDiff({ id, ...v }) }));
}

export interface DayVerdict {
  date: string;
  kind: DayKind;
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
      // A verdict that came out the same is left as it is: most of a nightly re-plan's
      // days did not change, and rewriting each row cost Postgres a new row version
      // (bench/roll-forward.ts). computed_at is when the verdict was last changed.
      setWhere: sql`(${dayClassifications.kind}, ${dayClassifications.confidence}, ${dayClassifications.reasons})
        is distinct from (excluded.kind, excluded.confidence, excluded.reasons)`,
    });
}

/** The stored day verdicts for [from, to] (athlete-local dates), in date order. */
export async function dayVerdictsBetween(
  db: Executor,
  athleteId: number,
  from: string,
  to: string,
): Promise<DayVerdict[]> {
  const rows = await db
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
  return rows.map((d) => {
    const at = (column: string) => ({ table: "day_classifications", column, row: d.date });
    return {
      ...d,
      kind: readColumn(dayKind, d.kind, at("kind")),
      reasons: readColumn(reasons, d.reasons, at("reasons")),
    };
  });
}
