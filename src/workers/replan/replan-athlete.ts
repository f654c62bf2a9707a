import { randomUUID } from "node:crypto";
import { UnrecoverableError } from "bullmq";
import { type Athlete, getAthlete } from "../../db/repos/athletes.ts";
import {
  insertPlanVersionOn,
  latestPlan,
  type StoredPlan,
  type StoredSession,
  saveDayClassifications,
  unpublishedVersions,
} from "../../db/repos/plans.ts";
import { setSettingIfAbsent } from "../../db/repos/settings.ts";
import { type PlanContext, planContextOf } from "../../domain/plan/context.ts";
import { diffPlans } from "../../domain/plan/diff.ts";
import type { PlanOutput } from "../../domain/plan/input.ts";
import { planWithContext } from "../../domain/plan/plan.ts";
import { readStoredSettings } from "../../domain/settings.ts";
import { localDate } from "../../domain/time.ts";
import type { PlanWindow } from "../../plan/build-input.ts";
import type { ReplanCause } from "../../plan/cause.ts";
import { loadPlanInput } from "../../plan/load-input.ts";
import { sameSession, sessionRef } from "../../plan/stored-session.ts";
import { ensureRollForward } from "../athlete-schedules.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import type { JobPayload } from "../jobs.ts";
import { enqueue, type Queues, rowJobId } from "../queues.ts";

/** `plan-changed-<install id>-<plan version id>`: one hand-over per stored version. */
export function planChangedJobId(queues: Pick<Queues, "installId">, planVersionId: number): string {
  return rowJobId(queues, "plan-changed", planVersionId);
}

/**
 * An athlete new to lifting gets four weeks of light, form-learning sessions
 * counted from `liftingSince`. Without a stored date the planner would count
 * from each re-plan's window and the light weeks would never end: the first
 * re-plan fixes the date.
 */
async function startLiftingClock(deps: WorkerDeps, athlete: Athlete, now: Date): Promise<void> {
  const settings = readStoredSettings(athlete.settings);
  if (settings.strengthExperience !== "new" || settings.liftingSince) return;
  const today = localDate(now.getTime(), athlete.timezone);
  if (await setSettingIfAbsent(deps.db, athlete.id, "liftingSince", today)) {
    athlete.settings = { ...athlete.settings, liftingSince: today };
  }
}

export interface ReplanResult {
  changed: boolean;
  version: number | null;
  sessions: number;
  changes: number;
}

/**
 * Re-plans one athlete from what is stored: loads settings, activities and the
 * current plan; classifies and plans (pure domain); in one transaction stores the
 * day verdicts and, only when the plan changed, a new version with its cause and
 * diff; then hands each unpublished version to the plan-changed job. Running it
 * twice on the same data stores nothing the second time.
 */
