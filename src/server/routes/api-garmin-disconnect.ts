// POST /api/connections/garmin/disconnect: Garmin is told (DELETE
// /wellness-api/rest/user/registration) and everything from Garmin is deleted
// (src/plan/disconnect-garmin.ts). A Garmin that cannot be reached is a 503 and
// nothing is deleted, so the athlete can try again. The athlete's account and
// settings stay, even when Garmin was their only source.
import type { Hono } from "hono";
import { disconnectGarmin } from "../../plan/disconnect-garmin.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { requireAthlete } from "../session.ts";

export const GARMIN_DISCONNECT_PATH = "/api/connections/garmin/disconnect";

export function registerApiGarminDisconnect(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post(GARMIN_DISCONNECT_PATH, requireAthlete(deps), async (c) => {
    const { garminTold } = await disconnectGarmin(verbDeps(deps, c), c.get("athleteId"));
    return c.json({ disconnected: true, garminTold });
  });
}
