// Calling Garmin as one athlete from a job or a route: a fresh token before each
// call, and one forced refresh when Garmin answers 401 to a token we thought good.
import type { Config } from "../../config.ts";
import type { Database } from "../../db/client.ts";
import { type Connection, setConnectionStatus } from "../../db/repos/connections.ts";
import { createGarminApi, type GarminApi, garminApiOptions } from "../../integrations/garmin/api.ts";
import { GarminAuthError } from "../../integrations/garmin/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import {
  checkGarminAuthorization,
  freshGarminToken,
  type GarminAuthorization,
  GarminReauthorizationNeeded,
  type GarminTokenDeps,
} from "./tokens.ts";

export interface AthleteGarmin {
  api: GarminApi;
  /** runs `fn` with a fresh access token; a 401 refreshes once and tries again */
  call<T>(fn: (api: GarminApi, accessToken: string) => Promise<T>): Promise<T>;
  /** whether Garmin still authorizes runstrong for this user (see tokens.ts) */
  checkAuthorization(): Promise<GarminAuthorization>;
}

export class GarminNotConfigured extends Error {
  override name = "GarminNotConfigured";
}

export function garminApiFor(config: Config, now: () => Date): GarminApi {
  const options = garminApiOptions(config, now);
  if (!options)
    throw new GarminNotConfigured(
      "Garmin is not configured on this server: set GARMIN_CLIENT_ID and GARMIN_CLIENT_SECRET and restart",
    );
  return createGarminApi(options);
}

export function garminAsAthlete(
  deps: { config: Config; db: Database; now: () => Date },
  connection: Connection,
  logger: Logger,
): AthleteGarmin {
  const api = garminApiFor(deps.config, deps.now);
  const tokenDeps: GarminTokenDeps = {
    db: deps.db,
    tokenKey: deps.config.secrets.tokenEncryptionKey,
    now: deps.now,
    logger,
  };
  return {
    api,
    checkAuthorization: () => checkGarminAuthorization(tokenDeps, api, connection),
    async call(fn) {
      const token = await freshGarminToken(tokenDeps, api, connection);
      try {
        return await fn(api, token);
      } catch (err) {
        if (!(err instanceof GarminAuthError) || err.status !== 401) throw err;
      }
      const renewed = await freshGarminToken(tokenDeps, api, connection, { rejected: token });
      try {
        return await fn(api, renewed);
      } catch (err) {
        if (err instanceof GarminAuthError && err.status === 401) {
          const reason = "Garmin refused a freshly refreshed access token: connect Garmin again";
          await setConnectionStatus(deps.db, connection.id, "needs_reauth", reason);
          throw new GarminReauthorizationNeeded(reason);
        }
        throw err;
      }
    },
  };
}
