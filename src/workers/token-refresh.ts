// The early token refresh Strava and Garmin share: a usable access token for a
// connection, refreshed when it expires within `refreshWithinMs`. The refresh
// runs under the connection row's lock (SELECT ... FOR UPDATE), so of several jobs
// that find the token expiring at once only the first calls the provider; the
// others wait on the lock and then read the token it stored. Both providers may
// retire the old refresh token once they issue a new one, so the new pair is
// written in the same transaction, before anything else happens.
import { UnrecoverableError } from "bullmq";
import type { Database } from "../db/client.ts";
import {
  type Connection,
  type ProviderTokens,
  readTokens,
  setConnectionStatus,
  updateTokens,
} from "../db/repos/connections.ts";
import { lockConnection } from "../db/repos/strava-data.ts";
import type { Logger } from "../observability/logger.ts";

export interface TokenRefreshDeps {
  db: Database;
  tokenKey: Buffer;
  now: () => Date;
  logger: Logger;
}

/** What differs between providers: their name in messages, the margin, the call and its refusal. */
export interface TokenRefreshProvider {
  /** "Strava", "Garmin": used in log lines and in the reason stored on the connection */
  name: string;
  refreshWithinMs: number;
  refresh: (refreshToken: string) => Promise<ProviderTokens>;
  /** the provider's status when `err` means it refused the refresh token (only reconnecting helps), else null */
  refusal: (err: unknown) => { status: number | null } | null;
  /** the error for "the athlete must connect again"; the connection is already marked needs_reauth */
  reauthorizationNeeded: (message: string) => UnrecoverableError;
}

function unusable(provider: TokenRefreshProvider, connection: Connection): string | null {
  if (connection.status !== "active") return `the ${provider.name} connection is ${connection.status}`;
  if (!connection.accessTokenEnc || !connection.refreshTokenEnc)
    return `the ${provider.name} connection has no tokens`;
  return null;
}

/**
 * `rejected`: an access token the provider just answered 401 to. The refresh then
 * happens whatever the expiry says, unless another job already replaced it.
 */
export async function freshProviderToken(
  deps: TokenRefreshDeps,
  provider: TokenRefreshProvider,
  connection: Connection,
  options: { rejected?: string } = {},
): Promise<string> {
  const log = deps.logger.child({ athleteId: connection.athleteId, connectionId: connection.id });
  const needsRefresh = (c: Connection) => {
    const tokens = readTokens(c, deps.tokenKey);
    if (!tokens) return { tokens, refresh: true };
    const expiring = tokens.expiresAt.getTime() - deps.now().getTime() <= provider.refreshWithinMs;
    const refused = options.rejected !== undefined && tokens.accessToken === options.rejected;
    return { tokens, refresh: expiring || refused };
  };

  const bad = unusable(provider, connection);
  if (bad) throw new UnrecoverableError(bad);
  const quick = needsRefresh(connection);
  if (quick.tokens && !quick.refresh) return quick.tokens.accessToken;

  const outcome = await deps.db.transaction(async (tx) => {
    const locked = await lockConnection(tx, connection.id);
    if (!locked) return { kind: "error", message: `the ${provider.name} connection is gone` } as const;
    const why = unusable(provider, locked);
    if (why) return { kind: "error", message: why } as const;
    const { tokens, refresh } = needsRefresh(locked);
    if (!tokens) return { kind: "error", message: `the ${provider.name} connection has no tokens` } as const;
    if (!refresh) return { kind: "token", token: tokens.accessToken } as const;
    try {
      const grant = await provider.refresh(tokens.refreshToken);
      await updateTokens(tx, deps.tokenKey, locked.id, grant);
      log.info({ expiresAt: grant.expiresAt.toISOString() }, `${provider.name} access token refreshed`);
      return { kind: "token", token: grant.accessToken } as const;
    } catch (err) {
      const refused = provider.refusal(err);
      if (!refused) throw err;
      const reason = `${provider.name} refused the token refresh (${refused.status}): the athlete must connect ${provider.name} again`;
      await setConnectionStatus(tx, locked.id, "needs_reauth", reason);
      log.warn(
        { status: refused.status },
        `${provider.name} refused the refresh token; connection needs re-authorization`,
      );
      return { kind: "reauth", message: reason } as const;
    }
  });
  if (outcome.kind === "token") return outcome.token;
  if (outcome.kind === "reauth") throw provider.reauthorizationNeeded(outcome.message);
  throw new UnrecoverableError(outcome.message);
}
