// The Strava webhook against forged and hostile input, on real Postgres and Redis:
// the secret in its path, one answer for every owner, event times that cannot be
// true, a value Postgres refuses inside a batch, and a Postgres that hangs or stops.
import { and, eq, inArray } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import type { Config } from "../../src/config.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { webhookEvents } from "../../src/db/schema/index.ts";
import type { StravaWebhookEvent } from "../../src/integrations/strava/webhook-event.ts";
import { createApp } from "../../src/server/app.ts";
import { stravaIntake } from "../../src/server/routes/strava-webhook.ts";
import { webhookPath } from "../../src/server/webhook-path.ts";
import { ADMIN_URL } from "../support/databases.ts";
import {
  STRAVA_TEST_ENV,
  STRAVA_WEBHOOK,
  seedStravaAthlete,
  stravaEvent,
  useStravaFake,
} from "../support/strava-fake.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";
import { testConfig, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
useStravaFake();

function app(o: { config?: Config; db?: Database } = {}) {
  return createApp({
    config: o.config ?? env.config,
    db: o.db ?? env.pool.db,
    queues: env.queues,
    logger: env.logger,
    metrics: env.metrics,
    readiness: [],
    now: () => new Date(),
  });
}

function post(a: ReturnType<typeof app>, body: unknown, path = STRAVA_WEBHOOK) {
  return a.request(path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function stored(objectIds: number[]) {
  const rows = await env.pool.db
    .select({ objectId: webhookEvents.objectId })
    .from(webhookEvents)
    .where(
      and(
        eq(webhookEvents.provider, "strava"),
        inArray(
          webhookEvents.objectId,
          objectIds.map((id) => String(id)),
        ),
      ),
    );
  return rows.map((r) => Number(r.objectId)).sort((a, b) => a - b);
}

type ErrorBody = { error: { code: string; message: string; requestId: string } };

describe("the secret in the webhook's path", () => {
  it("answers a wrong or missing secret exactly as a path with no route: 404, same body, nothing stored", async () => {
    await seedStravaAthlete(env, { ownerId: 3001 });
    const a = app();
    const secret = STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET;
    const noRoute = await post(a, {}, "/webhooks/nowhere");
    expect(noRoute.status).toBe(404);
    const noRouteBody = (await noRoute.json()) as ErrorBody;

    const wrong = [
      "/webhooks/strava",
      "/webhooks/strava/",
      webhookPath("strava", `${secret}x`),
      webhookPath("strava", secret.slice(0, -1)),
      webhookPath("strava", "x".repeat(secret.length)),
    ];
    for (const [i, path] of wrong.entries()) {
      const res = await post(a, stravaEvent({ objectId: 7000 + i, ownerId: 3001 }), path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toBe(noRoute.headers.get("content-type"));
      const body = (await res.json()) as ErrorBody;
      expect(Object.keys(body.error).sort()).toEqual(Object.keys(noRouteBody.error).sort());
      expect(body.error.code).toBe(noRouteBody.error.code);
      expect(body.error.message).toBe(`no route for POST ${path}`);
    }
    // The handshake too: a right verify token on a wrong path is no route.
    const handshake = await a.request(
      `/webhooks/strava/${"y".repeat(40)}?hub.verify_token=${STRAVA_TEST_ENV.STRAVA_VERIFY_TOKEN}&hub.challenge=abc&hub.mode=subscribe`,
    );
    expect(handshake.status).toBe(404);
    expect(((await handshake.json()) as ErrorBody).error.code).toBe("not_found");
    expect(await stored(wrong.map((_, i) => 7000 + i))).toEqual([]);

    // The right secret stores the same event.
    expect((await post(a, stravaEvent({ objectId: 7000, ownerId: 3001 }))).status).toBe(200);
    expect(await stored([7000])).toEqual([7000]);
  });

  it("never writes the secret to the log: request lines name the route pattern", async () => {
    await seedStravaAthlete(env, { ownerId: 3002 });
    const res = await post(app(), stravaEvent({ objectId: 7100, ownerId: 3002 }));
    expect(res.status).toBe(200);
    const line = env.logs.find((l) => l.msg === "request" && l.requestId === res.headers.get("x-request-id"));
    expect(line?.route).toBe("/webhooks/strava/:secret");
    expect(JSON.stringify(env.logs)).not.toContain(STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET);
  });
});

describe("one answer for every owner", () => {
  it("answers a connected athlete's event and a stranger's alike, and stores only the athlete's", async () => {
    await seedStravaAthlete(env, { ownerId: 3101 });
    const a = app();
    const known = await post(a, stravaEvent({ objectId: 7200, ownerId: 3101 }));
    const unknown = await post(a, stravaEvent({ objectId: 7201, ownerId: 987_654 }));
    const again = await post(a, stravaEvent({ objectId: 7200, ownerId: 3101 }));
    const answers = await Promise.all(
      [known, unknown, again].map(async (r) => ({
        status: r.status,
        type: r.headers.get("content-type"),
        body: await r.text(),
      })),
    );
    expect(answers[0]).toEqual({ status: 200, type: "application/json", body: '{"status":"received"}' });
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(await stored([7200, 7201])).toEqual([7200]);
  });
});

describe("event_time", () => {
  it("a 2^53 event_time in a batch gets 422 and leaves its neighbours stored", async () => {
    await seedStravaAthlete(env, { ownerId: 3201 });
    const a = app();
    const ids = Array.from({ length: 8 }, (_, i) => 7300 + i);
    const answers = await Promise.all(
      ids.map((id, i) =>
        post(a, stravaEvent({ objectId: id, ownerId: 3201, ...(i === 3 ? { eventTime: 2 ** 53 - 1 } : {}) })),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 422, 200, 200, 200, 200]);
    const refused = (await answers[3]?.json()) as ErrorBody;
    expect(refused.error).toMatchObject({
      code: "unprocessable",
      message: "event_time is more than a day ahead",
    });
    expect(refused.error.requestId).toBeTruthy();
    expect(await stored(ids)).toEqual(ids.filter((_, i) => i !== 3));
  });

  it("refuses times before 2009 or more than a day ahead with 422, storing nothing", async () => {
    await seedStravaAthlete(env, { ownerId: 3202 });
    const a = app();
    const now = Math.floor(Date.now() / 1000);
    const cases = [
      { objectId: 7400, eventTime: 1_230_767_999, status: 422 }, // 2008-12-31T23:59:59Z
      { objectId: 7401, eventTime: 0, status: 422 },
      { objectId: 7402, eventTime: now + 86_400 + 120, status: 422 },
      { objectId: 7403, eventTime: 1_230_768_000, status: 200 }, // 2009-01-01T00:00:00Z
      { objectId: 7404, eventTime: now + 3_600, status: 200 }, // a clock an hour fast
    ];
    for (const c of cases) {
      const res = await post(a, stravaEvent({ objectId: c.objectId, ownerId: 3202, eventTime: c.eventTime }));
      expect(res.status, String(c.eventTime)).toBe(c.status);
    }
    expect(await stored(cases.map((c) => c.objectId))).toEqual([7403, 7404]);
  });
});

describe("a batch in which Postgres refuses one event", () => {
  it("stores the neighbours, answers 422 to that event alone, and logs the failure without the events", async () => {
    await seedStravaAthlete(env, { ownerId: 3301 });
    const a = app();
    const ids = Array.from({ length: 6 }, (_, i) => 7500 + i);
    // Valid JSON and a valid event, but jsonb holds no \u0000: Postgres refuses the row (22P05).
    const answers = await Promise.all(
      ids.map((id, i) =>
        post(
          a,
          stravaEvent({
            objectId: id,
            ownerId: 3301,
            aspect: "update",
            updates: { title: i === 2 ? "Tempo\u0000" : `Run ${i}` },
          }),
        ),
      ),
    );
    expect(answers.map((r) => r.status)).toEqual([200, 200, 422, 200, 200, 200]);
    expect(((await (answers[2] as Response).json()) as ErrorBody).error.code).toBe("unprocessable");
    expect(await stored(ids)).toEqual(ids.filter((_, i) => i !== 2));

    const failures = env.logs.filter((l) => String(l.msg).startsWith("could not store"));
    expect(failures.length).toBeGreaterThanOrEqual(1);
    for (const l of failures) {
      expect((l.err as { message: string }).message).toMatch(/^database error 22P05/);
      expect(JSON.stringify(l)).not.toMatch(/Tempo|activity\/75/);
    }
  });

  it("retries a failed batch one event at a time even for a value that got past the route", async () => {
    await seedStravaAthlete(env, { ownerId: 3302 });
    const intake = stravaIntake({
      db: env.pool.db,
      queues: env.queues,
      logger: env.logger,
      storeTimeoutMs: 5_000,
    });
    const event = (objectId: number, eventTime = 1_725_991_232): StravaWebhookEvent => ({
      object_type: "activity",
      object_id: String(objectId),
      aspect_type: "create",
      updates: {},
      owner_id: "3302",
      subscription_id: 120475,
      event_time: eventTime,
    });
    // Postgres' timestamp ends in 294276 AD: to_timestamp(2^53 - 1) is out of range (22008).
    const results = await Promise.allSettled([
      intake.submit(event(7600)),
      intake.submit(event(7601, 2 ** 53 - 1)),
      intake.submit(event(7602)),
    ]);
    expect(results.map((r) => r.status)).toEqual(["fulfilled", "rejected", "fulfilled"]);
    expect(await stored([7600, 7601, 7602])).toEqual([7600, 7602]);
    await intake.drain();
  });
});

describe("when Postgres hangs or stops", () => {
  const target = new URL(ADMIN_URL);

  /** The app on this file's database, reached through a proxy the test controls. */
  async function proxied(o: { pinSubscription: boolean } = { pinSubscription: true }) {
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    const url = proxy.urlFor(env.config.databaseUrl);
    const pool = openDatabase(url, { max: 2 });
    onTestFinished(async () => {
      await proxy.stop();
      await pool.sql.end({ timeout: 0 });
    });
    const { STRAVA_SUBSCRIPTION_ID, ...unpinned } = STRAVA_TEST_ENV;
    const config = testConfig({
      ...(o.pinSubscription ? STRAVA_TEST_ENV : unpinned),
      DATABASE_URL: url,
      REDIS_PREFIX: env.prefix,
      WEBHOOK_STORE_TIMEOUT_MS: "300",
    });
    return { proxy, a: app({ config, db: pool.db }) };
  }

  /** The answer, or "no answer" after 3 s (the code before this change kept waiting). */
  async function timedPost(a: ReturnType<typeof app>, body: unknown) {
    const started = performance.now();
    const res = await Promise.race([
      post(a, body),
      new Promise<null>((r) => setTimeout(() => r(null), 3_000)),
    ]);
    return {
      ms: performance.now() - started,
      status: res?.status ?? "no answer",
      code: res ? ((await res.json()) as ErrorBody).error?.code : null,
    };
  }

  it("answers 503 (unavailable) within a second while Postgres hangs", async () => {
    await seedStravaAthlete(env, { ownerId: 3401 });
    const { proxy, a } = await proxied();
    // Connections are open and working ...
    expect((await post(a, stravaEvent({ objectId: 7700, ownerId: 3401 }))).status).toBe(200);
    // ... then Postgres stops answering on them (and on any new one).
    proxy.hang();
    const first = await Promise.all(
      [7701, 7702, 7703].map((id) => timedPost(a, stravaEvent({ objectId: id, ownerId: 3401 }))),
    );
    const later = await timedPost(a, stravaEvent({ objectId: 7704, ownerId: 3401 }));
    // An app that has yet to read the stored subscription id waits no longer.
    const unpinned = await proxied({ pinSubscription: false });
    unpinned.proxy.hang();
    const lookup = await timedPost(unpinned.a, stravaEvent({ objectId: 7705, ownerId: 3401 }));
    for (const r of [...first, later, lookup]) {
      expect(r).toMatchObject({ status: 503, code: "unavailable" });
      expect(r.ms).toBeLessThan(1_000);
    }
  });

  it("answers 503 (unavailable) within a second when Postgres is stopped", async () => {
    await seedStravaAthlete(env, { ownerId: 3402 });
    const { proxy, a } = await proxied();
    expect((await post(a, stravaEvent({ objectId: 7800, ownerId: 3402 }))).status).toBe(200);
    await proxy.stop();
    for (const id of [7801, 7802]) {
      const r = await timedPost(a, stravaEvent({ objectId: id, ownerId: 3402 }));
      expect(r).toMatchObject({ status: 503, code: "unavailable" });
      expect(r.ms).toBeLessThan(1_000);
    }
    expect(await stored([7801, 7802])).toEqual([]);
  });
});
