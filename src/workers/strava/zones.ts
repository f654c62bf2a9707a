// strava-fetch-zones: GET /athlete/zones -> athletes.hr_zones. Classification
// measures a run's effort against zone 2's ceiling, so this is queued first on
// connect (no priority, ahead of the backfill).
import { setHeartRateZones } from "../../db/repos/athletes.ts";
import { type Connection, getConnectionForAthlete } from "../../db/repos/connections.ts";
import type { Logger } from "../../observability/logger.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import type { JobPayload } from "../jobs.ts";
import type { AthleteStrava } from "./athlete-api.ts";
import { stravaAsAthlete } from "./athlete-api.ts";

/** Strava answers /athlete/zones only with this scope. */
export const ZONES_SCOPE = "profile:read_all";

export type ZonesResult = { status: "stored"; zones: number } | { status: "skipped"; reason: string };

/** Fetches and stores the zones with a client the caller already holds (the backfill shares its own). */
export async function storeStravaZones(
  deps: Pick<WorkerDeps, "db">,
  connection: Connection,
  strava: AthleteStrava,
  log: Logger,
): Promise<ZonesResult> {
  if (!connection.scopes.includes(ZONES_SCOPE))
    return { status: "skipped", reason: `the athlete did not grant ${ZONES_SCOPE}` };
  const zones = await strava.call((api, token) => api.getAthleteZones(token));
  const list = zones.heart_rate.zones.map((z) => ({ min: z.min, max: z.max }));
  await setHeartRateZones(deps.db, connection.athleteId, list);
  log.info(
    { zones: list.length, custom: zones.heart_rate.custom_zones ?? null },
    "Strava heart-rate zones stored",
  );
  return { status: "stored", zones: list.length };
}

export async function fetchStravaZones(
  payload: JobPayload<"strava-fetch-zones">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<ZonesResult> {
  const log = ctx.logger.child({ athleteId: payload.athleteId });
  const connection = await getConnectionForAthlete(deps.db, payload.athleteId, "strava");
  if (connection?.status !== "active") {
    const reason = connection ? `the Strava connection is ${connection.status}` : "no Strava connection";
    log.info({ reason }, "zones not fetched");
    return { status: "skipped", reason };
  }
  const strava = await stravaAsAthlete(deps, connection, { lane: "live", logger: log });
  return storeStravaZones(deps, connection, strava, log);
}
