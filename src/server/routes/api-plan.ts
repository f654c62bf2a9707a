// GET /api/plan: the signed-in athlete's plan for the next 14 athlete-local days
// (today included), in the output shape of `runstrong plan` (contracts/cli.md),
// plus the plan version and when it was generated.
//
// It answers from the stored plan: the version the re-plan worker last stored,
// and the day verdicts it stored with it. Each session also carries its `key`
// (the calendar UID's stem, the handle for overrides), `status`, `pinned` and
// `sequence`: optional additions the contract allows. Before the first re-plan
// has run (a minute after connecting) it plans on the fly from the same input
// the worker would use, with `version: null`. Only the session's athlete is ever
// read: Strava data is shown to its owner only.
import type { Hono } from "hono";
import { dayVerdictsBetween, latestPlan } from "../../db/repos/plans.ts";
import type { PlanOutput } from "../../domain/plan/input.ts";
import { planStrength } from "../../domain/plan/plan.ts";
import { addDays, localDate } from "../../domain/time.ts";
import { loadPlanInput } from "../../plan/load-input.ts";
import { plannedSessionOf } from "../../plan/stored-session.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
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
    const athlete = c.get("athlete");
    const now = deps.now();
    const tz = athlete.timezone;
    const today = localDate(now.getTime(), tz);
    const last = addDays(today, API_PLAN_DAYS - 1);
    const current = await latestPlan(deps.db, athlete.id);

    if (!current) {
      const { input } = await loadPlanInput(deps.db, athlete, [], now);
      return c.json({
        ...cutToDays(planStrength(input), today, last, tz),
        version: null,
        generatedAt: now.toISOString(),
      });
    }
    const days = await dayVerdictsBetween(deps.db, athlete.id, today, last);
    const plan: PlanOutput = {
      days: days.map((d) => ({
        date: d.date,
        kind: d.kind,
        reasons: d.reasons,
      })),
      sessions: current.sessions.map((s) => plannedSessionOf(s, tz)),
      unplaced: current.unplaced,
    };
    return c.json({
      ...cutToDays(plan, today, last, tz),
      version: current.version,
      generatedAt: current.createdAt.toISOString(),
    });
  });
}
