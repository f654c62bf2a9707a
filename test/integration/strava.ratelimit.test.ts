// The shared Strava budget in Redis: headers near the limit make the next job wait
// for the next window (quarter hour, or midnight UTC for the daily limit) without
// calling Strava or using an attempt; a 429 does the same; backfill stops before
// live imports do.
import { QueueEvents } from "bullmq";
import { eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { StravaRateLimitedError } from "../../src/integrations/strava/errors.ts";
import {
  budgetKey,
  createRateBudget,
  nextQuarterHour,
  nextUtcMidnight,
} from "../../src/integrations/strava/rate-budget.ts";
import { stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  runWorkers,
  STRAVA_TEST_ENV,
  seedStravaAthlete,
  settledEvent,
  stravaEvent,
  useStravaFake,
} from "../support/strava-fake.ts";
import { separateRedis, testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();

const app = testApp(env);

const deliver = (event: ReturnType<typeof stravaEvent>) => deliverStravaEvent(app, env.pool.db, event);

/**
 * When BullMQ will run each job a worker moved to delayed, as the queue's event
 * stream announces it. Not job.timestamp + job.delay: timestamp is when the job
 * was added, and moveToDelayed counts delay from the moment of the move, so for a
 * job that waited before a worker took it (a loaded machine) that sum lands
 * before the real time by the wait. The stream is read from its start, so a move
 * made before this reader connects is not missed.
 */
function delayAnnouncements(): Map<string, number> {
  const runsAt = new Map<string, number>();
  const connection = separateRedis();
  const events = new QueueEvents("strava", { connection, prefix: env.prefix, lastEventId: "0" });
  events.on("delayed", ({ jobId, delay }) => runsAt.set(jobId, Number(delay)));
  onTestFinished(async () => {
    await events.close();
    connection.disconnect();
  });
  return runsAt;
}

/**
 * The event's job once a worker moved it to delayed, and when it will run. The job
 * is read only after the move is announced: a copy read before it (while the job
 * waited or ran) still carries delay 0 however soon the move follows.
 */
async function delayedJob(eventId: number) {
  const jobId = stravaEventJobId(env.queues, eventId);
  const announced = delayAnnouncements();
  return vi.waitFor(
    async () => {
      const runsAt = announced.get(jobId);
      if (runsAt === undefined) throw new Error("not delayed yet");
      const job = await env.queues.strava.getJob(jobId);
      if (!job || !(await job.isDelayed())) throw new Error("delayed job gone");
      return { job, runsAt };
    },
    { timeout: 5_000, interval: 25 },
  );
}

async function resetBudget() {
  await env.redis.del(budgetKey(env.prefix));
}

describe("the budget between jobs", () => {
  it("delays the next job to the next quarter hour once the headers say the 15-minute window is nearly used", async () => {
    await resetBudget();
    await seedStravaAthlete(env, { ownerId: 3001 });
    fake.activities.set("8001", detailedActivity({ id: 8001, athleteId: 3001 }));
    fake.activities.set("8002", detailedActivity({ id: 8002, athleteId: 3001 }));
    // 92 of 100 reads used this quarter hour: live imports keep 10% headroom.
    fake.rate = { limit: [200, 2000], usage: [92, 400], readLimit: [100, 1000], readUsage: [92, 400] };
    runWorkers(env);

    const first = await deliver(stravaEvent({ objectId: 8001, ownerId: 3001 }));
    expect((await settledEvent(env, first))?.status).toBe("processed");

    const before = Date.now();
    const second = await deliver(stravaEvent({ objectId: 8002, ownerId: 3001 }));
    const { job, runsAt } = await delayedJob(second);
    const boundary = nextQuarterHour(before);
    expect(runsAt).toBeGreaterThanOrEqual(boundary);
    expect(runsAt).toBeLessThanOrEqual(boundary + 25_000);
    expect(job.attemptsMade).toBe(0);
    expect(fake.count("GET", /^\/activities\/8002$/)).toBe(0);
    const [row] = await env.pool.db.select().from(webhookEvents).where(eq(webhookEvents.id, second));
    expect(row?.status).toBe("received");

    // When the window opens (here: the budget forgets it), the job runs as usual.
    await resetBudget();
    fake.rate = structuredClone({
      limit: [200, 2000],
      usage: [5, 148],
      readLimit: [100, 1000],
      readUsage: [5, 148],
    });
    await job.promote();
    expect((await settledEvent(env, second))?.status).toBe("processed");
  });

  it("waits for midnight UTC when the daily budget is the one nearly used", async () => {
    await resetBudget();
    await seedStravaAthlete(env, { ownerId: 3002 });
    fake.activities.set("8003", detailedActivity({ id: 8003, athleteId: 3002 }));
    fake.activities.set("8004", detailedActivity({ id: 8004, athleteId: 3002 }));
    fake.rate = { limit: [200, 2000], usage: [3, 1950], readLimit: [100, 1000], readUsage: [3, 960] };
    runWorkers(env);
    await settledEvent(env, await deliver(stravaEvent({ objectId: 8003, ownerId: 3002 })));
    const before = Date.now();
    const { runsAt } = await delayedJob(await deliver(stravaEvent({ objectId: 8004, ownerId: 3002 })));
    expect(runsAt).toBeGreaterThanOrEqual(nextUtcMidnight(before));
    expect(runsAt).toBeLessThanOrEqual(nextUtcMidnight(before) + 25_000);
    expect(fake.count("GET", /^\/activities\/8004$/)).toBe(0);
  });
});

describe("a 429 from Strava", () => {
  it("moves the job to the next window without failing it or using an attempt", async () => {
    await resetBudget();
    await seedStravaAthlete(env, { ownerId: 3003 });
    fake.activities.set("8005", detailedActivity({ id: 8005, athleteId: 3003 }));
    fake.tooManyRequests = 1;
    fake.rate = { limit: [200, 2000], usage: [200, 400], readLimit: [100, 1000], readUsage: [100, 400] };
    runWorkers(env);
    const before = Date.now();
    const eventId = await deliver(stravaEvent({ objectId: 8005, ownerId: 3003 }));
    const { job, runsAt } = await delayedJob(eventId);
    expect(runsAt).toBeGreaterThanOrEqual(nextQuarterHour(before));
    expect(job.attemptsMade).toBe(0);
    expect(fake.count("GET", /^\/activities\/8005$/)).toBe(1);
    // Still nothing but waiting after a moment: no hot loop against Strava.
    await new Promise((r) => setTimeout(r, 300));
    expect(fake.count("GET", /^\/activities\/8005$/)).toBe(1);
    expect(
      env.logs.some(
        (l) => l.msg === "Strava rate limit: job waits for the next window" && l.fromStrava === true,
      ),
    ).toBe(true);
  });
});

describe("lanes", () => {
  it("stops a backfill well before it stops live imports, and shares the count across clients", async () => {
    await resetBudget();
    const now = () => new Date();
    const a = createRateBudget(env.redis, env.prefix, now, { jitterMs: () => 0 });
    const b = createRateBudget(env.redis, env.prefix, now, { jitterMs: () => 0 });
    const headers = new Headers({
      "X-Ratelimit-Limit": "200,2000",
      "X-Ratelimit-Usage": "59,100",
      "X-Readratelimit-Limit": "100,1000",
      "X-Readratelimit-Usage": "59,100",
    });
    expect(await a.record(headers, 200)).toBeNull();
    await b.reserve("backfill", "read"); // 60 of 100: the backfill's share is now used
    const refused = await b.reserve("backfill", "read").catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(StravaRateLimitedError);
    expect((refused as StravaRateLimitedError).retryAt).toBe(nextQuarterHour(Date.now()));
    for (let i = 0; i < 30; i++) await (i % 2 ? a : b).reserve("live", "read"); // up to 90
    await expect(a.reserve("live", "read")).rejects.toBeInstanceOf(StravaRateLimitedError);
  });
});
