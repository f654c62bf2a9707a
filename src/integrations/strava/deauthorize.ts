// Ending runstrong's access at Strava: POST {oauth}/deauthorize with the athlete's
// access token (Strava's documented form field `access_token`). Strava then
// revokes every token it issued to runstrong for that athlete and sends its own
// deauthorization event, which finds nothing left to wipe. Through the same
// request function as every other call (request.ts): the timeout, the typed errors
// (401/403: the grant is already gone; 5xx and timeouts: StravaUnavailableError),
// and logs that name the path only, never the token. The token endpoint's rate
// budget does not apply: OAuth calls are not counted by Strava's API limits.
import type { Config } from "../../config.ts";
import type { Logger } from "../../observability/logger.ts";
import { createStravaRequest } from "./request.ts";

export async function deauthorizeStrava(config: Config, accessToken: string, logger?: Logger): Promise<void> {
  const request = createStravaRequest({
    apiBaseUrl: config.strava.apiBaseUrl,
    oauthBaseUrl: config.strava.oauthBaseUrl,
    timeoutMs: config.strava.requestTimeoutMs,
    budget: null,
    ...(logger ? { logger } : {}),
  });
  await request({
    url: `${config.strava.oauthBaseUrl}/deauthorize`,
    method: "POST",
    form: { access_token: accessToken },
    budget: false,
  });
}
