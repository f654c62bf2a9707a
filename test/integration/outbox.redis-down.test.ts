// Redis away while an athlete changes something: the change is stored and answered
// 200, its follow-up waits in the outbox, and once Redis is back (here: restarted
// empty, so the minutely sweep's scheduler is gone too) the running worker process
// queues it by itself. No client retry anywhere. The app and worker are the real
// `runstrong start` service (HTTP and workers in one process) on a private
// redis-server this file starts, kills and starts again on the same port.
import { spawn } from "node:child_process";
import { createServer } from "node:net";
import { Queue } from "bullmq";
import { asc, eq } from "drizzle-orm";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { outbox, planVersions } from "../../src/db/schema/index.ts";
import { type RunningService, startService } from "../../src/runtime/process.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { runningPlanSchedulerId } from "../../src/workers/athlete-schedules.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedAthlete } from "../support/builders.ts";
import { jobContext, testConfig, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv();

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

/** A redis-server of this file's own, without persistence: a restart comes back empty. */
function redisOn(port: number) {
  let proc: ReturnType<typeof spawn> | null = null;
  const running = () => proc !== null && proc.exitCode === null && proc.signalCode === null;
  const start = async () => {
    // A second server on the port would fail to bind, and stop() would then miss the first.
    if (running()) return;
    proc = spawn(
      "redis-server",
      ["--port", String(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1"],
      { stdio: "ignore" },
    );
    for (let i = 0; i < 100; i++) {
      const r = new Redis(port, "127.0.0.1", { lazyConnect: true, retryStrategy: () => null });
      r.on("error", () => {});
      try {
        await r.connect();
        await r.ping();
        r.disconnect();
        return;
      } catch {
        r.disconnect();
        await new Promise((res) => setTimeout(res, 50));
      }
    }
    throw new Error(`redis-server on port ${port} did not start`);
  };
  const stop = () =>
    new Promise<void>((resolve) => {
      const p = proc;
      if (!p || !running()) return resolve();
      p.once("exit", () => resolve());
      p.kill("SIGKILL");
    });
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}

/** Polls until `check` answers something other than undefined; the limit only ends a stuck test. */
async function eventually<T>(
  what: string,
  check: () => Promise<T | undefined>,
  limitMs = 20_000,
): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const redis = redisOn(await freePort());
const config = testConfig({
  DATABASE_URL: env.config.databaseUrl,
  REDIS_URL: redis.url,
  REDIS_PREFIX: env.prefix,
  PORT: "0",
  HOST: "127.0.0.1",
  REPLAN_DEBOUNCE_MS: "0",
  SHUTDOWN_TIMEOUT_MS: "2000",
  LOG_LEVEL: "silent",
});
let service: RunningService;
/** A look into the private Redis, as an operator would take. */
let calendar: Queue;
let replans: Queue;

beforeAll(async () => {
  await redis.start();
  service = await startService(config, env.logger, { http: true, workers: true });
  const look = new Redis(redis.url, { maxRetriesPerRequest: null });
  look.on("error", () => {});
  calendar = new Queue("calendar", { connection: look, prefix: env.prefix });
  replans = new Queue("replan", { connection: look, prefix: env.prefix });
  // Refused connections while Redis is down are the point of this file.
  for (const q of [calendar, replans]) q.on("error", () => {});
});
afterAll(async () => {
  await redis.start().catch(() => {});
  await service?.stop();
  await Promise.all([calendar?.close(), replans?.close()]);
  await redis.stop();
});

async function call(athleteId: number, method: string, path: string, body: unknown) {
  const res = await fetch(`http://127.0.0.1:${service.port}${path}`, {
    method,
    headers: {
      "content-type": "application/json",
      cookie: `${SESSION_COOKIE}=${sessionToken(athleteId, config, Date.now())}`,
    },
    body: JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers by path
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** The athlete's outbox rows, oldest first. */
function outboxOf(athleteId: number) {
  return env.pool.db.select().from(outbox).where(eq(outbox.athleteId, athleteId)).orderBy(asc(outbox.id));
}

/** An athlete with a first plan, made the way a connect makes it. */
async function plannedAthlete(settings?: Record<string, unknown>) {
  const athlete = await seedAthlete(env.pool.db, settings ? { settings } : {});
  await replanAthlete(
    { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
    workerDeps(env, () => new Date()),
    jobContext(env, "test"),
  );
  const plan = await latestPlan(env.pool.db, athlete.id);
  if (!plan || plan.sessions.length === 0) throw new Error("expected a first plan with sessions");
  return { athlete, plan };
}

/** Kills Redis, runs `change` (which must be answered and stored meanwhile), then starts Redis again, empty. */
async function withRedisDown<T>(change: () => Promise<T>): Promise<T> {
  await redis.stop();
  try {
    return await change();
  } finally {
    await redis.start();
  }
}

describe("a change made while Redis is down", () => {
  it("PATCH /api/settings answers 200, stores the change, and the plan follows once Redis is back", async () => {
    const { athlete, plan } = await plannedAthlete();

    const answer = await withRedisDown(async () => {
      const res = await call(athlete.id, "PATCH", "/api/settings", { sessionsPerWeek: 3 });
      // Stored before Redis is back: the follow-up waits in the outbox, not done.
      const [row] = await outboxOf(athlete.id);
      expect(row).toMatchObject({ kind: "replan", doneAt: null });
      return res;
    });
    expect(answer.status).toBe(200);
    expect(answer.body.sessionsPerWeek).toBe(3);

    const followed = await eventually("the re-plan after the settings change", async () => {
      const [latest] = await env.pool.db
        .select()
        .from(planVersions)
        .where(eq(planVersions.athleteId, athlete.id))
        .orderBy(asc(planVersions.version))
        .then((rows) => rows.slice(-1));
      return latest && latest.version > plan.version ? latest : undefined;
    });
    expect(followed.cause).toEqual({ type: "settings", fields: ["sessionsPerWeek"] });
    expect((await outboxOf(athlete.id)).every((r) => r.doneAt !== null)).toBe(true);
  });

  it("an override (a session skipped) answers 200, and its re-plan runs once Redis is back", async () => {
    const { athlete, plan } = await plannedAthlete();
    const session = plan.sessions.find((s) => s.startAt.getTime() > Date.now()) ?? plan.sessions[0];
    if (!session) throw new Error("expected a session");

    const answer = await withRedisDown(() =>
      call(athlete.id, "POST", `/api/sessions/${session.sessionKey}/skipped`, {}),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.session).toMatchObject({ key: session.sessionKey, status: "skipped" });
    const stored = await latestPlan(env.pool.db, athlete.id);
    expect(stored?.sessions.find((s) => s.sessionKey === session.sessionKey)?.status).toBe("skipped");

    // The re-plan's job is named by the outbox row's key; it runs to completion.
    const [row] = await outboxOf(athlete.id);
    if (!row) throw new Error("expected the override's outbox row");
    const job = await eventually("the override's re-plan", async () => {
      const j = await replans.getJob(`replan-${row.key}`);
      return j && (await j.getState()) === "completed" ? j : undefined;
    });
    expect(job.data).toEqual({
      athleteId: athlete.id,
      cause: { type: "override", what: expect.stringMatching(/^marked Strength [AB] on .* skipped$/) },
    });
    await eventually("the outbox row marked done", async () =>
      (await outboxOf(athlete.id)).every((r) => r.doneAt !== null) ? true : undefined,
    );
  });

  it("a new running-plan URL gets its import schedule once Redis is back, without a restart", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const url = "https://plans.invalid/athlete/feed.ics";

    const answer = await withRedisDown(() =>
      call(athlete.id, "PATCH", "/api/settings", { runningPlanIcsUrl: url }),
    );
    expect(answer.status).toBe(200);
    expect(answer.body.runningPlanIcsUrl).toBe(url);
    expect((await outboxOf(athlete.id)).map((r) => r.kind)).toEqual(["replan", "running-plan-url"]);

    const scheduler = await eventually(
      "the running-plan import schedule",
      async () => (await calendar.getJobScheduler(runningPlanSchedulerId(athlete.id))) ?? undefined,
    );
    expect(scheduler).toMatchObject({ name: "import-running-plan", every: 6 * 3_600_000 });
    await eventually("the outbox rows marked done", async () =>
      (await outboxOf(athlete.id)).every((r) => r.doneAt !== null) ? true : undefined,
    );
  });
});
