// Every queue and every job, with the zod schema of its payload, in one place.
// A producer cannot enqueue a job name that is not here, and a worker parses
// every payload with the same schema before it runs.
import { z } from "zod";

export const QUEUE_NAMES = ["maintenance"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobDefinition<Q extends QueueName = QueueName, S extends z.ZodType = z.ZodType> {
  queue: Q;
  payload: S;
  /** attempts and backoff; BullMQ applies exponential backoff between attempts */
  attempts: number;
  backoffMs: number;
}

function job<Q extends QueueName, S extends z.ZodType>(queue: Q, payload: S, options: { attempts?: number; backoffMs?: number } = {}) {
  return { queue, payload, attempts: options.attempts ?? 5, backoffMs: options.backoffMs ?? 2_000 } satisfies JobDefinition<Q, S>;
}

export const JOBS = {
  /** Deletes handled webhook events older than the retention window (the inbox is not an archive). */
  "prune-webhook-inbox": job(
    "maintenance",
    z.object({ olderThanDays: z.number().int().min(1).optional() }).strict(),
    { attempts: 3, backoffMs: 60_000 },
  ),
};

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]["payload"]>;
export type JobsOfQueue<Q extends QueueName> = { [N in JobName]: (typeof JOBS)[N]["queue"] extends Q ? N : never }[JobName];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}
