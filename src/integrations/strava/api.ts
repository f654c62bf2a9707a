// Every call runstrong makes to Strava. API calls go through strava-v3's
// `new strava.client(token, request)` with our own request function (request.ts):
// configurable base URLs, a timeout, the shared rate budget, exact big ids and
// typed errors. strava-v3's OAuth and push-subscription helpers use fixed
// www.strava.com URLs and process-wide credentials, so those calls go through
// the same request function and strava-v3's HTTP client instead. Every answer is
// checked with zod: a field we rely on that goes missing fails here, loudly.
import { createRequire } from "node:module";
import type { Strava } from "strava-v3";
import { z } from "zod";
import type { Config } from "../../config.ts";
import type { Logger } from "../../observability/logger.ts";
import { type StravaActivity, stravaActivitySchema, stravaIdSchema } from "./activity.ts";
import { StravaResponseError } from "./errors.ts";
import type { BudgetLane, RateBudget } from "./rate-budget.ts";
import { createStravaRequest, type StravaRequestOptions } from "./request.ts";
import { type StravaZones, stravaZonesSchema } from "./zones.ts";

export * from "./errors.ts";

export interface StravaApiOptions {
  apiBaseUrl: string;
  oauthBaseUrl: string;
  timeoutMs: number;
  clientId: string | null;
  clientSecret: string | null;
  /** the shared budget; null for callers that must not wait on it (tests, one-off scripts) */
  budget: RateBudget | null;
  /** whose share of the budget the calls use; live by default */
  lane?: BudgetLane;
  logger?: Logger;
}

export function stravaApiOptions(
  config: Config,
  extra: { budget: RateBudget | null; lane?: BudgetLane; logger?: Logger },
): StravaApiOptions {
  return {
    apiBaseUrl: config.strava.apiBaseUrl,
    oauthBaseUrl: config.strava.oauthBaseUrl,
    timeoutMs: config.strava.requestTimeoutMs,
    clientId: config.strava.clientId,
    clientSecret: config.strava.clientSecret,
    ...extra,
  };
}

/** Tokens as the token endpoint gives them; the caller encrypts them before storing. */
export interface StravaTokenGrant {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

export interface StravaAthleteSummary {
  /** Strava's athlete id, as text */
  id: string;
  firstname: string | null;
  lastname: string | null;
}

export interface StravaTokenExchange extends StravaTokenGrant {
  athlete: StravaAthleteSummary;
}

export interface StravaPushSubscription {
  id: number;
  callbackUrl: string | null;
  applicationId: number | null;
}

/** A fetched activity: checked and typed, plus the payload as Strava sent it (for `raw`). */
export interface FetchedActivity {
  activity: StravaActivity;
  raw: unknown;
}

export interface ListActivitiesParams {
  /** epoch seconds: only activities that started after this */
  after?: number;
  /** epoch seconds: only activities that started before this */
  before?: number;
  /** 1-based */
  page?: number;
  /** at most 200 (Strava's cap); Strava's default is 30 */
  perPage?: number;
}

export interface StravaApi {
  /** GET /activities/{id}: the detailed activity, laps included (one call per activity) */
  getActivity(accessToken: string, activityId: string): Promise<FetchedActivity>;
  /** GET /athlete/activities: one page of summaries, newest last within the page as Strava orders them */
  listAthleteActivities(accessToken: string, params: ListActivitiesParams): Promise<FetchedActivity[]>;
  /** GET /athlete/zones (needs profile:read_all) */
  getAthleteZones(accessToken: string): Promise<StravaZones>;
  /** POST {oauth}/token, grant_type=authorization_code */
  exchangeCode(code: string): Promise<StravaTokenExchange>;
  /** POST {oauth}/token, grant_type=refresh_token; a refusal throws StravaAuthError */
  refreshToken(refreshToken: string): Promise<StravaTokenGrant>;
  /** GET /push_subscriptions (the app's, by client credentials) */
  listSubscriptions(): Promise<StravaPushSubscription[]>;
  /** POST /push_subscriptions: Strava calls callbackUrl's GET handshake before answering */
  createSubscription(params: { callbackUrl: string; verifyToken: string }): Promise<StravaPushSubscription>;
  /** DELETE /push_subscriptions/{id} */
  deleteSubscription(id: number): Promise<void>;
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_at: z.number().int().positive(),
});

const exchangeSchema = tokenSchema.extend({
  athlete: z.object({
    id: stravaIdSchema,
    firstname: z.string().nullish(),
    lastname: z.string().nullish(),
  }),
});

const subscriptionSchema = z.object({
  id: z.number().int().positive(),
  callback_url: z.string().nullish(),
  application_id: z.number().int().nullish(),
});

