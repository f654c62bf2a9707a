// Connecting Strava: GET /auth/strava sends the athlete to Strava's authorize page;
// GET /auth/strava/callback takes them back, checks what came with them, stores
// the athlete and the connection, signs them in and starts the first import.
//
// CSRF on the OAuth flow: a signed state bound to this browser by a nonce cookie
// (oauth-state.ts, shared with Garmin's flow).
import type { Hono } from "hono";
import type { Config } from "../../config.ts";
import { getAthlete } from "../../db/repos/athletes.ts";
import { connectAthlete } from "../../db/repos/connections.ts";
import { exchangeCode } from "../../integrations/strava/api.ts";
import { StravaError } from "../../integrations/strava/errors.ts";
import { enqueue } from "../../workers/queues.ts";
import { requestReplan } from "../../workers/replan-trigger.ts";
import { enqueueBackfill } from "../../workers/strava/backfill.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { oauthState, STATE_COOKIE, STATE_TTL_MS } from "../oauth-state.ts";
import {
  badStatePage,
  connectedPage,
  deniedPage,
  failedPage,
  missingScopesPage,
  providerRefusedPage,
} from "../pages/oauth.ts";
import { sessionAthleteId, setSession } from "../session.ts";

/** What runstrong asks for: profile, every run (private ones too), heart-rate zones. */
export const STRAVA_SCOPES = ["read", "activity:read_all", "profile:read_all"] as const;

export const STATE_PURPOSE = "oauth-state";
export { STATE_COOKIE, STATE_TTL_MS };
/** The weeks of history imported on connect. */
export const CONNECT_BACKFILL_WEEKS = 6;

const START_PATH = "/auth/strava";
const CALLBACK_PATH = "/auth/strava/callback";
const CONNECTED_PATH = "/auth/strava/connected";

function requireStravaConfigured(config: Config): { clientId: string; clientSecret: string } {
  const { clientId, clientSecret } = config.strava;
  if (!clientId || !clientSecret)
    throw new AppError(
      "unavailable",
      "Strava is not configured on this server: create a Strava API application (docs/strava.md), then set STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET and restart",
    );
  return { clientId, clientSecret };
}

function displayName(a: { firstname: string | null; lastname: string | null }): string | null {
  return [a.firstname, a.lastname].filter(Boolean).join(" ") || null;
}

/** The granted scopes Strava reports back (comma-separated; some servers use spaces). */
export function parseScopes(scope: string | undefined): string[] {
  return (scope ?? "")
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

export function registerAuthStrava(app: Hono<AppEnv>, deps: AppDeps): void {
  const { config } = deps;
  const flow = oauthState(config, { purpose: STATE_PURPOSE, cookiePath: START_PATH });

  app.get(START_PATH, (c) => {
    const { clientId } = requireStravaConfigured(config);
    const { state } = flow.begin(c, deps.now());
    const url = new URL(`${config.strava.oauthBaseUrl}/authorize`);
    url.search = new URLSearchParams({
      client_id: clientId,
      redirect_uri: `${config.http.publicUrl}${CALLBACK_PATH}`,
      response_type: "code",
      approval_prompt: "auto",
      scope: STRAVA_SCOPES.join(","),
      state,
    }).toString();
    return c.redirect(url.toString(), 302);
  });

  app.get(CALLBACK_PATH, async (c) => {
    requireStravaConfigured(config);
    const log = c.get("logger");
    const q = c.req.query();
    const now = deps.now();

    const checked = flow.finish(c, q.state, now);
    if (!checked.ok) {
      const { ok: _ok, ...why } = checked;
      log.info(why, "strava callback refused: bad state");
      return c.html(badStatePage(START_PATH), 400);
    }

    if (q.error) {
      log.info({ error: q.error }, "strava authorization not granted");
      if (q.error === "access_denied") return c.html(deniedPage(START_PATH), 200);
      return c.html(failedPage(START_PATH, "Strava reported a problem with the request."), 400);
    }

    const granted = parseScopes(q.scope);
    const missing = STRAVA_SCOPES.filter((s) => !granted.includes(s));
    if (missing.length > 0) {
      log.info({ granted, missing }, "strava authorization without required scopes");
      return c.html(missingScopesPage(missing, START_PATH), 200);
    }
    if (!q.code) return c.html(failedPage(START_PATH, "Strava sent no authorization code back."), 400);

    let exchanged: Awaited<ReturnType<typeof exchangeCode>>;
    try {
      exchanged = await exchangeCode(config, q.code, log);
    } catch (err) {
      if (!(err instanceof StravaError)) throw err;
      log.warn({ status: err.status, err: err.message }, "strava code exchange failed");
      const refused = providerRefusedPage("Strava", START_PATH, err);
      return c.html(refused.page, refused.status);
    }

    const { athlete, connection, created } = await connectAthlete(
      deps.db,
      config.secrets.tokenEncryptionKey,
      {
        provider: "strava",
        externalAthleteId: exchanged.athlete.id,
        displayName: displayName(exchanged.athlete),
        tokens: {
          accessToken: exchanged.accessToken,
          refreshToken: exchanged.refreshToken,
          expiresAt: exchanged.expiresAt,
        },
        scopes: granted,
        signedInAthleteId: sessionAthleteId(c, config, now),
      },
    );
    const athleteLog = log.child({ athleteId: athlete.id });
    athleteLog.info({ created, connectionId: connection.id }, "strava connected");

    setSession(c, athlete.id, config, now);
    await queueFirstImport(deps, athlete.id);
    return c.redirect(CONNECTED_PATH, 302);
  });

  app.get(CONNECTED_PATH, async (c) => {
    const athleteId = sessionAthleteId(c, config, deps.now());
    const athlete = athleteId === null ? null : await getAthlete(deps.db, athleteId);
    return c.html(connectedPage(athlete?.displayName ?? null));
  });
}

/**
 * After a connect: the zones (classification measures effort against them), the
 * last weeks of activities, and a first plan. Deduplicated per athlete, so a
 * double click on "Authorize" queues each once.
 */
export async function queueFirstImport(deps: Pick<AppDeps, "queues" | "config">, athleteId: number) {
  await enqueue(
    deps.queues,
    "strava-fetch-zones",
    { athleteId },
    { deduplication: { id: `strava-zones-${athleteId}` } },
  );
  await enqueueBackfill(deps.queues, athleteId, CONNECT_BACKFILL_WEEKS);
  await requestReplan(
    deps.queues,
    athleteId,
    { type: "connect", provider: "strava" },
    deps.config.replan.debounceMs,
  );
}
