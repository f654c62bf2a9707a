// Disconnecting Garmin at the athlete's request: Garmin's terms require DELETE
// /wellness-api/rest/user/registration whenever an athlete removes their consent
// anywhere but on Garmin Connect itself; then everything from Garmin is wiped as
// a deregistration would, except that the athlete's account and settings stay
// (deleting the account is a verb of its own, delete-account.ts, which tells
// Garmin too but does not let an unreachable Garmin keep the athlete's data). The athlete asked in person (a signed-in request), so no confirmation
// from Garmin is needed: a registration Garmin already dropped (401/403, a refused
// refresh) is no reason to keep the data.
import { getConnectionForAthlete } from "../db/repos/connections.ts";
import { type GarminWipe, wipeGarminUser } from "../db/repos/garmin-data.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { GarminAuthError, GarminUnavailableError } from "../integrations/garmin/errors.ts";
import { garminAsAthlete } from "../workers/garmin/as-athlete.ts";
import { GarminReauthorizationNeeded } from "../workers/garmin/tokens.ts";
import { queueFollowUps } from "../workers/outbox.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { replanFollowUp } from "./store-override.ts";

export type GarminDisconnect = { garminTold: boolean } & GarminWipe;

/**
 * Refuses with `not_found` when the athlete has no Garmin connection, and with
 * `unavailable` (Garmin answered 5xx or 429, or not at all) before anything is
 * deleted: Garmin must hear of it, so the athlete is asked to try again.
 */
export async function disconnectGarmin(deps: PlanDeps, athleteId: number): Promise<GarminDisconnect> {
  const connection = await getConnectionForAthlete(deps.db, athleteId, "garmin");
  if (!connection) throw new PlanError("not_found", "Garmin is not connected");
  const log = deps.logger.child({ athleteId, connectionId: connection.id });
  let garminTold = false;
  if (connection.status === "active") {
    try {
      await garminAsAthlete(deps, connection, log).call((api, token) => api.deleteRegistration(token));
      garminTold = true;
    } catch (err) {
      if (err instanceof GarminUnavailableError)
        throw new PlanError(
          "unavailable",
          "Garmin could not be reached to end the connection; try again shortly",
        );
      if (!(err instanceof GarminAuthError) && !(err instanceof GarminReauthorizationNeeded)) throw err;
      log.info("Garmin no longer accepts this registration's tokens: nothing left to tell it");
    }
  }
  // The re-plan is stored with the wipe (the outbox), so Redis being away cannot lose it.
  const { wipe, followUps } = await deps.db.transaction(async (tx) => {
    const wipe = await wipeGarminUser(tx, connection.externalAthleteId, { keepAthlete: true });
    const cause = { type: "disconnect", provider: "garmin" } as const;
    return { wipe, followUps: await addFollowUps(tx, athleteId, [replanFollowUp(cause)]) };
  });
  await queueFollowUps(deps, followUps);
  log.info({ ...wipe, garminTold }, "Garmin disconnected at the athlete's request");
  return { garminTold, ...wipe };
}