function checked<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues
    .slice(0, 4)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`)
    .join("; ");
  throw new StravaResponseError(`Strava answered ${what} with an unexpected shape: ${issues}`);
}

function grant(t: z.infer<typeof tokenSchema>): StravaTokenGrant {
  return {
    accessToken: t.access_token,
    refreshToken: t.refresh_token,
    expiresAt: new Date(t.expires_at * 1000),
  };
}

function subscription(s: z.infer<typeof subscriptionSchema>): StravaPushSubscription {
  return { id: s.id, callbackUrl: s.callback_url ?? null, applicationId: s.application_id ?? null };
}

/** The part of strava-v3's (untyped) HTTP client the push-subscription calls use. */
interface StravaHttpClient {
  getEndpoint(endpoint: string, args?: Record<string, unknown>): Promise<unknown>;
  postEndpoint(endpoint: string, args?: Record<string, unknown>): Promise<unknown>;
  deleteEndpoint(endpoint: string, args?: Record<string, unknown>): Promise<unknown>;
}
type StravaHttpClientClass = new (
  request: (options: StravaRequestOptions) => Promise<unknown>,
) => StravaHttpClient;
// strava-v3 is CommonJS whose typings declare an ES default export; require() gives
// exactly the object its typings describe. It is required on the first call, not at
// start: with axios it is about 30 MB resident, and an idle process makes no call
// (bench/rss.ts). Node caches the module; a missing package fails that call.
const require = createRequire(import.meta.url);
const stravaV3 = () => require("strava-v3") as Strava;
const stravaHttpClient = () => require("strava-v3/lib/httpClient.js") as StravaHttpClientClass;

export function createStravaApi(options: StravaApiOptions): StravaApi {
  const request = createStravaRequest(options);
  // Push subscriptions are app-level calls (client credentials, no athlete token): no
  // Authorization header, and the credentials passed per call, not set process-wide.
  let appClientMade: StravaHttpClient | undefined;
  const appClient = (): StravaHttpClient => {
    const HttpClient = stravaHttpClient();
    appClientMade ??= new HttpClient((o) =>
      request({ ...o, headers: { ...o.headers, Authorization: null } }),
    );
    return appClientMade;
  };

  const credentials = () => {
    if (!options.clientId || !options.clientSecret)
      throw new Error("STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET are not set: Strava is not configured");
    return { client_id: options.clientId, client_secret: options.clientSecret };
  };
  const credentialQuery = () => new URLSearchParams(credentials()).toString();

  const token = async (form: Record<string, string>) => {
    const res = await request({
      url: `${options.oauthBaseUrl}/token`,
      method: "POST",
      form: { ...credentials(), ...form },
      resolveWithFullResponse: true,
      budget: false,
    });
    return res.body;
  };

  return {
    async getActivity(accessToken, activityId) {
      const client = new (stravaV3().client)(accessToken, request);
      const raw: unknown = await client.activities.get({ id: activityId });
      return { activity: checked(stravaActivitySchema, raw, `GET /activities/${activityId}`), raw };
    },

    async listAthleteActivities(accessToken, params) {
      const client = new (stravaV3().client)(accessToken, request);
      const raw: unknown = await client.athlete.listActivities({
        ...(params.after !== undefined ? { after: params.after } : {}),
        ...(params.before !== undefined ? { before: params.before } : {}),
        ...(params.page !== undefined ? { page: params.page } : {}),
        ...(params.perPage !== undefined ? { per_page: params.perPage } : {}),
      });
      const items = checked(z.array(z.unknown()), raw, "GET /athlete/activities");
      return items.map((item) => ({
        activity: checked(stravaActivitySchema, item, "GET /athlete/activities"),
        raw: item,
      }));
    },

    async getAthleteZones(accessToken) {
      const client = new (stravaV3().client)(accessToken, request);
      const raw: unknown = await client.athlete.listZones();
      return checked(stravaZonesSchema, raw, "GET /athlete/zones");
    },

    async exchangeCode(code) {
      const body = checked(
        exchangeSchema,
        await token({ code, grant_type: "authorization_code" }),
        "POST /oauth/token",
      );
      return {
        ...grant(body),
        athlete: {
          id: body.athlete.id,
          firstname: body.athlete.firstname ?? null,
          lastname: body.athlete.lastname ?? null,
        },
      };
    },

    async refreshToken(refreshToken) {
      const body = await token({ refresh_token: refreshToken, grant_type: "refresh_token" });
      return grant(checked(tokenSchema, body, "POST /oauth/token (refresh)"));
    },

    async listSubscriptions() {
      const raw = await appClient().getEndpoint(`push_subscriptions?${credentialQuery()}`);
      return checked(z.array(subscriptionSchema), raw, "GET /push_subscriptions").map(subscription);
    },

    async createSubscription(params) {
      const raw = await appClient().postEndpoint("push_subscriptions", {
        form: { ...credentials(), callback_url: params.callbackUrl, verify_token: params.verifyToken },
      });
      return subscription(checked(subscriptionSchema, raw, "POST /push_subscriptions"));
    },

    async deleteSubscription(id) {
      await appClient().deleteEndpoint(`push_subscriptions/${id}?${credentialQuery()}`);
    },
  };
}

/** One-off calls outside a job (the OAuth callback, the CLI): no budget to wait on. */
function oneOff(config: Config, logger?: Logger): StravaApi {
  return createStravaApi(
    stravaApiOptions(config, { budget: null, lane: "interactive", ...(logger ? { logger } : {}) }),
  );
}

/** Exchanges an OAuth code for the athlete's tokens (the connect callback). */
export function exchangeCode(config: Config, code: string, logger?: Logger): Promise<StravaTokenExchange> {
  return oneOff(config, logger).exchangeCode(code);
}

export function listSubscriptions(config: Config, logger?: Logger): Promise<StravaPushSubscription[]> {
  return oneOff(config, logger).listSubscriptions();
}

export function createSubscription(
  config: Config,
  params: { callbackUrl: string; verifyToken: string },
  logger?: Logger,
): Promise<StravaPushSubscription> {
  return oneOff(config, logger).createSubscription(params);
}

export function deleteSubscription(config: Config, id: number, logger?: Logger): Promise<void> {
  return oneOff(config, logger).deleteSubscription(id);
}
