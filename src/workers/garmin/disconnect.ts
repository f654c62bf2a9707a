// Disconnecting Garmin at the athlete's request (and, through the same function,
// deleting their account): Garmin's terms require DELETE
// /wellness-api/rest/user/registration whenever an athlete removes their consent
// anywhere but on Garmin Connect itself; then everything from Garmin is wiped as
// a deregistration would, except that the athlete's account and settings stay
// (deleting the account is a verb of its own, which calls this first). The
// athlete asked in person (a signed-in request), so
// no confirmation from Garmin is needed: a registration Garmin already dropped
// (401/403, a refused refresh) is no reason to keep the data.
import type { Config } from "../../config.ts";
import type { Database } from "../../db/client.ts";
import { getConnectionForAthlete } from "../../db/repos/connections.ts";
import { type GarminWipe, wipeGarminUser } from "../../db/repos/garmin-data.ts";
import { GarminAuthError } from "../../integrations/garmin/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Queues } from "../queues.ts";
import { requestReplan } from "../replan-trigger.ts";
import { garminAsAthlete } from "./as-athlete.ts";
import { GarminReauthorizationNeeded } from "./tokens.ts";

export interface DisconnectDeps {
  config: Config;
  db: Database;
  queues: Queues;
  now: () => Date;
  logger: Logger;
}

export type GarminDisconnect = { connected: false } | ({ connected: true; garminTold: boolean } & GarminWipe);

/**
 * Throws GarminUnavailableError (5xx, 429, timeout) before anything is deleted:
 * Garmin must hear of it, so the athlete is asked to try again.
 */
export async function disconnectGarmin(deps: DisconnectDeps, athleteId: number): Promise<GarminDisconnect> {
  const connection = await getConnectionForAthlete(deps.db, athleteId, "garmin");
  if (!connection) return { connected: false };
  const log = deps.logger.child({ athleteId, connectionId: connection.id });
  let garminTold = false;
  if (connection.status === "active") {
    try {
      await garminAsAthlete(deps, connection, log).call((api, token) => api.deleteRegistration(token));
      garminTold = true;
    } catch (err) {
      if (!(err instanceof GarminAuthError) && !(err instanceof GarminReauthorizationNeeded)) throw err;
      log.info("Garmin no longer accepts this registration's tokens: nothing left to tell it");
    }
  }
  const wipe = await wipeGarminUser(deps.db, connection.externalAthleteId, { keepAthlete: true });
  if (!wipe.athleteDeleted)
    await requestReplan(
      deps.queues,
      athleteId,
      { type: "disconnect", provider: "garmin" },
      deps.config.replan.debounceMs,
    );
  log.info({ ...wipe, garminTold }, "Garmin disconnected at the athlete's request");
  return { connected: true, garminTold, ...wipe };
}
