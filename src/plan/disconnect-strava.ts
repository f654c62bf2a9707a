// Disconnecting Strava at the athlete's request: Strava is told first (POST
// /oauth/deauthorize, which revokes every token runstrong holds for the athlete),
// then everything from Strava is wiped as Strava's own deauthorization would:
// the connection and its tokens, the webhook events naming the athlete, and the
// activities only Strava sent (Strava's API agreement: data from Strava goes when
// the athlete withdraws it; a run Garmin also sent stays, as Garmin's record).
// Unlike a deauthorization the athlete's account and settings stay, even when
// Strava was their only provider (the page says they then cannot sign in again
// with it). A re-plan from what is left is stored in the wipe's transaction
// (the outbox) and queued after commit.
import { getConnectionForAthlete } from "../db/repos/connections.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { type StravaWipe, wipeStravaAthlete } from "../db/repos/strava-data.ts";
import { queueFollowUps } from "../workers/outbox.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { type Revocation, revokeStrava } from "./provider-revocation.ts";
import { replanFollowUp } from "./store-override.ts";

export type StravaDisconnect = { strava: Revocation } & StravaWipe;

/**
 * Refuses with `not_found` when the athlete has no Strava connection, and with
 * `unavailable` (Strava answered 5xx or 429, or not at all) before anything is
 * deleted, so the athlete can try again and Strava does not keep a grant the
 * athlete thinks is gone.
 */
export async function disconnectStrava(deps: PlanDeps, athleteId: number): Promise<StravaDisconnect> {
  const connection = await getConnectionForAthlete(deps.db, athleteId, "strava");
  if (!connection) throw new PlanError("not_found", "Strava is not connected");
  const log = deps.logger.child({ athleteId, connectionId: connection.id });
  const strava = await revokeStrava(deps, connection, log);
  if (strava === "unreachable")
    throw new PlanError(
      "unavailable",
      "Strava could not be reached to end the connection; try again shortly",
    );
  const { wipe, followUps } = await deps.db.transaction(async (tx) => {
    const wipe = await wipeStravaAthlete(tx, connection.externalAthleteId, { keepAthlete: true });
    const cause = { type: "disconnect", provider: "strava" } as const;
    return { wipe, followUps: await addFollowUps(tx, athleteId, [replanFollowUp(cause)]) };
  });
  await queueFollowUps(deps, followUps);
  log.info({ ...wipe, strava }, "Strava disconnected at the athlete's request");
  return { strava, ...wipe };
}
