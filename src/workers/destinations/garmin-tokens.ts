// Where the Garmin push gets an athlete's access token. Connecting Garmin and
// refreshing its tokens is Garmin-in's work (src/workers/garmin, issue 10A): its
// refresh (early, under a lock, a new refresh token each time) implements this
// interface; until it is plugged in, storedGarminTokens reads the sealed tokens
// as they are and leaves an expired one to fail as a 401.
import { getConnectionForAthlete, readTokens } from "../../db/repos/connections.ts";
import type { WorkerDeps } from "../context.ts";
import type { NotReady } from "./destination.ts";

export interface GarminAccess {
  accessToken: string;
  /** the permissions the athlete granted (Garmin's user/permissions), e.g. WORKOUT_IMPORT */
  permissions: readonly string[];
}

export interface GarminTokenSource {
  /** a usable access token of the athlete's Garmin connection, or why there is none */
  access(athleteId: number, deps: WorkerDeps): Promise<GarminAccess | NotReady>;
}

export const storedGarminTokens: GarminTokenSource = {
  async access(athleteId, deps) {
    const connection = await getConnectionForAthlete(deps.db, athleteId, "garmin");
    if (!connection) return { state: "off", reason: "Garmin is not connected" };
    if (connection.status !== "active")
      return {
        state: "revoked",
        reason: `Garmin access ${connection.status === "revoked" ? "was revoked" : "needs reconnecting"}: connect Garmin again`,
      };
    const tokens = readTokens(connection, deps.config.secrets.tokenEncryptionKey);
    if (!tokens) return { state: "revoked", reason: "Garmin access was revoked: connect Garmin again" };
    return { accessToken: tokens.accessToken, permissions: connection.scopes };
  },
};
