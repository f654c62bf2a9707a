import { enqueue, type Queues, rowJobId } from "../queues.ts";

/**
 * Asks for the athlete to be told about their plan's changes. Changes within
 * `coalesceMs` become one message: the first queues a job due `coalesceMs` later
 * and BullMQ's deduplication (throttle mode, as long as the wait) drops the
 * others; the job tells everything stored since the last message, however many
 * versions that is. The job id names the version (a retried hand-over queues nothing new).
 */
export async function requestNotification(
  queues: Queues,
  athleteId: number,
  planVersionId: number,
  coalesceMs: number,
): Promise<void> {
  await enqueue(
    queues,
    "notify-plan-change",
    { athleteId },
    {
      jobId: rowJobId(queues, "notify", `${athleteId}-${planVersionId}`),
      ...(coalesceMs > 0
        ? { delay: coalesceMs, deduplication: { id: rowJobId(queues, "notify", athleteId), ttl: coalesceMs } }
        : {}),
    },
  );
}

/** Mail that is not about a plan change: the confirmation of a new address, a dropped push subscription. */
export async function requestEmailNotice(
  queues: Queues,
  notice:
    | { athleteId: number; kind: "confirm-address" }
    | { athleteId: number; kind: "push-dropped"; endpointHost: string },
  jobKey: string | number,
): Promise<void> {
  await enqueue(queues, "send-email-notice", notice, { jobId: rowJobId(queues, notice.kind, jobKey) });
}
