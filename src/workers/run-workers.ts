import { DelayedError, type Job, UnrecoverableError, Worker } from "bullmq";
import { DrizzleQueryError } from "drizzle-orm/errors";
import type { Redis } from "ioredis";
import { loggableError } from "../observability/errors.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { WorkerDeps } from "./context.ts";
import { JOBS, QUEUE_NAMES, type QueueName } from "./jobs.ts";
import { handlerFor } from "./registry.ts";

export interface RunningWorkers {
  workers: Worker[];
  /** stop taking jobs, let those in flight finish within the timeout, then close */
  close: (timeoutMs: number) => Promise<void>;
}

export function startWorkers(
  deps: WorkerDeps,
  options: {
    connection: Redis;
    prefix: string;
    concurrency: number;
    metrics: Metrics;
    queues?: readonly QueueName[];
  },
): RunningWorkers {
  const workers = (options.queues ?? QUEUE_NAMES).map((queue) => {
    const worker = new Worker(
      queue,
      async (job: Job, token?: string) => {
        const handler = handlerFor(queue, job.name);
        // A job nobody can run, or a payload that does not parse, will not get better on retry.
        if (!handler) throw new UnrecoverableError(`no processor for job "${job.name}" on queue "${queue}"`);
        const parsed = JOBS[job.name as keyof typeof JOBS].payload.safeParse(job.data);
        if (!parsed.success)
          throw new UnrecoverableError(`bad payload for ${job.name}: ${parsed.error.message}`);
        const logger = deps.logger.child({ queue, job: job.name, jobId: job.id });
        const stop = options.metrics.jobDuration.startTimer({ queue, name: job.name });
        try {
          return await handler(parsed.data, deps, {
            jobId: job.id ?? "",
            attempt: job.attemptsMade + 1,
            logger,
            delayUntil: async (atMs) => {
              await job.moveToDelayed(atMs, token);
              return new DelayedError(`waiting until ${new Date(atMs).toISOString()}`);
            },
          });
        } catch (err) {
          // A query error's message carries its parameters; BullMQ stores the message.
          throw err instanceof DrizzleQueryError ? loggableError(err) : err;
        } finally {
          stop();
        }
      },
      {
        connection: options.connection,
        prefix: options.prefix,
        concurrency: options.concurrency,
        autorun: true,
      },
    );
    worker.on("completed", (job) =>
      options.metrics.jobOutcomes.inc({ queue, name: job.name, outcome: "completed" }),
    );
    worker.on("failed", (job, err) => {
      if (!job) return;
      const final = err instanceof UnrecoverableError || job.attemptsMade >= (job.opts.attempts ?? 1);
      options.metrics.jobOutcomes.inc({ queue, name: job.name, outcome: final ? "failed" : "retried" });
      deps.logger[final ? "error" : "warn"](
        { queue, job: job.name, jobId: job.id, attempt: job.attemptsMade, err: err.message },
        final ? "job failed" : "job failed, will retry",
      );
    });
    worker.on("error", (err) => deps.logger.error({ queue, err: err.message }, "worker error"));
    return worker;
  });

  return {
    workers,
    close: async (timeoutMs) => {
      // Worker.close() waits for jobs in flight; past the timeout force-close so the
      // jobs' locks lapse and another worker picks them up (a job must be safe to retry).
      const graceful = Promise.all(workers.map((w) => w.close()));
      const timer = new Promise<"timeout">((r) => setTimeout(r, timeoutMs, "timeout").unref());
      if ((await Promise.race([graceful.then(() => "done" as const), timer])) === "timeout") {
        await Promise.all(workers.map((w) => w.close(true)));
      }
    },
  };
}
