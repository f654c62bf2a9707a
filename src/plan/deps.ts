import type { Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import type { Logger } from "../observability/logger.ts";
import type { Queues } from "../workers/queues.ts";

/**
 * What a verb may use, passed as its first argument: the database, the queues its
 * follow-ups go to, the configuration, the clock and the caller's logger (a
 * request's, carrying its requestId).
 */
export interface PlanDeps {
  db: Database;
  queues: Queues;
  config: Config;
  now: () => Date;
  logger: Logger;
}
