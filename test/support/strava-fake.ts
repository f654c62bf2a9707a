// Strava as msw stands in for it: the API, the OAuth token endpoint and push
// subscriptions, answering with the recorded shapes and rate-limit headers of
// test/fixtures/strava. State is plain and mutable so a test can
// say "the next two GETs of this activity are 404" or "usage is near the limit",
// and every request is recorded so a test can count what was called.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { QueueEvents } from "bullmq";
import { eq } from "drizzle-orm";
import { type HttpHandler, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, expect, onTestFinished, vi } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { connectAthlete } from "../../src/db/repos/connections.ts";
import { getInboxEvent, type InboxEvent } from "../../src/db/repos/webhook-inbox.ts";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { parseStravaJson } from "../../src/integrations/strava/activity.ts";
import { webhookPath } from "../../src/server/webhook-path.ts";
import type { QueueName } from "../../src/workers/jobs.ts";
import { startWorkers } from "../../src/workers/run-workers.ts";
import { stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import { separateRedis, type TestEnv } from "./test-env.ts";

const FIXTURES = new URL("../fixtures/strava/", import.meta.url);

export function stravaFixture<T = unknown>(name: string): T {
  return parseStravaJson(readFileSync(fileURLToPath(new URL(name, FIXTURES)), "utf8")) as T;
}

/** Settings a test environment needs for Strava (pass to useTestEnv). */
export const STRAVA_TEST_ENV = {
  STRAVA_API_BASE_URL: "https://strava.test/api/v3",
  STRAVA_OAUTH_BASE_URL: "https://strava.test/oauth",
  STRAVA_CLIENT_ID: "24523",
  STRAVA_CLIENT_SECRET: "client-secret-for-tests",
  STRAVA_VERIFY_TOKEN: "verify-token-for-tests",
  STRAVA_SUBSCRIPTION_ID: "120475",
  STRAVA_WEBHOOK_SECRET: "webhook-secret-for-tests-0123456789",
} as const;
export const SUBSCRIPTION_ID = 120475;
/** Where the test app takes Strava's events: the webhook path with the test secret. */
export const STRAVA_WEBHOOK = webhookPath("strava", STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET);

/** The headers recorded with GET /activities/1946417534 (_http-metadata.json). */
export const RECORDED_RATE = {
  limit: [200, 2000],
  usage: [5, 148],
  readLimit: [100, 1000],
  readUsage: [5, 148],
};

/** A detailed activity: the recorded NYC Marathon run (laps, HR, workout_type 1) with the given identity. */
export function detailedActivity(o: {
  id: string | number;
  athleteId: string | number;
  name?: string;
  workoutType?: number | null;
  sportType?: string;
  startDate?: string;
}): Record<string, unknown> {
  const base = stravaFixture<Record<string, unknown>>("strava-detailed-activity-run-race.json");
  const start = o.startDate ?? (base.start_date as string);
  return {
    ...base,
    id: Number(o.id),
    athlete: { id: Number(o.athleteId), resource_state: 1 },
    ...(o.name !== undefined ? { name: o.name } : {}),
    ...(o.workoutType !== undefined ? { workout_type: o.workoutType } : {}),
    ...(o.sportType !== undefined ? { sport_type: o.sportType, type: o.sportType } : {}),
    start_date: start,
    laps: (base.laps as Record<string, unknown>[]).map((l) => ({ ...l, start_date: start })),
  };
}

/** A webhook event as Strava POSTs it (field order and types of the documented example). */
export function stravaEvent(o: {
  objectId: number;
  ownerId: number;
  aspect?: "create" | "update" | "delete";
  objectType?: "activity" | "athlete";
  updates?: Record<string, string>;
  eventTime?: number;
  subscriptionId?: number;
}) {
  return {
    aspect_type: o.aspect ?? "create",
    event_time: o.eventTime ?? 1_725_991_232,
    object_id: o.objectId,
    object_type: o.objectType ?? "activity",
    owner_id: o.ownerId,
    subscription_id: o.subscriptionId ?? SUBSCRIPTION_ID,
    updates: o.updates ?? {},
  };
}

export interface RecordedRequest {
  method: string;
  path: string;
  search: string;
  /** the bearer token the request carried, if any */
  token: string | null;
  /** the form a POST /push_subscriptions sent */
  form?: URLSearchParams;
}

export interface StravaFake {
  requests: RecordedRequest[];
  /** how many requests matched `METHOD /path` (path without the base URL's /api/v3 or /oauth) */
  count(method: string, pathPattern: RegExp): number;
  /** activity id -> detailed activity payload that GET /activities/{id} answers */
  activities: Map<string, Record<string, unknown>>;
  /** activity id -> how many more GETs answer 404 before the activity appears */
  notFoundFor: Map<string, number>;
  /** the next n API calls answer 429 with the recorded body */
  tooManyRequests: number;
  /** access tokens the API answers 401 to (revoked or expired on Strava's side) */
  rejectedTokens: Set<string>;
  /** the rate headers each API answer carries; change them to simulate usage */
  rate: typeof RECORDED_RATE;
  token: {
    /** how long the token endpoint takes, so racing refreshes overlap */
    delayMs: number;
    /** refresh answers 400 invalid refresh_token */
    refuse: boolean;
    /** the next n refreshes answer 503 (Strava down for a moment) */
    unavailable: number;
    /** refresh answers 400 naming runstrong's client credentials, not the athlete's token */
    refuseClient: boolean;
    issued: number;
    /** refresh tokens presented so far */
    presented: string[];
  };
  reset(): void;
}

const API = STRAVA_TEST_ENV.STRAVA_API_BASE_URL;
const OAUTH = STRAVA_TEST_ENV.STRAVA_OAUTH_BASE_URL;

function rateHeaders(rate: typeof RECORDED_RATE): Record<string, string> {
  return {
    "X-Ratelimit-Limit": rate.limit.join(","),
    "X-Ratelimit-Usage": rate.usage.join(","),
    "X-Readratelimit-Limit": rate.readLimit.join(","),
    "X-Readratelimit-Usage": rate.readUsage.join(","),
  };
}

/**
 * Starts msw for this test file (call at the top of the file; closed when it ends);
 * state resets after each test. Unhandled requests fail the test. `also`: handlers
 * of another fake (Garmin's) served by the same msw server.
 */
export function useStravaFake(also: readonly HttpHandler[] = []): StravaFake {
  const fresh = () => ({
    activities: new Map<string, Record<string, unknown>>(),
    notFoundFor: new Map<string, number>(),
    tooManyRequests: 0,
    rejectedTokens: new Set<string>(),
    rate: structuredClone(RECORDED_RATE),
    token: {
      delayMs: 0,
      refuse: false,
      unavailable: 0,
      refuseClient: false,
      issued: 0,
      presented: [] as string[],
    },
  });
  const fake: StravaFake = {
    requests: [],
    count: (method, pattern) =>
      fake.requests.filter((r) => r.method === method && pattern.test(r.path)).length,
    ...fresh(),
    reset() {
      fake.requests.length = 0;
      Object.assign(fake, fresh());
    },
  };

  const record = (request: Request, base: string) => {
    const url = new URL(request.url);
    fake.requests.push({
      method: request.method,
      path: url.pathname.slice(new URL(base).pathname.length),
      search: url.search,
      token: request.headers.get("authorization")?.replace(/^Bearer /, "") ?? null,
    });
  };
  const json = (body: unknown, status = 200) =>
    HttpResponse.json(body as Record<string, unknown>, { status, headers: rateHeaders(fake.rate) });
  const limited = () => {
    const token = fake.requests.at(-1)?.token;
    if (token && fake.rejectedTokens.has(token))
      return json(
        {
          message: "Authorization Error",
          errors: [{ resource: "Athlete", field: "access_token", code: "invalid" }],
        },
        401,
      );
    if (fake.tooManyRequests <= 0) return null;
    fake.tooManyRequests--;
    return json(stravaFixture("strava-rate-limit-exceeded-429.json"), 429);
  };
  const notFound = () =>
    json(
      { message: "Record Not Found", errors: [{ resource: "Activity", field: "id", code: "invalid" }] },
      404,
    );

  const server = setupServer(
    ...also,
    http.get(`${API}/activities/:id`, ({ request, params }) => {
      record(request, API);
      const busy = limited();
      if (busy) return busy;
      const id = String(params.id);
      const left = fake.notFoundFor.get(id) ?? 0;
      if (left > 0) {
        fake.notFoundFor.set(id, left - 1);
        return notFound();
      }
      const activity = fake.activities.get(id);
      return activity ? json(activity) : notFound();
    }),
    http.get(`${API}/athlete/activities`, ({ request }) => {
      record(request, API);
      return limited() ?? json([...fake.activities.values()]);
    }),
    http.get(`${API}/athlete/zones`, ({ request }) => {
      record(request, API);
      return limited() ?? json(stravaFixture("strava-athlete-zones.json"));
    }),
    http.get(`${API}/push_subscriptions`, ({ request }) => {
      record(request, API);
      return HttpResponse.json(stravaFixture("strava-push-subscriptions-list.json") as unknown[]);
    }),
    http.post(`${API}/push_subscriptions`, async ({ request }) => {
      record(request, API);
      const last = fake.requests.at(-1);
      if (last) last.form = new URLSearchParams(await request.text());
      return HttpResponse.json(
        stravaFixture("strava-push-subscription-create.json") as Record<string, unknown>,
        {
          status: 201,
        },
      );
    }),
    http.delete(`${API}/push_subscriptions/:id`, ({ request }) => {
      record(request, API);
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`${OAUTH}/token`, async ({ request }) => {
      record(request, OAUTH);
      const form = new URLSearchParams(await request.text());
      if (fake.token.delayMs > 0) await new Promise((r) => setTimeout(r, fake.token.delayMs));
      if (form.get("grant_type") === "refresh_token") {
        fake.token.presented.push(form.get("refresh_token") ?? "");
        if (fake.token.unavailable > 0) {
          fake.token.unavailable--;
          return HttpResponse.json({ message: "Service Unavailable" }, { status: 503 });
        }
        if (fake.token.refuseClient)
          return HttpResponse.json(
            {
              message: "Bad Request",
              errors: [{ resource: "Application", field: "client_secret", code: "invalid" }],
            },
            { status: 400 },
          );
        if (fake.token.refuse)
          return HttpResponse.json(
            {
              message: "Bad Request",
              errors: [{ resource: "RefreshToken", field: "refresh_token", code: "invalid" }],
            },
            { status: 400 },
          );
        fake.token.issued++;
        const base = stravaFixture<Record<string, unknown>>("strava-oauth-token-refresh.json");
        return HttpResponse.json({
          ...base,
          access_token: `access-${fake.token.issued}`,
          refresh_token: `refresh-${fake.token.issued}`,
          expires_at: Math.floor(Date.now() / 1000) + 21_600,
          expires_in: 21_600,
        });
      }
      return HttpResponse.json(stravaFixture("strava-oauth-token-exchange.json") as Record<string, unknown>);
    }),
  );
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => fake.reset());
  afterAll(() => server.close());
  return fake;
}

/**
 * Seeds an athlete connected to Strava as the OAuth callback would (tokens
 * encrypted), with tokens valid for `expiresInMs` (6 h by default).
 */
export async function seedStravaAthlete(
  env: TestEnv,
  o: { ownerId: number; expiresInMs?: number; accessToken?: string; refreshToken?: string; zones?: boolean },
) {
  const connected = await connectAthlete(env.pool.db, env.config.secrets.tokenEncryptionKey, {
    provider: "strava",
    externalAthleteId: String(o.ownerId),
    displayName: `Runner ${o.ownerId}`,
    timezone: "America/New_York",
    tokens: {
      accessToken: o.accessToken ?? `seed-access-${o.ownerId}`,
      refreshToken: o.refreshToken ?? `seed-refresh-${o.ownerId}`,
      expiresAt: new Date(Date.now() + (o.expiresInMs ?? 6 * 3_600_000)),
    },
    scopes: ["read", "activity:read_all", "profile:read_all"],
  });
  return connected;
}

/** Runs real workers on the given queues for the rest of the test. */
export function runWorkers(env: TestEnv, queues: readonly QueueName[] = ["strava"], concurrency = 2) {
  const connection = separateRedis();
  const running = startWorkers(
    { config: env.config, db: env.pool.db, queues: env.queues, logger: env.logger, now: () => new Date() },
    { connection, prefix: env.prefix, concurrency, metrics: env.metrics, queues },
  );
  onTestFinished(async () => {
    await running.close(5_000);
    connection.disconnect();
  });
  return running;
}

/**
 * The `strava-event-<id>` job of a delivered event, once a running strava worker
 * has turned the webhook's batch job into it.
 */
export async function stravaEventJob(env: TestEnv, eventId: number, timeout = 10_000) {
  return vi.waitFor(
    async () => {
      const job = await env.queues.strava.getJob(stravaEventJobId(env.queues, eventId));
      if (!job) throw new Error(`no job for event ${eventId} yet`);
      return job;
    },
    { timeout, interval: 25 },
  );
}

/** Waits until the inbox row leaves "received" (or is deleted: null). */
export async function settledEvent(env: TestEnv, id: number, timeout = 10_000): Promise<InboxEvent | null> {
  return vi.waitFor(
    async () => {
      const row = await getInboxEvent(env.pool.db, id);
      if (row && row.status === "received") throw new Error(`event ${id} still received`);
      return row;
    },
    { timeout, interval: 50 },
  );
}

export function queueEvents(env: TestEnv, queue: QueueName) {
  const qe = new QueueEvents(queue, { connection: separateRedis(), prefix: env.prefix });
  onTestFinished(() => qe.close());
  return qe;
}

/** Delivers an event as Strava would (expecting 200) and returns the newest inbox id stored for its object. */
export async function deliverStravaEvent(
  app: { request: (path: string, init: RequestInit) => Response | Promise<Response> },
  db: Database,
  event: ReturnType<typeof stravaEvent>,
): Promise<number> {
  const res = await app.request(STRAVA_WEBHOOK, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(event),
  });
  expect(res.status).toBe(200);
  const rows = await db
    .select({ id: webhookEvents.id })
    .from(webhookEvents)
    .where(eq(webhookEvents.objectId, String(event.object_id)));
  if (rows.length === 0) throw new Error("event not stored");
  return Math.max(...rows.map((r) => r.id));
}
