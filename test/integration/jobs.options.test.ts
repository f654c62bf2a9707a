// A job's retries are decided in the registry (JOBS) alone: every producer —
// enqueue, the Strava event adds, the recurring and per-athlete schedulers —
// takes its options from jobOptions.
import { describe, expect, it } from "vitest";
import { ensureRollForward, rollForwardSchedulerId } from "../../src/workers/athlete-schedules.ts";
import { JOBS, type JobName, jobOptions } from "../../src/workers/jobs.ts";
import { enqueue } from "../../src/workers/queues.ts";
import { registerSchedules } from "../../src/workers/schedules.ts";
import {
  enqueueStravaEventBatch,
  enqueueStravaEvents,
  stravaEventBatchJobId,
  stravaEventJobId,
} from "../../src/workers/strava/event-jobs.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv();

const registry = (name: JobName) => ({
  attempts: JOBS[name].attempts,
  backoff: { type: "exponential", delay: JOBS[name].backoffMs },
});

describe("job options", () => {
  it("are the registry's attempts and backoff, with what a caller adds on top", () => {
    expect(jobOptions("strava-event", { jobId: "x", priority: 1 })).toMatchObject({
      ...registry("strava-event"),
      jobId: "x",
      priority: 1,
      removeOnFail: { age: 7 * 24 * 3600 },
    });
  });

  it("reach every recurring scheduler, named and with its payload checked, from the registry", async () => {
    await registerSchedules(env.queues);
    const expected: [string, JobName][] = [
      ["prune-webhook-inbox-daily", "prune-webhook-inbox"],
      ["requeue-strava-inbox-minutely", "requeue-strava-inbox"],
      ["sweep-outbox-minutely", "sweep-outbox"],
      ["purge-strava-raw-daily", "purge-strava-raw"],
    ];
    for (const [id, name] of expected) {
      const scheduler = await env.queues[JOBS[name].queue].getJobScheduler(id);
      expect(scheduler?.name, id).toBe(name);
      expect(scheduler?.template?.opts, id).toMatchObject(registry(name));
    }
  });

  it("reach the per-athlete schedulers", async () => {
    await ensureRollForward(env.queues, { id: 41, timezone: "Europe/Oslo" });
    const scheduler = await env.queues.replan.getJobScheduler(rollForwardSchedulerId(41));
    expect(scheduler?.template?.opts).toMatchObject(registry("replan-athlete"));
  });

  it("reach jobs added by enqueue and by the webhook's Strava event adds", async () => {
    const id = await enqueue(env.queues, "strava-fetch-zones", { athleteId: 7 }, { jobId: "zones-7" });
    expect((await env.queues.strava.getJob(id ?? ""))?.opts).toMatchObject(registry("strava-fetch-zones"));

    await enqueueStravaEvents(env.queues, [901]);
    const event = await env.queues.strava.getJob(stravaEventJobId(env.queues, 901));
    expect(event?.opts).toMatchObject(registry("strava-event"));

    await enqueueStravaEventBatch(env.queues, [902, 903]);
    const batch = await env.queues.strava.getJob(stravaEventBatchJobId(env.queues, [902, 903]));
    expect(batch?.opts).toMatchObject({ ...registry("strava-event-batch"), removeOnComplete: true });
  });
});
