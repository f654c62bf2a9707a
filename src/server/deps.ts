import type { Queue } from "bullmq";
import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../observability/logger.ts";
import type { Metrics } from "../observability/metrics.ts";
import type { PlanDeps } from "../plan/deps.ts";
import { QUEUE_NAMES } from "../workers/jobs.ts";
import type { Queues } from "../workers/queues.ts";

export interface ReadinessCheck {
  name: string;
  check: () => Promise<void>;
}

/** Everything the HTTP side uses, built once at start-up (or per test) and passed in. */
export interface AppDeps {
  config: Config;
  db: Database;
  queues: Queues;
  logger: Logger;
  metrics: Metrics;
  readiness: ReadinessCheck[];
  now: () => Date;
}

export type AppEnv = {
  Variables: {
    requestId: string;
    logger: Logger;
    /** set by a hot route whose successful requests leave their own record: logged at debug */
    quietRequestLog?: boolean;
  };
};

export function allQueues(queues: Queues): Queue[] {
  return QUEUE_NAMES.map((name) => queues[name]);
}

/** The deps a verb in src/plan takes, logging with the request's logger (its requestId), not the process's. */
export function verbDeps(deps: AppDeps, c: { get: (key: "logger") => Logger }): PlanDeps {
  return { db: deps.db, queues: deps.queues, config: deps.config, now: deps.now, logger: c.get("logger") };
}
