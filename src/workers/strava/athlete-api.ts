// Calling Strava as one athlete from a job: the shared rate budget, the lane
// (live or backfill), a fresh token before each call, and one forced refresh when
// Strava answers 401 to a token we thought good.
import { Redis } from "ioredis";
import type { Connection } from "../../db/repos/connections.ts";
import { createStravaApi, type StravaApi, stravaApiOptions } from "../../integrations/strava/api.ts";
import { StravaAuthError } from "../../integrations/strava/errors.ts";
import { type BudgetLane, createRateBudget, type RateBudget } from "../../integrations/strava/rate-budget.ts";
import type { Logger } from "../../observability/logger.ts";
import type { WorkerDeps } from "../context.ts";
import {
  checkStravaAuthorization,
  freshAccessToken,
  markReauthNeeded,
  type StravaAuthorization,
  type TokenDeps,
} from "./tokens.ts";

/** The installation's one budget, on the connection the strava queue already holds. */
export async function stravaBudget(deps: Pick<WorkerDeps, "queues" | "config" | "now">): Promise<RateBudget> {
  // The ioredis connection the queues were built on (createQueues shares one).
  const redis = deps.queues.strava.opts.connection;
  if (!(redis instanceof Redis)) throw new Error("the strava queue is not on an ioredis connection");
  return createRateBudget(redis, deps.config.redis.prefix, deps.now);
}

export interface AthleteStrava {
  api: StravaApi;
  /** runs `fn` with a fresh access token; a 401 refreshes once and tries again */
  call<T>(fn: (api: StravaApi, accessToken: string) => Promise<T>): Promise<T>;
  /** whether Strava still authorizes runstrong for this athlete (one token refresh; see tokens.ts) */
  checkAuthorization(): Promise<StravaAuthorization>;
}

export async function stravaAsAthlete(
  deps: WorkerDeps,
  connection: Connection,
  options: { lane: BudgetLane; logger: Logger },
): Promise<AthleteStrava> {
  const api = createStravaApi(
    stravaApiOptions(deps.config, {
      budget: await stravaBudget(deps),
      lane: options.lane,
      logger: options.logger,
    }),
  );
  const tokenDeps: TokenDeps = {
    db: deps.db,
    tokenKey: deps.config.secrets.tokenEncryptionKey,
    now: deps.now,
    logger: options.logger,
  };
  return {
    api,
    checkAuthorization: () => checkStravaAuthorization(tokenDeps, api, connection),
    async call(fn) {
      const token = await freshAccessToken(tokenDeps, api, connection);
      try {
        return await fn(api, token);
      } catch (err) {
        if (!(err instanceof StravaAuthError) || err.status !== 401) throw err;
      }
      const renewed = await freshAccessToken(tokenDeps, api, connection, { rejected: token });
      try {
        return await fn(api, renewed);
      } catch (err) {
        if (err instanceof StravaAuthError && err.status === 401)
          throw await markReauthNeeded(
            tokenDeps,
            connection,
            "Strava refused a freshly refreshed access token",
          );
        throw err;
      }
    },
  };
}
