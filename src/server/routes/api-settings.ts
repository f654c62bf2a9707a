// The athlete's settings: GET /api/settings answers every field (defaults filled
// in, and named), PATCH /api/settings takes any part of it. Field names are those
// of the `athlete` object of `runstrong plan` (docs/cli.md) plus runTemplate,
// notifications, runningPlanIcsUrl and the read-only calendarUrl. Every change
// that alters what the planner sees re-plans, with the changed names as the cause.
import type { Hono } from "hono";
import { retryAfterOf } from "../../plan/confirm-mail-limit.ts";
import { intervalsIcuView } from "../../plan/intervals-link.ts";
import { settingsView } from "../../plan/settings-view.ts";
import { updateSettings } from "../../plan/update-settings.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { readJson } from "../json-body.ts";
import { requireAthlete } from "../session.ts";

export function registerApiSettings(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requireAthlete(deps);

  app.get("/api/settings", guard, async (c) => {
    return c.json({
      ...settingsView(c.get("athlete"), deps.config.http.publicUrl),
      intervalsIcu: await intervalsIcuView(deps.db, c.get("athleteId")),
    });
  });

  app.patch("/api/settings", guard, async (c) => {
    // The verb validates the body field by field, so every bad field is named at once.
    const body = await readJson(c);
    // A new address is a confirmation mail, which the verb counts per athlete (429 over the limit).
    const { view, changed } = await updateSettings(verbDeps(deps, c), c.get("athleteId"), body).catch(
      (err: unknown) => {
        const retryAfterS = retryAfterOf(err);
        if (retryAfterS !== null) c.header("Retry-After", String(retryAfterS));
        throw err;
      },
    );
    if (changed.length > 0) c.get("logger").info({ changed }, "settings changed");
    return c.json(view);
  });
}
