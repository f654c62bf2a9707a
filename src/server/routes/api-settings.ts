// The athlete's settings: GET /api/settings answers every field (defaults filled
// in, and named), PATCH /api/settings takes any part of it. Field names are those
// of the `athlete` object of `runstrong plan` (docs/cli.md) plus runTemplate,
// notifications, runningPlanIcsUrl and the read-only calendarUrl. Every change
// that alters what the planner sees re-plans, with the changed names as the cause.
import type { Hono } from "hono";
import { intervalsIcuView } from "../../plan/intervals-link.ts";
import { settingsView } from "../../plan/settings-view.ts";
import { updateSettings } from "../../plan/update-settings.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { readJson } from "../json-body.ts";
import { limitConfirmationMail } from "../middleware/rate-limit.ts";
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
    // A new address means a confirmation mail to it: counted per athlete, so the form cannot send a stream.
    const email = (body as { email?: unknown } | null)?.email;
    if (typeof email === "string" && email !== c.get("athlete").email)
      await limitConfirmationMail(deps, c, c.get("athleteId"));
    const { view, changed } = await updateSettings(verbDeps(deps, c), c.get("athleteId"), body);
    if (changed.length > 0) c.get("logger").info({ changed }, "settings changed");
    return c.json(view);
  });
}
