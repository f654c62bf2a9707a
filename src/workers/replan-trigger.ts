import type { ReplanCause } from "../plan/cause.ts";
import { enqueue, type Queues } from "./queues.ts";

/**
 * Asks for a re-plan of one athlete. A burst of triggers (ten activities
 * uploaded after a holiday) collapses into one re-plan: BullMQ's debounce mode
 * keeps one delayed job per athlete, replaces its data with the newest cause and
 * restarts the wait on each trigger. With a 0 ms window every trigger re-plans
 * (the job is idempotent, so that only costs time). A `jobId` (one per trigger,
 * e.g. an outbox row's key) makes queuing that same trigger again a no-op.
 */
export async function requestReplan(
  queues: Queues,
  athleteId: number,
  cause: ReplanCause,
  debounceMs: number,
  jobId?: string,
): Promise<void> {
  await enqueue(
    queues,
    "replan-athlete",
    { athleteId, cause },
    {
      ...(debounceMs > 0
        ? {
            delay: debounceMs,
            deduplication: { id: `replan-${athleteId}`, ttl: debounceMs, extend: true, replace: true },
          }
        : {}),
      ...(jobId ? { jobId } : {}),
    },
  );
}
