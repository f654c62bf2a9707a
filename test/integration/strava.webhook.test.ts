// POST/GET /webhooks/strava/{secret} against real Postgres and Redis: the handshake, storing
// each event once, refusing forged ones without a row or an API call, and never
// acknowledging an event that was not stored.
import { count, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import type { Config } from "../../src/config.ts";
import { type Database, openDatabase } from "../../src/db/client.ts";
import { STRAVA_SUBSCRIPTION_KEY } from "../../src/db/repos/strava-data.ts";
import { appState, webhookEvents } from "../../src/db/schema/index.ts";
import { createApp } from "../../src/server/app.ts";
import { allQueues } from "../../src/server/deps.ts";
import { LIVE_PRIORITY } from "../../src/workers/jobs.ts";
import { stravaProcessor } from "../../src/workers/processors/strava.ts";
import { createQueues, enqueue, type Queues } from "../../src/workers/queues.ts";
import { stravaEventBatchJobId, stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import {
  queueEvents,
  runWorkers,
  STRAVA_TEST_ENV,
  STRAVA_WEBHOOK,
  seedStravaAthlete,
  stravaEvent,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testConfig, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();

function app(o: { config?: Config; db?: Database; queues?: Queues } = {}) {
  return createApp({
    config: o.config ?? env.config,
    db: o.db ?? env.pool.db,
    queues: o.queues ?? env.queues,
    logger: env.logger,
    metrics: env.metrics,
    readiness: [],
    now: () => new Date(),
  });
}

function post(a: ReturnType<typeof app>, body: unknown) {
  return a.request(STRAVA_WEBHOOK, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
}

async function rows(objectId?: number) {
  const q = env.pool.db.select().from(webhookEvents);
  return objectId === undefined ? q : q.where(eq(webhookEvents.objectId, String(objectId)));
}

describe("the subscription handshake", () => {
  it("echoes hub.challenge as JSON when the verify token matches", async () => {
    const res = await app().request(
      `${STRAVA_WEBHOOK}?hub.verify_token=${STRAVA_TEST_ENV.STRAVA_VERIFY_TOKEN}&hub.challenge=15f7d1a91c1f40f8a748fd134752feb3&hub.mode=subscribe`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ "hub.challenge": "15f7d1a91c1f40f8a748fd134752feb3" });
  });

  it("answers 403 with a JSON error when the verify token is wrong or missing", async () => {
    for (const query of [
      "hub.verify_token=STRAVA&hub.challenge=abc&hub.mode=subscribe",
      "hub.challenge=abc&hub.mode=subscribe",
    ]) {
      const res = await app().request(`${STRAVA_WEBHOOK}?${query}`);
      expect(res.status).toBe(403);
      const body = (await res.json()) as { error: { code: string; requestId: string } };
      expect(body.error.code).toBe("forbidden");
      expect(body.error.requestId).toBeTruthy();
    }
  });
});

describe("storing events", () => {
  it("stores an event of a connected athlete and queues its job at live priority", async () => {
    await seedStravaAthlete(env, { ownerId: 1001 });
    const res = await post(app(), stravaEvent({ objectId: 5001, ownerId: 1001 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "received" });
    const [row] = await rows(5001);
    expect(row).toMatchObject({ status: "received", externalAthleteId: "1001", aspectType: "create" });
    if (!row) throw new Error("not stored");
    // The request adds one job for its batch, at live priority ...
    const batch = await vi.waitFor(async () => {
      const found = await env.queues.strava.getJob(stravaEventBatchJobId(env.queues, [row.id]));
      if (!found) throw new Error("no batch job yet");
      return found;
    });
    expect(batch.name).toBe("strava-event-batch");
    expect(batch.data).toEqual({ eventIds: [row.id] });
    expect(batch.opts.priority).toBe(LIVE_PRIORITY);
    // ... whose handler gives the event a job of its own, at live priority too.
    const deps = {
      config: env.config,
      db: env.pool.db,
      queues: env.queues,
      logger: env.logger,
      now: () => new Date(),
    };
    await stravaProcessor["strava-event-batch"](batch.data, deps, {
      jobId: batch.id ?? "",
      attempt: 1,
      logger: env.logger,
    });
    const job = await env.queues.strava.getJob(stravaEventJobId(env.queues, row.id));
    expect(job?.name).toBe("strava-event");
    expect(job?.data).toEqual({ eventId: row.id });
    expect(job?.opts.priority).toBe(LIVE_PRIORITY);
  });

  it("logs a stored event's request at debug (the inbox row is its record) and a refused one at info", async () => {
    await seedStravaAthlete(env, { ownerId: 1090 });
    const stored = await post(app(), stravaEvent({ objectId: 5900, ownerId: 1090 }));
    const refused = await post(app(), {
      ...stravaEvent({ objectId: 5901, ownerId: 1090 }),
      subscription_id: 1,
    });
    expect([stored.status, refused.status]).toEqual([200, 403]);
    const line = (id: string | null) =>
      env.logs.find(
        (l) => l.msg === "request" && l.requestId === id && l.route === "/webhooks/strava/:secret",
      );
    expect(line(stored.headers.get("x-request-id"))?.level).toBe(20);
    expect(line(refused.headers.get("x-request-id"))?.level).toBe(30);
  });

  it("stores a repeated delivery once, whether the repeats come one after another or together", async () => {
    await seedStravaAthlete(env, { ownerId: 1002 });
    const event = stravaEvent({
      objectId: 5002,
      ownerId: 1002,
      aspect: "update",
      updates: { title: "Messy" },
    });
    const a = app();
    const first = await post(a, event);
    expect(await first.json()).toEqual({ status: "received" });
    const again = await Promise.all([post(a, event), post(a, event), post(a, JSON.stringify(event))]);
    for (const res of again) {
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ status: "received" });
    }
    const together = stravaEvent({ objectId: 5003, ownerId: 1002 });
    const burst = await Promise.all(Array.from({ length: 5 }, () => post(a, together)));
    expect(burst.every((r) => r.status === 200)).toBe(true);
    expect(await rows(5002)).toHaveLength(1);
    expect(await rows(5003)).toHaveLength(1);
    // Each stored event queued once: its batch's job here, one job per event in the worker.
    const mine = [(await rows(5002))[0]?.id ?? 0, (await rows(5003))[0]?.id ?? 0];
    const batchOf = (ids: number[]) => ids.some((id) => mine.includes(id));
    const batches = await vi.waitFor(async () => {
      const jobs = (await env.queues.strava.getJobs(["prioritized", "waiting"])).filter(
        (j) => j.name === "strava-event-batch" && batchOf((j.data as { eventIds: number[] }).eventIds),
      );
      const ids = new Set(jobs.flatMap((j) => (j.data as { eventIds: number[] }).eventIds));
      if (!mine.every((id) => ids.has(id))) throw new Error("not queued yet");
      return jobs;
    });
    const deps = {
      config: env.config,
      db: env.pool.db,
      queues: env.queues,
      logger: env.logger,
      now: () => new Date(),
    };
    for (const b of batches)
      await stravaProcessor["strava-event-batch"](b.data, deps, {
        jobId: b.id ?? "",
        attempt: 1,
        logger: env.logger,
      });
    const perEvent = (await env.queues.strava.getJobs(["prioritized", "waiting"])).filter(
      (j) => j.name === "strava-event" && mine.includes((j.data as { eventId: number }).eventId),
    );
    expect(perEvent.map((j) => j.id).sort()).toEqual(
      mine.map((id) => stravaEventJobId(env.queues, id)).sort(),
    );
  });

  it("keeps two different changes of one activity in the same second apart", async () => {
    await seedStravaAthlete(env, { ownerId: 1003 });
    const a = app();
    await post(
      a,
      stravaEvent({ objectId: 5004, ownerId: 1003, aspect: "update", updates: { title: "Tempo" } }),
    );
    await post(a, stravaEvent({ objectId: 5004, ownerId: 1003, aspect: "update", updates: { type: "Run" } }));
    expect(await rows(5004)).toHaveLength(2);
  });

  it("stores a burst of concurrent events from many requests, each exactly once", async () => {
    await seedStravaAthlete(env, { ownerId: 1004 });
    const a = app();
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => post(a, stravaEvent({ objectId: 60_000 + i, ownerId: 1004 }))),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const [n] = await env.pool.db
      .select({ n: count() })
      .from(webhookEvents)
      .where(eq(webhookEvents.externalAthleteId, "1004"));
    expect(n?.n).toBe(200);
  });
});

describe("forged and bad events", () => {
  it("refuses an event for another subscription: 403, nothing stored, no API call", async () => {
    await seedStravaAthlete(env, { ownerId: 1005 });
    runWorkers(env);
    const res = await post(app(), stravaEvent({ objectId: 5005, ownerId: 1005, subscriptionId: 999 }));
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("forbidden");
    expect(await rows(5005)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.count("GET", /\/activities\/5005$/)).toBe(0);
  });

  it("answers 200 to an event of no connected athlete, storing nothing and calling nothing", async () => {
    runWorkers(env);
    const res = await post(app(), stravaEvent({ objectId: 5006, ownerId: 424242 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "received" });
    expect(await rows(5006)).toHaveLength(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.count("GET", /\/activities\/5006$/)).toBe(0);
  });

  it("answers 400 with a JSON error to a body that is not a Strava event, and logs it", async () => {
    const a = app();
    const notJson = await post(a, "{nope");
    expect(notJson.status).toBe(400);
    const missing = await post(a, { object_type: "activity", object_id: 1 });
    expect(missing.status).toBe(400);
    const body = (await missing.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error).toMatchObject({ code: "validation_failed", message: "not a Strava webhook event" });
    expect(env.logs.some((l) => l.code === "validation_failed" && l.requestId === body.error.requestId)).toBe(
      true,
    );
  });

  it("answers 413 to a body over the limit without reading it", async () => {
    const res = await post(app(), JSON.stringify({ pad: "x".repeat(1024 * 1024) }));
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("payload_too_large");
    const declared = await app().request(STRAVA_WEBHOOK, {
      method: "POST",
      headers: { "content-type": "application/json", "content-length": String(2 * 1024 * 1024) },
      body: "{}",
    });
    expect(declared.status).toBe(413);
  });

  it("takes the subscription id `runstrong strava subscribe` stored when none is configured", async () => {
    await seedStravaAthlete(env, { ownerId: 1007 });
    const { STRAVA_SUBSCRIPTION_ID: _pinned, ...rest } = STRAVA_TEST_ENV;
    const config = testConfig({ ...rest, DATABASE_URL: env.config.databaseUrl, REDIS_PREFIX: env.prefix });
    await env.pool.db.insert(appState).values({ key: STRAVA_SUBSCRIPTION_KEY, value: { id: 777 } });
    const a = app({ config });
    expect((await post(a, stravaEvent({ objectId: 5007, ownerId: 1007, subscriptionId: 777 }))).status).toBe(
      200,
    );
    expect(
      (await post(a, stravaEvent({ objectId: 5008, ownerId: 1007, subscriptionId: 120475 }))).status,
    ).toBe(403);
    expect(await rows(5007)).toHaveLength(1);
    expect(await rows(5008)).toHaveLength(0);
  });
});

describe("when the event cannot be stored", () => {
  it("answers 503 to every request of a batch the closed database could not store, and acknowledges none", async () => {
    await seedStravaAthlete(env, { ownerId: 1009 });
    const broken = openDatabase(env.config.databaseUrl, { max: 1 });
    await broken.close();
    onTestFinished(() => broken.close());
    const a = app({ db: broken.db });
    const answers = await Promise.all(
      Array.from({ length: 5 }, (_, i) => post(a, stravaEvent({ objectId: 5100 + i, ownerId: 1009 }))),
    );
    for (const res of answers) {
      expect(res.status).toBe(503);
      expect(((await res.json()) as { error: { code: string } }).error.code).toBe("unavailable");
    }
    const [n] = await env.pool.db
      .select({ n: count() })
      .from(webhookEvents)
      .where(eq(webhookEvents.externalAthleteId, "1009"));
    expect(n?.n).toBe(0);
  });
});

describe("when Redis cannot take the job", () => {
  it("still answers 200 once the event is stored, and the inbox sweep queues it", async () => {
    await seedStravaAthlete(env, { ownerId: 1010 });
    // Nothing listens on port 1: every Redis command fails at once.
    const dead = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    dead.on("error", () => {});
    const deadQueues = createQueues(dead, env.prefix, env.queues.installId);
    for (const q of allQueues(deadQueues)) q.on("error", () => {});
    onTestFinished(() => dead.disconnect());

    const res = await post(app({ queues: deadQueues }), stravaEvent({ objectId: 5200, ownerId: 1010 }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "received" });
    const [row] = await rows(5200);
    if (!row) throw new Error("not stored");
    expect(await env.queues.strava.getJob(stravaEventJobId(env.queues, row.id))).toBeUndefined();
    await vi.waitFor(() =>
      expect(
        env.logs.some(
          (l) => l.msg === "stored Strava events could not be queued; the inbox sweep will queue them",
        ),
      ).toBe(true),
    );

    const qe = queueEvents(env, "maintenance");
    await qe.waitUntilReady();
    runWorkers(env, ["maintenance"]);
    const jobId = await enqueue(env.queues, "requeue-strava-inbox", { olderThanSeconds: 0 });
    const sweep = await env.queues.maintenance.getJob(jobId ?? "");
    const result = (await sweep?.waitUntilFinished(qe, 10_000)) as { requeued: number };
    expect(result.requeued).toBeGreaterThanOrEqual(1);
    expect((await env.queues.strava.getJob(stravaEventJobId(env.queues, row.id)))?.data).toEqual({
      eventId: row.id,
    });
  });
});
