import { type JobSchedulerTemplateOptions, type JobsOptions, Queue, type RepeatOptions } from "bullmq";
import type { Redis } from "ioredis";
import { JOBS, type JobName, type JobPayload, jobOptions, QUEUE_NAMES, type QueueName } from "./jobs.ts";

/**
 * The queues of one install, and its install id (app_state "install-id"), which
 * job ids that name a database row carry (see rowJobId).
 */
export type Queues = Record<QueueName, Queue> & { readonly installId: string };

export function createQueues(connection: Redis, prefix: string, installId: string): Queues {
  if (!/^[A-Za-z0-9_-]+$/.test(installId)) throw new Error(`not an install id: "${installId}"`);
  const entries = QUEUE_NAMES.map((name) => [name, new Queue(name, { connection, prefix })] as const);
  const queues = Object.fromEntries(entries);
  // Not enumerable: Object.values(queues) stays the list of queues.
  Object.defineProperty(queues, "installId", { value: installId, enumerable: false });
  return queues as unknown as Queues;
}

/**
 * `<kind>-<install id>-<key>`: the id of a job that stands for one database row.
 * Row ids come from sequences that start again in a recreated database, and
 * BullMQ silently drops a job whose id it still keeps (completed jobs stay a
 * day), so the id names the install as well as the row.
 */
export function rowJobId(queues: Pick<Queues, "installId">, kind: string, key: string | number): string {
  return `${kind}-${queues.installId}-${key}`;
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
  const job = await queues[def.queue].add(name, data, jobOptions(name, options));
  return job.id;
}

/**
 * Registers (or replaces) the job scheduler `id`: a job from the registry, its
 * payload checked against the registry's schema and its options from jobOptions,
 * added on `repeat`'s pattern or interval. Upserting the same id again is harmless.
 */
export async function upsertScheduler<N extends JobName>(
  queues: Queues,
  id: string,
  repeat: Omit<RepeatOptions, "key">,
  name: N,
  payload: JobPayload<N>,
  options: JobSchedulerTemplateOptions = {},
): Promise<void> {
  const def = JOBS[name];
  await queues[def.queue].upsertJobScheduler(id, repeat, {
    name,
    data: def.payload.parse(payload),
    opts: jobOptions(name, options),
  });
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(QUEUE_NAMES.map((name) => queues[name].close()));
}
