// Where the Garmin push gets an athlete's access token. Connecting Garmin and
// refreshing its tokens is Garmin-in's work (src/workers/garmin): refreshingGarminTokens
// uses its refresh (early, under the connection's lock, a new refresh token each
// time); storedGarminTokens reads the sealed tokens as they are, for a server
// without GARMIN_CLIENT_ID (it cannot refresh) and leaves an expired one to a 401.
import { UnrecoverableError } from "bullmq";
import { getConnectionForAthlete, readTokens } from "../../db/repos/connections.ts";
import { DestinationError } from "../../integrations/destination-error.ts";
import { createGarminApi, garminApiOptions } from "../../integrations/garmin/api.ts";
import { GarminError } from "../../integrations/garmin/errors.ts";
import type { WorkerDeps } from "../context.ts";
import { freshGarminToken } from "../garmin/tokens.ts";
import type { NotReady } from "./destination.ts";

export interface GarminAccess {
  accessToken: string;
  /** the permissions the athlete granted (Garmin's user/permissions), e.g. WORKOUT_IMPORT */
  permissions: readonly string[];
}

export interface GarminTokenSource {
  /**
   * A usable access token of the athlete's Garmin connection, or why there is none.
   * `rejected`: a token Garmin just answered 401 to, to be replaced whatever its expiry says.
   */
  access(
    athleteId: number,
    deps: WorkerDeps,
    options?: { rejected?: string },
  ): Promise<GarminAccess | NotReady>;
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

/**
 * Garmin-in's refresh: a token expiring within 10 minutes (or just refused) is
 * refreshed under the connection's lock; a refused refresh marks the connection
 * needs_reauth, which shows as revoked here.
 */
export const refreshingGarminTokens: GarminTokenSource = {
  async access(athleteId, deps, options = {}) {
    const options_ = garminApiOptions(deps.config, deps.now);
    if (!options_) return storedGarminTokens.access(athleteId, deps, options);
    const connection = await getConnectionForAthlete(deps.db, athleteId, "garmin");
    if (!connection) return { state: "off", reason: "Garmin is not connected" };
    try {
      const accessToken = await freshGarminToken(
        {
          db: deps.db,
          tokenKey: deps.config.secrets.tokenEncryptionKey,
          now: deps.now,
          logger: deps.logger.child({ athleteId }),
        },
        createGarminApi(options_),
        connection,
        options,
      );
      return { accessToken, permissions: connection.scopes };
    } catch (err) {
      // Reauthorization needed, no tokens, a connection no longer active: only the athlete can help.
      if (err instanceof UnrecoverableError)
        return { state: "revoked", reason: `${err.message}: connect Garmin again` };
      if (err instanceof GarminError)
        throw new DestinationError(err.retryable ? "unavailable" : "rejected", err.message, null, err.status);
      throw err;
    }
  },
};
