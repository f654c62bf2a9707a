// Telling Strava and Garmin that an athlete has withdrawn runstrong: Strava's
// POST /oauth/deauthorize, Garmin's DELETE /wellness-api/rest/user/registration
// (its terms require it whenever consent is removed anywhere but on Garmin Connect).
// Both disconnecting one provider and deleting the account call these. The answer
// is what became of the grant:
// - "revoked": the provider took the revocation;
// - "gone": the provider no longer honours the grant (a refused token or refresh,
//   a connection without tokens), so there is nothing left to revoke;
// - "unreachable": the provider could not be told (5xx, 429, timeout, not
//   configured); the caller decides whether that blocks it, and the athlete is told
//   where to revoke access themselves.
// Logs carry the status and the error's words, never a token.
import { type Connection, readTokens } from "../db/repos/connections.ts";
import { GarminAuthError } from "../integrations/garmin/errors.ts";
import { ProviderError } from "../integrations/provider-error.ts";
import { deauthorizeStrava } from "../integrations/strava/deauthorize.ts";
import { StravaAuthError } from "../integrations/strava/errors.ts";
import type { Logger } from "../observability/logger.ts";
import { garminAsAthlete } from "../workers/garmin/as-athlete.ts";
import { GarminReauthorizationNeeded } from "../workers/garmin/tokens.ts";
import { stravaAsAthlete } from "../workers/strava/athlete-api.ts";
import { ReauthorizationNeeded } from "../workers/strava/tokens.ts";
import type { PlanDeps } from "./deps.ts";

export type Revocation = "revoked" | "gone" | "unreachable";

/** Where an athlete ends runstrong's access by hand, when runstrong could not tell the provider. */
export const REVOKE_BY_HAND = {
  strava:
    "on Strava, open Settings → My Apps (strava.com/settings/apps) and choose Revoke Access next to runstrong",
  garmin: "in Garmin Connect, open Settings → Connected Apps and remove runstrong",
} as const;

function outcomeOf(err: unknown, provider: string, log: Logger): Revocation {
  const status = err instanceof ProviderError ? err.status : null;
  const message = err instanceof Error ? err.message : String(err);
  // A grant the provider already refuses: Strava's deauthorize (or the refresh
  // before it) answered 401/403/400, or Garmin refused its tokens.
  if (
    err instanceof StravaAuthError ||
    err instanceof ReauthorizationNeeded ||
    err instanceof GarminAuthError ||
    err instanceof GarminReauthorizationNeeded
  ) {
    log.info({ provider, status }, `${provider} no longer accepts this grant: nothing left to revoke`);
    return "gone";
  }
  log.warn({ provider, status, err: message }, `${provider} could not be told that the athlete withdrew`);
  return "unreachable";
}

/**
 * Deauthorizes runstrong at Strava for this connection. An active connection gets
 * a fresh token first (and one refresh on a 401); one already marked needs_reauth
 * or revoked is tried with whatever token it still holds.
 */
export async function revokeStrava(deps: PlanDeps, connection: Connection, log: Logger): Promise<Revocation> {
  try {
    if (connection.status === "active") {
      const strava = await stravaAsAthlete(deps, connection, { lane: "interactive", logger: log });
      await strava.call((_api, token) => deauthorizeStrava(deps.config, token, log));
    } else {
      const tokens = readTokens(connection, deps.config.secrets.tokenEncryptionKey);
      if (!tokens) return "gone";
      await deauthorizeStrava(deps.config, tokens.accessToken, log);
    }
    log.info({ provider: "strava" }, "Strava deauthorized runstrong for this athlete");
    return "revoked";
  } catch (err) {
    return outcomeOf(err, "Strava", log);
  }
}

/** Ends the Garmin registration (as for Strava: a fresh token when active, else the one it holds). */
export async function revokeGarmin(deps: PlanDeps, connection: Connection, log: Logger): Promise<Revocation> {
  try {
    const garmin = garminAsAthlete(deps, connection, log);
    if (connection.status === "active") await garmin.call((api, token) => api.deleteRegistration(token));
    else {
      const tokens = readTokens(connection, deps.config.secrets.tokenEncryptionKey);
      if (!tokens) return "gone";
      await garmin.api.deleteRegistration(tokens.accessToken);
    }
    log.info({ provider: "garmin" }, "Garmin registration deleted");
    return "revoked";
  } catch (err) {
    return outcomeOf(err, "Garmin", log);
  }
}
