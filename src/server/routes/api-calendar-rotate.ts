// POST /api/calendar/rotate: replaces the calendar feed's secret URL (the old one
// answers 404 from now on) and answers the new one.
import type { Hono } from "hono";
import { rotateCalendarToken } from "../../db/repos/calendar.ts";
import { calendarUrl } from "../../plan/settings-view.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireAthlete } from "../session.ts";

export function registerApiCalendarRotate(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/api/calendar/rotate", requireAthlete(deps), async (c) => {
    const token = await rotateCalendarToken(deps.db, c.get("athleteId"));
    c.get("logger").info("calendar feed URL rotated");
    return c.json({ calendarUrl: calendarUrl(deps.config.http.publicUrl, token) });
  });
}
