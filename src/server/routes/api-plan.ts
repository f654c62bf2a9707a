// GET /api/plan: the signed-in athlete's plan for the next 14 athlete-local days
// (today included), in the output shape of `runstrong plan` (contracts/cli.md).
//
// Planned on the fly from what is stored, with the re-plan worker's own input
// builder, so the answer is what a re-plan would store right now: the athlete's
// activities around the window (their stored classifications, built at import
// against the six-week baseline), their settings and time zone, the weekly run
// template for days to come, and the stored plan's sessions as the current plan
// (the planner keeps them where the rules allow). The planner works in whole
// Monday-Sunday weeks (R6 counts per week); the answer is cut to the 14 days.
// Only the session's athlete is ever read: Strava data is shown to its owner only.
import type { Hono } from "hono";
import { getAthlete } from "../../db/repos/athletes.ts";
import { activitiesBetween } from "../../db/repos/plan-inputs.ts";
import { latestPlan } from "../../db/repos/plans.ts";
import type { PlanOutput } from "../../domain/plan/input.ts";
import { planStrength } from "../../domain/plan/plan.ts";
import { readStoredSettings } from "../../domain/settings.ts";
import { addDays, localDate } from "../../domain/time.ts";
import { activityRange, buildPlanInput, planWindow } from "../../workers/replan/build-input.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

export const API_PLAN_DAYS = 14;

/** The part of a whole-week plan that falls on the dates [from, to]. */
export function cutToDays(plan: PlanOutput, from: string, to: string, timezone: string): PlanOutput {
  const inRange = (date: string) => date >= from && date <= to;
  return {
    days: plan.days.filter((d) => inRange(d.date)),
    sessions: plan.sessions.filter((s) => inRange(localDate(Date.parse(s.start), timezone))),
    // A week is listed when any of its days is in range.
    unplaced: plan.unplaced.filter((u) => u.week <= to && addDays(u.week, 6) >= from),
  };
}

export function registerApiPlan(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/plan", requireAthlete(deps), async (c) => {
    const athleteId = c.get("athleteId");
    const athlete = await getAthlete(deps.db, athleteId);
    if (!athlete) throw new AppError("unauthorized", "sign in first: connect Strava at /auth/strava");
    const now = deps.now();
    const window = planWindow(now, athlete.timezone, API_PLAN_DAYS);
    const range = activityRange(window);
    const [activities, current] = await Promise.all([
      activitiesBetween(deps.db, athleteId, range.from, range.to),
      latestPlan(deps.db, athleteId),
    ]);
    const { input } = buildPlanInput({
      now,
      timezone: athlete.timezone,
      settings: readStoredSettings(athlete.settings),
      activities,
      currentSessions: current?.sessions ?? [],
      horizonDays: API_PLAN_DAYS,
    });
    const plan = planStrength(input);
    return c.json(cutToDays(plan, window.today, addDays(window.today, API_PLAN_DAYS - 1), athlete.timezone));
  });
}
