// The athlete's plan as it is shown: what GET /api/plan answers and the /plan page
// draws, read one way. It answers from the stored plan (the version the re-plan
// worker last stored and the day verdicts stored with it); before the first
// re-plan has run (a minute after connecting) it plans on the fly from the same
// input the worker would use, with `version: null` and sessions without keys.
import type { Executor } from "../db/client.ts";
import type { Athlete } from "../db/repos/athletes.ts";
import { dayVerdictsBetween, latestPlan } from "../db/repos/plans.ts";
import type { PlannedSession, PlanOutput } from "../domain/plan/input.ts";
import { planStrength } from "../domain/plan/plan.ts";
import { addDays, localDate } from "../domain/time.ts";
import { loadPlanInput } from "./load-input.ts";
import { plannedSessionOf } from "./stored-session.ts";

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

/** A session as shown: a stored one carries its key, status, pinned and sequence. */
export type ShownSession = PlannedSession &
  Partial<Pick<ReturnType<typeof plannedSessionOf>, "status" | "pinned" | "sequence">>;

export type PlanView = Omit<PlanOutput, "sessions"> & {
  sessions: ShownSession[];
  version: number | null;
  generatedAt: string;
};

/** The plan on the athlete-local dates [from, to]. */
export async function currentPlanView(
  db: Executor,
  athlete: Athlete,
  now: Date,
  from: string,
  to: string,
): Promise<PlanView> {
  const tz = athlete.timezone;
  const current = await latestPlan(db, athlete.id);
  if (!current) {
    const { input } = await loadPlanInput(db, athlete, [], now);
    return { ...cutToDays(planStrength(input), from, to, tz), version: null, generatedAt: now.toISOString() };
  }
  const days = await dayVerdictsBetween(db, athlete.id, from, to);
  const plan = {
    days: days.map((d) => ({ date: d.date, kind: d.kind, reasons: d.reasons })),
    sessions: current.sessions.map((s) => plannedSessionOf(s, tz)),
    unplaced: current.unplaced,
  };
  const cut = cutToDays(plan, from, to, tz);
  return {
    ...cut,
    sessions: plan.sessions.filter((s) => cut.sessions.includes(s)),
    version: current.version,
    generatedAt: current.createdAt.toISOString(),
  };
}
