// GET /api/activities?days=14: the athlete's recent activities, newest first, with
// runstrong's verdict and theirs, so they can find the id of a run to mark.
import type { Hono } from "hono";
import { recentActivities } from "../../db/repos/overrides.ts";
import { activityView } from "../../plan/activity-view.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

const DEFAULT_DAYS = 14;
const MAX_DAYS = 365;

export function registerApiActivities(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/activities", requireAthlete(deps), async (c) => {
    const raw = c.req.query("days");
    const days = raw === undefined ? DEFAULT_DAYS : Number(raw);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      const message = `must be a whole number of days from 1 to ${MAX_DAYS}`;
      throw new AppError("validation_failed", `days: ${message}`, { fields: [{ field: "days", message }] });
    }
    const athlete = c.get("athlete");
    const since = new Date(deps.now().getTime() - days * 86_400_000);
    const list = await recentActivities(deps.db, athlete.id, since);
    return c.json({ activities: list.map((a) => activityView(a, athlete.timezone)) });
  });
}
