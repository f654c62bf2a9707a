// GET /api/plan: the signed-in athlete's plan for the next 14 athlete-local days
// (today included), in the output shape of `runstrong plan` (contracts/cli.md),
// plus the plan version and when it was generated.
//
// It answers from the stored plan (src/plan/plan-view.ts, which the /plan page
// reads too). Each session also carries its `key` (the calendar UID's stem, the
// handle for overrides), `status`, `pinned` and `sequence`: optional additions the
// contract allows. Before the first re-plan has run it plans on the fly, with
// `version: null`. Only the session's athlete is ever read: Strava data is shown
// to its owner only.
import type { Hono } from "hono";
import { addDays, localDate } from "../../domain/time.ts";
import { currentPlanView } from "../../plan/plan-view.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireAthlete } from "../session.ts";

export const API_PLAN_DAYS = 14;
export { cutToDays } from "../../plan/plan-view.ts";

export function registerApiPlan(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/plan", requireAthlete(deps), async (c) => {
    const athlete = c.get("athlete");
    const now = deps.now();
    const today = localDate(now.getTime(), athlete.timezone);
    return c.json(await currentPlanView(deps.db, athlete, now, today, addDays(today, API_PLAN_DAYS - 1)));
  });
}
