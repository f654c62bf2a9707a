// Connecting Garmin: GET /auth/garmin sends the athlete to Garmin's consent page
// (OAuth 2.0 with PKCE, S256); GET /auth/garmin/callback takes them back, checks
// the signed state against this browser's cookie (oauth-state.ts, as Strava's
// flow does), exchanges the code with the verifier, asks Garmin who the user is
// and what they granted, and stores the sealed tokens keyed by Garmin's user id.
// A signed-in athlete gets Garmin linked to them; anyone else becomes a new
// athlete, signed in here. Garmin asks for no scopes: the user ticks permissions
// on Garmin's page, and /user/permissions says which.
import type { Hono } from "hono";
import type { Config } from "../../config.ts";
import { connectAthlete, getConnectionForAthlete } from "../../db/repos/connections.ts";
import { codeChallenge, createGarminApi, garminApiOptions } from "../../integrations/garmin/api.ts";
import { GarminError } from "../../integrations/garmin/errors.ts";
import { queueLinkPush } from "../../workers/destinations/registry.ts";
import { requestReplan } from "../../workers/replan-trigger.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { oauthState, pkceVerifier } from "../oauth-state.ts";
import {
  garminBadStatePage,
  garminConnectedPage,
  garminDeniedPage,
  garminFailedPage,
} from "../pages/garmin-oauth.ts";
import { providerRefusedPage } from "../pages/oauth.ts";
import { sessionAthleteId, setSession } from "../session.ts";

export const GARMIN_START_PATH = "/auth/garmin";
export const GARMIN_CALLBACK_PATH = "/auth/garmin/callback";
const CONNECTED_PATH = "/auth/garmin/connected";
export const GARMIN_STATE_PURPOSE = "oauth-state-garmin";

function garminApi(config: Config, now: () => Date) {
  const options = garminApiOptions(config, now);
  if (!options)
    throw new AppError(
      "unavailable",
      "Garmin is not configured on this server: create an app in the Garmin Connect Developer Program, then set GARMIN_CLIENT_ID and GARMIN_CLIENT_SECRET and restart",
    );
  return createGarminApi(options);
}

export function registerAuthGarmin(app: Hono<AppEnv>, deps: AppDeps): void {
  const { config } = deps;
  const flow = oauthState(config, { purpose: GARMIN_STATE_PURPOSE, cookiePath: GARMIN_START_PATH });
  const redirectUri = `${config.http.publicUrl}${GARMIN_CALLBACK_PATH}`;

  app.get(GARMIN_START_PATH, (c) => {
    garminApi(config, deps.now);
    const { state, nonce } = flow.begin(c, deps.now());
    const url = new URL(config.garmin.authorizeUrl);
    url.search = new URLSearchParams({
      response_type: "code",
      client_id: config.garmin.clientId ?? "",
      code_challenge: codeChallenge(pkceVerifier(nonce, config)),
      code_challenge_method: "S256",
      redirect_uri: redirectUri,
      state,
    }).toString();
    return c.redirect(url.toString(), 302);
  });

  app.get(GARMIN_CALLBACK_PATH, async (c) => {
    const api = garminApi(config, deps.now);
    const log = c.get("logger");
    const q = c.req.query();
    const now = deps.now();
    const checked = flow.finish(c, q.state, now);
    if (!checked.ok) {
      const { ok: _ok, ...why } = checked;
      log.info(why, "garmin callback refused: bad state");
      return c.html(garminBadStatePage(GARMIN_START_PATH), 400);
    }
    if (q.error) {
      log.info({ error: q.error }, "garmin authorization not granted");
      if (q.error === "access_denied") return c.html(garminDeniedPage(GARMIN_START_PATH), 200);
      return c.html(garminFailedPage(GARMIN_START_PATH, "Garmin reported a problem with the request."), 400);
    }
    if (!q.code)
      return c.html(garminFailedPage(GARMIN_START_PATH, "Garmin sent no authorization code back."), 400);

    let grant: Awaited<ReturnType<typeof api.exchangeCode>>;
    let userId: string;
    let permissions: string[];
    try {
      grant = await api.exchangeCode({
        code: q.code,
        verifier: pkceVerifier(checked.nonce, config),
        redirectUri,
      });
      userId = await api.userId(grant.accessToken);
      permissions = await api.permissions(grant.accessToken);
    } catch (err) {
      if (!(err instanceof GarminError)) throw err;
      log.warn({ status: err.status, err: err.message }, "garmin connect failed");
      const refused = providerRefusedPage("Garmin", GARMIN_START_PATH, err);
      return c.html(refused.page, refused.status);
    }

    const { athlete, connection, created } = await connectAthlete(
      deps.db,
      config.secrets.tokenEncryptionKey,
      {
        provider: "garmin",
        externalAthleteId: userId,
        displayName: null,
        tokens: grant,
        scopes: permissions,
        signedInAthleteId: sessionAthleteId(c, config, now),
      },
    );
    log
      .child({ athleteId: athlete.id })
      .info({ created, connectionId: connection.id, permissions }, "garmin connected");
    setSession(c, athlete.id, config, now);
    await requestReplan(
      deps.queues,
      athlete.id,
      { type: "connect", provider: "garmin" },
      config.replan.debounceMs,
    );
    // Linking a destination pushes every future session of the plan to it at once.
    await queueLinkPush(deps.queues, athlete.id, "garmin", now);
    return c.redirect(CONNECTED_PATH, 302);
  });

  app.get(CONNECTED_PATH, async (c) => {
    const athleteId = sessionAthleteId(c, config, deps.now());
    const connection =
      athleteId === null ? null : await getConnectionForAthlete(deps.db, athleteId, "garmin");
    return c.html(garminConnectedPage(connection?.scopes ?? []));
  });
}
