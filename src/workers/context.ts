import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../observability/logger.ts";
import type { JobName, JobPayload, JobsOfQueue, QueueName } from "./jobs.ts";
import type { Queues } from "./queues.ts";

/** What a job handler may use: passed in, never reached for. */
export interface WorkerDeps {
  config: Config;
  db: Database;
  queues: Queues;
  logger: Logger;
  /** the clock, so tests can move it */
  now: () => Date;
}

export interface JobContext {
  jobId: string;
  attempt: number;
  logger: Logger;
  /**
   * Puts the running job back to waiting until `atMs` (epoch ms) without using up
   * an attempt (BullMQ's moveToDelayed); throw the error it returns so the worker
   * lets go of the job. For waits that are not failures: a rate-limit window.
   * Absent when a handler is called outside a worker (tests).
   */
  delayUntil?: (atMs: number) => Promise<Error>;
}

export type JobHandler<N extends JobName> = (
  payload: JobPayload<N>,
  deps: WorkerDeps,
  ctx: JobContext,
) => Promise<unknown>;

/** One processor file per queue, with exactly one handler for each of its jobs. */
export type QueueProcessor<Q extends QueueName> = { [N in JobsOfQueue<Q>]: JobHandler<N> };
