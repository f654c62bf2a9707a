import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Redis } from "ioredis";
import { describe, expect, it, onTestFinished } from "vitest";
import { pendingMigrations } from "../../src/db/migrate.ts";
import { createApp } from "../../src/server/app.ts";
import type { ReadinessCheck } from "../../src/server/deps.ts";
import { sessionToken } from "../../src/server/session.ts";
import { createProbeRedis, createProducerRedis, redisReady } from "../../src/workers/connection.ts";
import { closeQueues, createQueues } from "../../src/workers/queues.ts";
import { seedAthlete } from "../support/builders.ts";
import { testConfig, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A real Redis of our own on a spare port, so a test can stop it without touching anyone else's. */
async function privateRedis(): Promise<{ url: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const proc = spawn(
    "redis-server",
    ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
    {
      stdio: "ignore",
    },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let i = 0; i < 50; i++) {
    const r = new Redis(url, { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    r.on("error", () => {});
    try {
      await r.connect();
      await r.ping();
      r.disconnect();
      break;
    } catch {
      r.disconnect();
      await new Promise((res) => setTimeout(res, 50));
    }
  }
  const stop = () =>
    new Promise<void>((resolve) => {
      if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
      proc.once("exit", () => resolve());
      proc.kill("SIGKILL");
    });
  onTestFinished(stop);
  return { url, stop };
}

function appWith(readiness: ReadinessCheck[], extraEnv: Record<string, string> = {}) {
  const config = testConfig({ DATABASE_URL: env.config.databaseUrl, REDIS_PREFIX: env.prefix, ...extraEnv });
  return createApp({
    config,
    db: env.pool.db,
    queues: env.queues,
    logger: env.logger,
    metrics: env.metrics,
    readiness,
    now: () => new Date(),
  });
}

const METRICS_TOKEN = "a-long-metrics-token-for-tests";
const asOperator = { headers: { authorization: `Bearer ${METRICS_TOKEN}` } };

function checksFor(probe: Redis): ReadinessCheck[] {
  return [
    { name: "postgres", check: async () => void (await env.pool.sql`select 1`) },
    {
      name: "migrations",
      check: async () => {
        const n = await pendingMigrations(env.pool.sql);
        if (n > 0) throw new Error(`${n} migration(s) not applied`);
      },
    },
    {
      name: "redis",
      check: async () => {
        if (probe.status !== "ready") throw new Error(`not connected (${probe.status})`);
        await probe.ping();
      },
    },
  ];
}

describe("GET /healthz and /readyz", () => {
  it("healthz answers while the process lives", async () => {
    const res = await appWith([]).request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  it("readyz is 200 with Postgres, migrations and Redis ok, and 503 naming Redis once it stops", async () => {
    const redis = await privateRedis();
    const probe = createProbeRedis(redis.url);
    probe.on("error", () => {});
    onTestFinished(() => probe.disconnect());
    await new Promise((r) => probe.once("ready", r));
    const app = appWith(checksFor(probe), { METRICS_TOKEN });

    const ok = await app.request("/readyz", asOperator);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({
      status: "ok",
      checks: { postgres: { status: "ok" }, migrations: { status: "ok" }, redis: { status: "ok" } },
    });

    await redis.stop();
    await new Promise((r) => setTimeout(r, 100));
    const down = await app.request("/readyz", asOperator);
    expect(down.status).toBe(503);
    const body = (await down.json()) as { failing: string[]; checks: Record<string, { status: string }> };
    expect(body.failing).toEqual(["redis"]);
    expect(body.checks.postgres?.status).toBe("ok");
  });

  it("readyz names migrations when the schema is behind", async () => {
    const probe = createProbeRedis(env.config.redis.url);
    onTestFinished(() => probe.disconnect());
    await new Promise((r) => probe.once("ready", r));
    await env.pool.sql`update drizzle.__drizzle_migrations set created_at = 0`;
    onTestFinished(async () => {
      await env.pool.sql`update drizzle.__drizzle_migrations set created_at = ${String(Date.now())}`;
    });
    const res = await appWith(checksFor(probe), { METRICS_TOKEN }).request("/readyz", asOperator);
    expect(res.status).toBe(503);
    expect(((await res.json()) as { failing: string[] }).failing).toEqual(["migrations"]);
  });

  it("readyz answers anyone a bare 200 or 503 and names the parts only to a token holder", async () => {
    const redis = await privateRedis();
    const probe = createProbeRedis(redis.url);
    probe.on("error", () => {});
    onTestFinished(() => probe.disconnect());
    await new Promise((r) => probe.once("ready", r));
    const admin = "a-long-admin-token-for-tests";
    const app = appWith(checksFor(probe), { ADMIN_TOKEN: admin });

    const bare = await app.request("/readyz");
    expect(bare.status).toBe(200);
    expect(await bare.json()).toEqual({ status: "ok" });
    const detailed = await app.request("/readyz", { headers: { authorization: `Bearer ${admin}` } });
    expect(detailed.status).toBe(200);
    expect(Object.keys(((await detailed.json()) as { checks: object }).checks).sort()).toEqual([
      "migrations",
      "postgres",
      "redis",
    ]);
    const basic = `Basic ${Buffer.from(`admin:${admin}`).toString("base64")}`;
    expect(await (await app.request("/readyz", { headers: { authorization: basic } })).json()).toEqual({
      status: "ok",
    });
    const wrong = await app.request("/readyz", { headers: { authorization: "Bearer not-the-token-at-all" } });
    expect(wrong.status).toBe(401);

    await redis.stop();
    await new Promise((r) => setTimeout(r, 100));
    const down = await app.request("/readyz");
    expect(down.status).toBe(503);
    const text = await down.text();
    expect(JSON.parse(text)).toEqual({ status: "unavailable" });
    expect(text).not.toMatch(/redis|postgres|migration/i);
  });
});

describe("GET /metrics", () => {
  it("serves Prometheus text with HTTP latency and queue depth to the METRICS_TOKEN", async () => {
    const app = appWith([], { METRICS_TOKEN });
    await app.request("/healthz");
    const res = await app.request("/metrics", asOperator);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(text).toMatch(
      /runstrong_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} \d+/,
    );
    expect(text).toMatch(/runstrong_queue_jobs\{queue="maintenance",state="waiting"\} 0/);
  });

  it("refuses a scrape without the token, or with a wrong one, and takes ADMIN_TOKEN too", async () => {
    const admin = "a-long-admin-token-for-tests";
    const app = appWith([], { METRICS_TOKEN, ADMIN_TOKEN: admin });
    const none = await app.request("/metrics");
    expect(none.status).toBe(401);
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    const wrong = await app.request("/metrics", {
      headers: { authorization: "Bearer not-the-token-at-all" },
    });
    expect(wrong.status).toBe(401);
    const basic = `Basic ${Buffer.from(`prometheus:${METRICS_TOKEN}`).toString("base64")}`;
    expect((await app.request("/metrics", { headers: { authorization: basic } })).status).toBe(401);
    const asAdmin = await app.request("/metrics", { headers: { authorization: `Bearer ${admin}` } });
    expect(asAdmin.status).toBe(200);
    expect(await asAdmin.text()).toMatch(/runstrong_queue_jobs/);
  });

  it("is off, and says how to turn it on, without any token configured", async () => {
    const res = await appWith([]).request("/metrics");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/METRICS_TOKEN/);
  });
});

describe("the queue dashboard", () => {
  it("is off without ADMIN_TOKEN", async () => {
    const res = await appWith([]).request("/admin/queues");
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/ADMIN_TOKEN/);
  });

  it("asks for the bearer token, refuses a wrong one and Basic auth, and serves the dashboard for the right one", async () => {
    const token = "a-long-admin-token-for-tests";
    const app = appWith([], { ADMIN_TOKEN: token });
    const none = await app.request("/admin/queues");
    expect(none.status).toBe(401);
    // A Basic challenge would make the browser prompt, then replay the password on cross-site requests.
    expect(none.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const wrong = await app.request("/admin/queues", {
      headers: { authorization: "Bearer not-the-token-at-all" },
    });
    expect(wrong.status).toBe(401);
    const basic = `Basic ${Buffer.from(`admin:${token}`).toString("base64")}`;
    for (const path of ["/admin/queues", "/admin/queues/api/queues"]) {
      const refused = await app.request(path, { headers: { authorization: basic } });
      expect(refused.status).toBe(401);
      expect(((await refused.json()) as { error: { code: string } }).error.code).toBe("unauthorized");
    }
    const page = await app.request("/admin/queues", { headers: { authorization: `Bearer ${token}` } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    const api = await app.request("/admin/queues/api/queues", {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(api.status).toBe(200);
    expect(JSON.stringify(await api.json())).toContain("maintenance");
  });
});

describe("errors", () => {
  it("an unknown route answers a JSON error with the request id", async () => {
    const res = await appWith([]).request("/nope", { headers: { "x-request-id": "req-123" } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { code: "not_found", message: "no route for GET /nope", requestId: "req-123" },
    });
  });
});

describe("while Redis is away", () => {
  it("a request that queues work answers at once instead of hanging (a settings change: stored, 200)", async () => {
    const redis = await privateRedis();
    const producer = createProducerRedis(redis.url, "test-producer");
    producer.on("error", () => {});
    onTestFinished(() => producer.disconnect());
    await redisReady(producer, 5_000);
    const queues = createQueues(producer, env.prefix, env.queues.installId);
    onTestFinished(() => closeQueues(queues).catch(() => {}));
    const app = createApp({
      config: env.config,
      db: env.pool.db,
      queues,
      logger: env.logger,
      metrics: env.metrics,
      readiness: [],
      now: () => new Date(),
    });
    const athlete = await seedAthlete(env.pool.db);
    const cookie = `rs_session=${sessionToken(athlete.id, env.config, Date.now())}`;

    await redis.stop();
    const started = Date.now();
    const res = await app.request("/api/settings", {
      method: "PATCH",
      headers: { cookie, "content-type": "application/json" },
      body: JSON.stringify({ sessionsPerWeek: 3 }),
    });
    expect(Date.now() - started).toBeLessThan(3_000);
    // Its re-plan waits in the outbox for the sweep (test/integration/outbox.redis-down.test.ts).
    expect(res.status).toBe(200);
    expect(((await res.json()) as { sessionsPerWeek: number }).sessionsPerWeek).toBe(3);
  });
});
