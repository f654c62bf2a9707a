// POST /api/connections/garmin/disconnect: Garmin is told (DELETE
// /wellness-api/rest/user/registration) and everything from Garmin is deleted
// (src/workers/garmin/disconnect.ts). A Garmin that cannot be reached is a 503 and
// nothing is deleted, so the athlete can try again. The athlete's account and
// settings stay, even when Garmin was their only source.
import type { Hono } from "hono";
import { GarminUnavailableError } from "../../integrations/garmin/errors.ts";
import { disconnectGarmin } from "../../workers/garmin/disconnect.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

export const GARMIN_DISCONNECT_PATH = "/api/connections/garmin/disconnect";

export function registerApiGarminDisconnect(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post(GARMIN_DISCONNECT_PATH, requireAthlete(deps), async (c) => {
    let result: Awaited<ReturnType<typeof disconnectGarmin>>;
    try {
      result = await disconnectGarmin({ ...deps, logger: c.get("logger") }, c.get("athleteId"));
    } catch (err) {
      if (err instanceof GarminUnavailableError)
        throw new AppError(
          "unavailable",
          "Garmin could not be reached to end the connection; try again shortly",
        );
      throw err;
    }
    if (!result.connected) throw new AppError("not_found", "Garmin is not connected");
    return c.json({ disconnected: true, garminTold: result.garminTold });
  });
}
