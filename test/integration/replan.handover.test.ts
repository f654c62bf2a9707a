// A plan version's hand-over (the plan-changed job) that failed for good is made
// again by the next re-plan: the failed job, kept a week, no longer swallows it.
import { QueueEvents, UnrecoverableError, Worker } from "bullmq";
import { eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { planVersions } from "../../src/db/schema/index.ts";
import type { QueueName } from "../../src/workers/jobs.ts";
import { enqueue } from "../../src/workers/queues.ts";
import { planChangedJobId } from "../../src/workers/replan/replan-athlete.ts";
import { startWorkers } from "../../src/workers/run-workers.ts";
import { seedAthlete } from "../support/builders.ts";
import { separateRedis, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
// Monday 7 December 2026, 05:00 in Berlin: the whole week lies ahead.
const now = new Date("2026-12-07T04:00:00Z");

function workersOn(queues: QueueName[]) {
  const connection = separateRedis();
  const running = startWorkers(
    { config: env.config, db: env.pool.db, queues: env.queues, logger: env.logger, now: () => now },
    { connection, prefix: env.prefix, concurrency: 2, metrics: env.metrics, queues },
  );
  onTestFinished(async () => {
    await running.close(5_000);
    connection.disconnect();
  });
  return running;
}

async function replan(athleteId: number, jobId: string, events: QueueEvents) {
  await enqueue(
    env.queues,
    "replan-athlete",
    { athleteId, cause: { type: "connect", provider: "strava" } },
    { jobId },
  );
  await (await env.queues.replan.getJob(jobId))?.waitUntilFinished(events, 15_000);
}

describe("a failed plan-changed job", () => {
  it("is handed over again by the next re-plan", async () => {
    const events = new QueueEvents("replan", { connection: separateRedis(), prefix: env.prefix });
    onTestFinished(() => events.close());
    await events.waitUntilReady();
    const athlete = await seedAthlete(env.pool.db);
    workersOn(["replan"]);
    // The hand-over dies the way a lost database connection on its last attempt ends it.
    const connection = separateRedis();
    const dying = new Worker(
      "plan-events",
      async () => {
        throw new UnrecoverableError("Connection terminated unexpectedly");
      },
      { connection, prefix: env.prefix },
    );
    await replan(athlete.id, "handover-1", events);
    const plan = await latestPlan(env.pool.db, athlete.id);
    const jobId = planChangedJobId(env.queues, plan?.id ?? 0);
    await vi.waitFor(async () => expect(await env.queues["plan-events"].getJobState(jobId)).toBe("failed"), {
      timeout: 10_000,
      interval: 25,
    });
    await dying.close();
    connection.disconnect();

    workersOn(["plan-events"]);
    await replan(athlete.id, "handover-2", events);
    await vi.waitFor(
      async () => {
        const [row] = await env.pool.db
          .select({ publishedAt: planVersions.publishedAt })
          .from(planVersions)
          .where(eq(planVersions.id, plan?.id ?? 0));
        expect(row?.publishedAt).toBeInstanceOf(Date);
      },
      { timeout: 10_000, interval: 50 },
    );
  });
});
