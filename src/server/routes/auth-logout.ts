// Signing out: the session cookie is cleared. Like every state change it must be
// JSON (or bodiless) and same-origin (same-origin-json.ts), so another site
// cannot sign an athlete out behind their back. Answered whether or not a
// session came with it: signing out twice is not an error.
import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { clearSession, sessionAthleteId } from "../session.ts";

export const LOGOUT_PATH = "/auth/logout";

export function registerAuthLogout(app: Hono<AppEnv>, deps: Pick<AppDeps, "config" | "now">): void {
  app.post(LOGOUT_PATH, (c) => {
    const athleteId = sessionAthleteId(c, deps.config, deps.now());
    clearSession(c, deps.config);
    if (athleteId !== null) c.get("logger").info({ athleteId }, "signed out");
    return c.json({ signedOut: true });
  });
}
