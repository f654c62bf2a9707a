// GET /api/destinations: where the athlete's plan is pushed (Garmin, intervals.icu)
// or pulled from (the calendar feed), each with its state and last error.
import type { Hono } from "hono";
import { destinationsView } from "../../plan/destinations-view.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireAthlete } from "../session.ts";

export function registerApiDestinations(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/destinations", requireAthlete(deps), async (c) => {
    return c.json({ destinations: await destinationsView(deps.db, c.get("athleteId")) });
  });
}
