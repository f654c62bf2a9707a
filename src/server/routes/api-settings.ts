// The athlete's settings: GET /api/settings answers every field (defaults filled
// in, and named), PATCH /api/settings takes any part of it. Field names are those
// of the `athlete` object of `runstrong plan` (contracts/cli.md) plus runTemplate,
// notifications, runningPlanIcsUrl and the read-only calendarUrl. Every change
// that alters what the planner sees re-plans, with the changed names as the cause.
// POST /api/calendar/rotate replaces the feed's secret URL.
import type { Hono } from "hono";
import { rotateCalendarToken } from "../../db/repos/calendar.ts";
import { settingsOf } from "../../db/repos/settings.ts";
import { calendarUrl, settingsView } from "../../plan/settings-view.ts";
import { updateSettings } from "../../plan/update-settings.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

async function readJson(c: { req: { json: () => Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AppError("bad_request", "the body must be JSON (Content-Type: application/json)");
  }
}

export function registerApiSettings(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requireAthlete(deps);

  app.get("/api/settings", guard, async (c) => {
    const row = await settingsOf(deps.db, c.get("athleteId"));
    if (!row) throw new AppError("unauthorized", "sign in first: connect Strava at /auth/strava");
    return c.json(settingsView(row, deps.config.http.publicUrl));
  });

  app.patch("/api/settings", guard, async (c) => {
    const { view, changed } = await updateSettings(
      { ...deps, logger: c.get("logger") },
      c.get("athleteId"),
      await readJson(c),
    );
    if (changed.length > 0) c.get("logger").info({ changed }, "settings changed");
    return c.json(view);
  });

  app.post("/api/calendar/rotate", guard, async (c) => {
    const token = await rotateCalendarToken(deps.db, c.get("athleteId"));
    c.get("logger").info("calendar feed URL rotated");
    return c.json({ calendarUrl: calendarUrl(deps.config.http.publicUrl, token) });
  });
}