export async function replanAthlete(
  payload: JobPayload<"replan-athlete">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<ReplanResult> {
  const { athlete, current, now } = await loadAthletePlan(deps, payload.athleteId);
  const { input, window } = await loadPlanInput(deps.db, athlete, current?.sessions ?? [], now);
  const planCtx = planContextOf(input);
  const output = planWithContext(planCtx);
  const next = nextPlan(current, output, planCtx);
  const result = await storePlan(deps, {
    athlete,
    current,
    now,
    window,
    output,
    planCtx,
    next,
    cause: payload.cause,
  });
  await handOverUnpublished(deps, athlete.id);
  ctx.logger.child({ athleteId: athlete.id }).info(
    {
      changed: result.changed,
      version: result.version,
      sessions: output.sessions.length,
      unplaced: output.unplaced.length,
      cause: payload.cause.type,
    },
    result.changed ? "plan changed" : "plan unchanged",
  );
  return { ...result, sessions: output.sessions.length };
}

/**
 * The athlete, their current plan and the time the re-plan plans from. Also keeps
 * the athlete's clocks in step: the form-learning start and the roll-forward.
 */
async function loadAthletePlan(deps: WorkerDeps, athleteId: number) {
  const athlete = await getAthlete(deps.db, athleteId);
  // The athlete was deleted (deauthorized) after the job was queued: nothing to plan.
  if (!athlete) throw new UnrecoverableError(`athlete ${athleteId} no longer exists`);
  const now = deps.now();
  await startLiftingClock(deps, athlete, now);
  const [current] = await Promise.all([
    latestPlan(deps.db, athlete.id),
    // A new athlete, or one whose zone changed (chosen, or adopted from an activity), gets the roll-forward at 03:30 in it.
    ensureRollForward(deps.queues, athlete),
  ]);
  return { athlete, current, now };
}

/**
 * The planner's sessions as stored sessions, continuing the current plan's (same
 * key, status and pin; the sequence up when it changed), with the sessions the
 * athlete marked done kept as they are; the diff against the current plan; and
 * whether anything changed that the athlete would see.
 */
function nextPlan(current: StoredPlan | null, output: PlanOutput, planCtx: PlanContext) {
  const previous = new Map((current?.sessions ?? []).map((s) => [s.sessionKey, s]));
  const sessions: StoredSession[] = [
    ...output.sessions.map((s) => {
      const before = s.key ? previous.get(s.key) : undefined;
      return {
        sessionKey: before?.sessionKey ?? randomUUID(),
        session: s.session,
        phase: s.phase,
        startAt: new Date(s.start),
        endAt: new Date(s.end),
        exercises: s.exercises,
        reasons: s.reasons,
        status: before?.status ?? "planned",
        pinned: before?.pinned ?? false,
        // iCalendar's SEQUENCE: calendar apps replace an event only when it rises.
        sequence: before ? before.sequence + (sameSession(before, s) ? 0 : 1) : 0,
      };
    }),
    // Sessions the athlete marked done went to the planner as strength done, not as
    // sessions to place: they stay in the plan as they are.
    ...(current?.sessions ?? []).filter((s) => s.status === "done"),
  ].sort((a, b) => a.startAt.getTime() - b.startAt.getTime());
  const diff = diffPlans((current?.sessions ?? []).map(sessionRef), sessions.map(sessionRef), planCtx);
  // Changed means something the athlete would see: a session added, moved, removed or
  // with other exercises, or a different list of what could not be placed. A reworded
  // reason alone stores nothing.
  const changed =
    !current || diff.length > 0 || JSON.stringify(current.unplaced) !== JSON.stringify(output.unplaced);
  return { sessions, diff, changed };
}

/**
 * The day verdicts, and only when the plan changed, in one transaction with them,
 * the new version on top of the version it was computed from (a version stored meanwhile
 * fails it with PlanChangedError, and the job retries on the newer plan).
 */
async function storePlan(
  deps: WorkerDeps,
  p: {
    athlete: Athlete;
    current: StoredPlan | null;
    now: Date;
    window: PlanWindow;
    output: PlanOutput;
    planCtx: PlanContext;
    next: ReturnType<typeof nextPlan>;
    cause: ReplanCause;
  },
): Promise<Omit<ReplanResult, "sessions">> {
  const { athlete, current, output, planCtx, next } = p;
  const verdicts = output.days.map((d) => ({
    date: d.date,
    kind: d.kind,
    confidence: planCtx.dayOf(d.date).confidence,
    reasons: d.reasons,
  }));
  // Most nightly re-plans change nothing: then the verdicts are the only write, one
  // statement and atomic on its own, so no BEGIN and COMMIT (two of the re-plan's
  // round trips to Postgres; bench/roll-forward.ts measured the difference).
  if (!next.changed) {
    await saveDayClassifications(deps.db, athlete.id, verdicts, p.now);
    return { changed: false, version: current?.version ?? null, changes: 0 };
  }
  return deps.db.transaction(async (tx) => {
    await saveDayClassifications(tx, athlete.id, verdicts, p.now);
    const stored = await insertPlanVersionOn(tx, current?.version ?? 0, {
      athleteId: athlete.id,
      windowFrom: p.window.from,
      windowTo: p.window.to,
      cause: p.cause,
      diff: next.diff,
      unplaced: output.unplaced,
      sessions: next.sessions,
    });
    return { changed: true, version: stored.version, changes: next.diff.length };
  });
}

/**
 * After the commit: each version not yet handed over goes to the plan-changed job.
 * A crash before this leaves the version unpublished, and the retry (or the next
 * re-plan) finds it; the job id makes a second hand-over harmless.
 */
async function handOverUnpublished(deps: WorkerDeps, athleteId: number): Promise<void> {
  for (const v of await unpublishedVersions(deps.db, athleteId)) {
    // A hand-over that failed for good is kept a week, and BullMQ ignores an add
    // under its id: remove it, so this re-plan hands the version over again.
    const earlier = await deps.queues["plan-events"].getJob(planChangedJobId(deps.queues, v.id));
    if (earlier && (await earlier.isFailed())) await earlier.remove();
    await enqueue(
      deps.queues,
      "plan-changed",
      { athleteId, planVersionId: v.id, version: v.version, changes: v.diff },
      { jobId: planChangedJobId(deps.queues, v.id) },
    );
  }
}
