import { QueueEvents } from "bullmq";
import { count, eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished } from "vitest";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { enqueue } from "../../src/workers/queues.ts";
import { startWorkers } from "../../src/workers/run-workers.ts";
import { separateRedis, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ WEBHOOK_INBOX_RETENTION_DAYS: "30" });
const DAY = 86_400_000;
const now = new Date("2026-12-07T12:00:00Z");

async function seedEvent(key: string, status: "received" | "processed" | "ignored", ageDays: number) {
  await env.pool.db.insert(webhookEvents).values({
    provider: "strava",
    dedupeKey: key,
    payload: { key },
    status,
    receivedAt: new Date(now.getTime() - ageDays * DAY),
  });
}

function runWorkers() {
  const connection = separateRedis();
  const running = startWorkers(
    { config: env.config, db: env.pool.db, queues: env.queues, logger: env.logger, now: () => now },
    { connection, prefix: env.prefix, concurrency: 1, metrics: env.metrics },
  );
  onTestFinished(async () => {
    await running.close(5_000);
    connection.disconnect();
  });
  return running;
}

function events() {
  const qe = new QueueEvents("maintenance", { connection: separateRedis(), prefix: env.prefix });
  onTestFinished(() => qe.close());
  return qe;
}

describe("a job through a real BullMQ queue", () => {
  it("runs on a worker and its result lands in Postgres", async () => {
    await seedEvent("old-processed", "processed", 45);
    await seedEvent("old-ignored", "ignored", 31);
    await seedEvent("old-but-unhandled", "received", 60);
    await seedEvent("recent-processed", "processed", 2);
    const qe = events();
    await qe.waitUntilReady();
    runWorkers();

    const jobId = await enqueue(env.queues, "prune-webhook-inbox", {}, { jobId: "prune-test-1" });
    const job = await env.queues.maintenance.getJob(jobId ?? "");
    const result = await job?.waitUntilFinished(qe, 10_000);

    expect(result).toEqual({ deleted: 2 });
    const left = await env.pool.db.select({ key: webhookEvents.dedupeKey }).from(webhookEvents);
    expect(left.map((r) => r.key).sort()).toEqual(["old-but-unhandled", "recent-processed"]);
    const completed = await env.metrics.jobOutcomes.get();
    expect(completed.values).toContainEqual(
      expect.objectContaining({
        labels: { queue: "maintenance", name: "prune-webhook-inbox", outcome: "completed" },
        value: 1,
      }),
    );
  });

  it("the same deterministic job id enqueued twice runs once", async () => {
    await seedEvent("dup-a", "processed", 90);
    const a = await enqueue(
      env.queues,
      "prune-webhook-inbox",
      { olderThanDays: 60 },
      { jobId: "prune-dup", delay: 60_000 },
    );
    const b = await enqueue(
      env.queues,
      "prune-webhook-inbox",
      { olderThanDays: 60 },
      { jobId: "prune-dup", delay: 60_000 },
    );
    expect(a).toBe(b);
    expect(await env.queues.maintenance.getDelayedCount()).toBe(1);
    await env.queues.maintenance.remove("prune-dup");
    const [row] = await env.pool.db
      .select({ n: count() })
      .from(webhookEvents)
      .where(eq(webhookEvents.dedupeKey, "dup-a"));
    expect(row?.n).toBe(1);
  });

  it("refuses a bad payload at the producer, and a worker fails it without retrying", async () => {
    await expect(
      enqueue(env.queues, "prune-webhook-inbox", { olderThanDays: -1 } as unknown as {
        olderThanDays: number;
      }),
    ).rejects.toThrow();

    const qe = events();
    await qe.waitUntilReady();
    runWorkers();
    // Written around the producer check, as a job from an older or newer release might be.
    const job = await env.queues.maintenance.add(
      "prune-webhook-inbox",
      { olderThanDays: "soon" },
      { attempts: 5 },
    );
    await expect(job.waitUntilFinished(qe, 10_000)).rejects.toThrow(/bad payload/);
    const failed = await env.queues.maintenance.getJob(job.id ?? "");
    expect(failed?.attemptsMade).toBe(1);
  });
});
