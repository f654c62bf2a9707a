import { type JobsOptions, Queue } from "bullmq";
import type { Redis } from "ioredis";
import { JOBS, type JobName, type JobPayload, QUEUE_NAMES, type QueueName } from "./jobs.ts";

export type Queues = Record<QueueName, Queue>;

export function createQueues(connection: Redis, prefix: string): Queues {
  const entries = QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })] as const);
  return Object.fromEntries(entries) as Queues;
}

/**
 * Adds a job after checking its payload against the registry's schema, so a bad
 * payload fails where it is made, not later in a worker. Pass a deterministic
 * `jobId` (no ":" in it) to make repeated enqueues harmless.
 */
export async function enqueue<N extends JobName>(
  queues: Queues,
  name: N,
  payload: JobPayload<N>,
  options: JobsOptions = {},
): Promise<string | undefined> {
  const def = JOBS[name];
  const data = def.payload.parse(payload);
  const job = await queues[def.queue].add(name, data, {
    attempts: def.attempts,
    backoff: { type: "exponential", delay: def.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
    ...options,
  });
  return job.id;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((q) => q.close()));
}
