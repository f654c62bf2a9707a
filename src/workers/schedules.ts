import type { Executor } from "../db/client.ts";
import type { Logger } from "../observability/logger.ts";
import { ensureAthleteSchedules } from "./athlete-schedules.ts";
import type { Queues } from "./queues.ts";

/**
 * Recurring jobs, registered idempotently at start-up with BullMQ job schedulers.
 * Given the database, also sweeps the per-athlete schedules (roll-forward, running-plan import).
 */
export async function registerSchedules(
  queues: Queues,
  athletes?: { db: Executor; logger: Pick<Logger, "info"> },
): Promise<void> {
  await queues.maintenance.upsertJobScheduler(
    "prune-webhook-inbox-daily",
    { pattern: "17 3 * * *", tz: "UTC" },
    {
      name: "prune-webhook-inbox",
      data: {},
      opts: { attempts: 3, backoff: { type: "exponential", delay: 60_000 } },
    },
  );
  await queues.maintenance.upsertJobScheduler(
    "requeue-strava-inbox-minutely",
    { every: 60_000 },
    { name: "requeue-strava-inbox", data: {}, opts: { attempts: 1 } },
  );
  // Follow-ups (re-plans, schedule changes) stored while Redis was away (src/workers/outbox.ts).
  await queues.maintenance.upsertJobScheduler(
    "sweep-outbox-minutely",
    { every: 60_000 },
    { name: "sweep-outbox", data: {}, opts: { attempts: 1 } },
  );
  // Strava's API agreement caps how long raw payloads are cached (STRAVA_RAW_RETENTION_DAYS).
  await queues.maintenance.upsertJobScheduler(
    "purge-strava-raw-daily",
    { pattern: "41 3 * * *", tz: "UTC" },
    {
      name: "purge-strava-raw",
      data: {},
      opts: { attempts: 3, backoff: { type: "exponential", delay: 60_000 } },
    },
  );
  if (athletes) await ensureAthleteSchedules(athletes.db, queues, athletes.logger);
}
