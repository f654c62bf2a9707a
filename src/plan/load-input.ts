import type { Executor } from "../db/client.ts";
import type { Athlete } from "../db/repos/athletes.ts";
import { busyIntervalsBetween } from "../db/repos/busy-intervals.ts";
import { activitiesBetween } from "../db/repos/plan-inputs.ts";
import { plannedRunsBetween } from "../db/repos/planned-runs.ts";
import type { StoredSession } from "../db/repos/plans.ts";
import { strengthLogsOf } from "../db/repos/strength-logs.ts";
import type { PlanInput } from "../domain/plan/input.ts";
import { readStoredSettings } from "../domain/settings.ts";
import { addDays } from "../domain/time.ts";
import { activityRange, buildPlanInput, type PlanWindow, planWindow } from "./build-input.ts";

export const PLAN_HORIZON_DAYS = 14;
/**
 * How far back the strength log is read: a year holds every progression and
 * one-rep-max estimate that still matters (gains fade after 4-6 weeks off).
 */
export const STRENGTH_LOG_DAYS = 366;

/**
 * The planner input for an athlete as of `now`, from what is stored. The re-plan
 * worker, an override's rule check and GET /api/plan all start here, so they can
 * never judge the same week differently.
 */
export async function loadPlanInput(
  db: Executor,
  athlete: Athlete,
  currentSessions: readonly StoredSession[],
  now: Date,
): Promise<{ input: PlanInput; window: PlanWindow }> {
  const window = planWindow(now, athlete.timezone, PLAN_HORIZON_DAYS);
  const range = activityRange(window);
  const [activities, plannedRuns, logs, busy] = await Promise.all([
    activitiesBetween(db, athlete.id, range.from, range.to),
    plannedRunsBetween(db, athlete.id, range.from, range.to),
    strengthLogsOf(db, athlete.id, { from: addDays(window.today, -STRENGTH_LOG_DAYS) }),
    busyIntervalsBetween(db, athlete.id, range.from, range.to),
  ]);
  return buildPlanInput({
    now,
    timezone: athlete.timezone,
    settings: readStoredSettings(athlete.settings),
    activities,
    currentSessions: [...currentSessions],
    horizonDays: PLAN_HORIZON_DAYS,
    plannedRuns,
    strengthLog: logs.map((l) => ({
      date: l.date,
      ...(l.session ? { session: l.session } : {}),
      exercises: l.exercises,
    })),
    busy,
  });
}
