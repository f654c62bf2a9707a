// The job that handles one stored Strava webhook event, built in one place for the
// webhook route (many at once, one addBulk) and for anything that re-queues events.
import { createHash } from "node:crypto";
import { JOBS, jobOptions, LIVE_PRIORITY } from "../jobs.ts";
import { type Queues, rowJobId } from "../queues.ts";

/**
 * `strava-event-<install id>-<inbox id>`: a repeated delivery or re-queue of the
 * same row is the same job; the same row id in a recreated database is not.
 */
export function stravaEventJobId(queues: Pick<Queues, "installId">, eventId: number): string {
  return rowJobId(queues, "strava-event", eventId);
}

/** Adds one job per stored event in a single Redis round trip; ids already queued are left alone. */
export async function enqueueStravaEvents(queues: Queues, eventIds: readonly number[]): Promise<void> {
  if (eventIds.length === 0) return;
  const def = JOBS["strava-event"];
  await queues[def.queue].addBulk(
    eventIds.map((eventId) => ({
      name: "strava-event",
      data: def.payload.parse({ eventId }),
      opts: jobOptions("strava-event", { jobId: stravaEventJobId(queues, eventId), priority: LIVE_PRIORITY }),
    })),
  );
}

/** `strava-event-batch-<install id>-<sha1 of the sorted ids>`: the same set of events is the same job. */
export function stravaEventBatchJobId(
  queues: Pick<Queues, "installId">,
  eventIds: readonly number[],
): string {
  const key = [...eventIds].sort((a, b) => a - b).join(",");
  return rowJobId(queues, "strava-event-batch", createHash("sha1").update(key).digest("hex"));
}

/**
 * One job for the events of a webhook batch, at live priority: a single cheap
 * Redis call on the HTTP path. Its handler (processors/strava.ts) adds the
 * per-event jobs; the `requeue-strava-inbox` sweep queues whatever both miss.
 */
export async function enqueueStravaEventBatch(queues: Queues, eventIds: readonly number[]): Promise<void> {
  if (eventIds.length === 0) return;
  const def = JOBS["strava-event-batch"];
  const ids = [...new Set(eventIds)];
  await queues[def.queue].add(
    "strava-event-batch",
    def.payload.parse({ eventIds: ids }),
    jobOptions("strava-event-batch", {
      jobId: stravaEventBatchJobId(queues, ids),
      priority: LIVE_PRIORITY,
      // Gone once done, so a later delivery of exactly the same set is queued again.
      removeOnComplete: true,
    }),
  );
}
