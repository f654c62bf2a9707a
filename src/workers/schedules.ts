import type { Executor } from "../db/client.ts";
import type { Logger } from "../observability/logger.ts";
import { ensureAthleteSchedules } from "./athlete-schedules.ts";
import { type Queues, upsertScheduler } from "./queues.ts";

/**
 * Recurring jobs, registered idempotently with BullMQ job schedulers. Schedulers
 * live only in Redis, so this runs at start-up and again whenever Redis may have
 * lost them (see keepSchedulesRegistered): every scheduler belongs in here.
 * Given the database, also sweeps the per-athlete schedules (roll-forward, running-plan import).
 */
export async function registerSchedules(
  queues: Queues,
  athletes?: { db: Executor; logger: Pick<Logger, "info"> },
  options: { inboxSweepEveryMs?: number } = {},
): Promise<void> {
  const inboxSweepEveryMs = options.inboxSweepEveryMs ?? 60_000;
  await upsertScheduler(
    queues,
    "prune-webhook-inbox-daily",
    { pattern: "17 3 * * *", tz: "UTC" },
    "prune-webhook-inbox",
    {},
  );
  await upsertScheduler(
    queues,
    "requeue-strava-inbox-minutely",
    { every: inboxSweepEveryMs },
    "requeue-strava-inbox",
    { olderThanSeconds: Math.ceil(inboxSweepEveryMs / 1000) },
  );
  await upsertScheduler(
    queues,
    "requeue-garmin-inbox-minutely",
    { every: inboxSweepEveryMs },
    "requeue-garmin-inbox",
    { olderThanSeconds: Math.ceil(inboxSweepEveryMs / 1000) },
  );
  // Follow-ups (re-plans, schedule changes) stored while Redis was away (src/workers/outbox.ts).
  await upsertScheduler(queues, "sweep-outbox-minutely", { every: 60_000 }, "sweep-outbox", {});
  // Strava's API agreement caps how long raw payloads are cached (STRAVA_RAW_RETENTION_DAYS).
  await upsertScheduler(
    queues,
    "purge-strava-raw-daily",
    { pattern: "41 3 * * *", tz: "UTC" },
    "purge-strava-raw",
    {},
  );
  if (athletes) await ensureAthleteSchedules(athletes.db, queues, athletes.logger);
}

export interface SchedulesKeeper {
  /** register again now (Redis is back, or came back empty); runs are never concurrent */
  trigger: (reason: string) => void;
  /** resolves once no run is in progress and none will start */
  stop: () => Promise<void>;
}

/**
 * Re-runs `register` (registerSchedules with this process's arguments) whenever
 * triggered: a Redis that restarts without its data, or is flushed, forgets the
 * schedulers, and with them the sweeps that would make good what else it forgot.
 * A trigger during a run asks for one more run; a failed run is tried again
 * after `retryMs` (Redis may be back for one connection and not yet another).
 */
export function keepSchedulesRegistered(
  register: () => Promise<void>,
  logger: Pick<Logger, "info" | "warn">,
  retryMs = 2_000,
): SchedulesKeeper {
  let running: Promise<void> | null = null;
  let again: string | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | null = null;
  const run = (reason: string): void => {
    if (stopped) return;
    if (running) {
      again = reason;
      return;
    }
    running = register()
      .then(
        () => logger.info({ reason }, "job schedulers registered"),
        (err: unknown) => {
          logger.warn(
            { reason, err: err instanceof Error ? err.message : String(err) },
            "could not register the job schedulers; trying again",
          );
          if (!stopped) {
            retry = setTimeout(() => run(reason), retryMs);
            retry.unref();
          }
        },
      )
      .finally(() => {
        running = null;
        const next = again;
        again = null;
        if (next !== null) run(next);
      });
  };
  return {
    trigger: (reason) => {
      if (retry) clearTimeout(retry);
      retry = null;
      run(reason);
    },
    stop: async () => {
      stopped = true;
      if (retry) clearTimeout(retry);
      while (running) await running;
    },
  };
}
