// Every queue and every job, with the zod schema of its payload, in one place.
// A producer cannot enqueue a job name that is not here, and a worker parses
// every payload with the same schema before it runs.
import type { JobsOptions } from "bullmq";
import { z } from "zod";
import { replanCause } from "../plan/cause.ts";

export const QUEUE_NAMES = [
  "maintenance",
  "replan",
  "plan-events",
  "strava",
  "calendar",
  "notify",
  "destinations",
  "garmin",
] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

/**
 * BullMQ priorities on the strava queue (lower runs first): a webhook's import goes
 * before the backfill pages queued on connect, so new runs re-plan at once.
 */
export const LIVE_PRIORITY = 1;
export const BACKFILL_PRIORITY = 10;

export interface JobDefinition<Q extends QueueName = QueueName, S extends z.ZodType = z.ZodType> {
  queue: Q;
  payload: S;
  /** attempts and backoff; BullMQ applies exponential backoff between attempts */
  attempts: number;
  backoffMs: number;
}

function job<Q extends QueueName, S extends z.ZodType>(
  queue: Q,
  payload: S,
  options: { attempts?: number; backoffMs?: number } = {},
) {
  return {
    queue,
    payload,
    attempts: options.attempts ?? 5,
    backoffMs: options.backoffMs ?? 2_000,
  } satisfies JobDefinition<Q, S>;
}

export const JOBS = {
  /** Deletes handled webhook events older than the retention window (the inbox is not an archive). */
  "prune-webhook-inbox": job(
    "maintenance",
    z.object({ olderThanDays: z.number().int().min(1).optional() }).strict(),
    { attempts: 3, backoffMs: 60_000 },
  ),
  /**
   * Queues Strava inbox rows still "received" a while after they were stored: the
   * webhook answers once an event is stored, so an enqueue that failed (Redis
   * away) is made good here, as is a job that failed or that Redis lost; an event
   * whose job is on its way is left alone (src/workers/strava/sweep-inbox.ts).
   */
  "requeue-strava-inbox": job(
    "maintenance",
    z.object({ olderThanSeconds: z.number().int().min(0).optional() }).strict(),
    { attempts: 3, backoffMs: 10_000 },
  ),
  /**
   * Queues follow-up work (re-plans, schedule changes) that a settings change or an
   * override stored in the outbox but could not queue (Redis away) (src/workers/outbox.ts).
   */
  "sweep-outbox": job(
    "maintenance",
    z.object({ olderThanSeconds: z.number().int().min(0).optional() }).strict(),
    { attempts: 1 },
  ),
  /** Nulls raw Strava payloads older than STRAVA_RAW_RETENTION_DAYS (Strava's API agreement caps caching). */
  "purge-strava-raw": job(
    "maintenance",
    z.object({ olderThanDays: z.number().int().min(0).optional() }).strict(),
    { attempts: 3, backoffMs: 60_000 },
  ),
  /**
   * Handles one stored Strava webhook event (webhook_events.id): import, delete or
   * deauthorize. Job id `strava-event-<install id>-<id>`. Rate-limit waits and a just-created
   * activity's 404s move the job to delayed without using up attempts; the
   * attempts are for transient failures (5xx, timeouts).
   */
  "strava-event": job("strava", z.object({ eventId: z.number().int().positive() }).strict(), {
    attempts: 8,
    backoffMs: 5_000,
  }),
  /**
   * The stored events of one webhook batch (webhook_events ids): queues one
   * `strava-event` job per id. The webhook adds this one job per batch so that the
   * per-event queueing (a Redis script per job) runs in the worker, not in the HTTP
   * process. Job id `strava-event-batch-<install id>-<hash of the ids>`.
   */
  "strava-event-batch": job(
    "strava",
    z.object({ eventIds: z.array(z.number().int().positive()).min(1).max(1000) }).strict(),
    { attempts: 8, backoffMs: 2_000 },
  ),
  /** GET /athlete/zones -> athletes.hr_zones, queued on connect (src/workers/strava/zones.ts). */
  "strava-fetch-zones": job("strava", z.object({ athleteId: z.number().int().positive() }).strict()),
  /** The athlete's last `weeks` of activities, at BACKFILL_PRIORITY, resumable (src/workers/strava/backfill.ts). */
  "strava-backfill": job(
    "strava",
    z.object({ athleteId: z.number().int().positive(), weeks: z.number().int().min(1).max(52) }).strict(),
    { attempts: 5, backoffMs: 30_000 },
  ),
  /**
   * A stored plan version, handed to whatever consumes plan changes (workout
   * destinations, notifications). Job id `plan-changed-<install id>-<planVersionId>`.
   */
  "plan-changed": job(
    "plan-events",
    z
      .object({
        athleteId: z.number().int().positive(),
        planVersionId: z.number().int().positive(),
        version: z.number().int().positive(),
        changes: z.array(z.object({ type: z.string(), sentence: z.string() }).passthrough()),
      })
      .strict(),
    { attempts: 10, backoffMs: 5_000 },
  ),
  /**
   * Fetches the athlete's running-plan calendar (settings.runningPlanIcsUrl), replaces
   * their imported planned runs and re-plans when they changed. On a settings change
   * and every 6 hours (src/workers/athlete-schedules.ts).
   */
  "import-running-plan": job("calendar", z.object({ athleteId: z.number().int().positive() }).strict(), {
    attempts: 4,
    backoffMs: 60_000,
  }),
  /**
   * Reads the athlete's own calendar (busyCalendarIcsUrl) for busy times, stores
   * their start and end only, and re-plans when they changed. Same schedule as the
   * running-plan import (src/workers/athlete-schedules.ts).
   */
  "import-busy-calendar": job("calendar", z.object({ athleteId: z.number().int().positive() }).strict(), {
    attempts: 4,
    backoffMs: 60_000,
  }),
  /**
   * Queues Garmin inbox rows still "received" a while after they were stored, as
   * requeue-strava-inbox does for Strava's (src/workers/garmin/sweep-inbox.ts).
   */
  "requeue-garmin-inbox": job(
    "garmin",
    z.object({ olderThanSeconds: z.number().int().min(0).optional() }).strict(),
    { attempts: 3, backoffMs: 10_000 },
  ),
  /**
   * Tells the athlete what changed in their plan since the last message, by email
   * and web push (src/workers/notify/deliver.ts). Queued per stored version with
   * job id `notify-<install id>-<athleteId>-<planVersionId>`, delayed and
   * deduplicated per athlete for NOTIFY_COALESCE_MS; the delivery log in
   * `notifications` keeps a retry from sending anything twice.
   */
  "notify-plan-change": job("notify", z.object({ athleteId: z.number().int().positive() }).strict(), {
    attempts: 8,
    backoffMs: 30_000,
  }),
  /**
   * Mail that is not a plan change: the confirmation link of a new address (job id
   * `confirm-address-<install id>-<outbox key>`), the notice that a push
   * subscription was dropped (`push-dropped-<install id>-<subscription id>`).
   */
  "send-email-notice": job(
    "notify",
    z.discriminatedUnion("kind", [
      z.object({ athleteId: z.number().int().positive(), kind: z.literal("confirm-address") }).strict(),
      z
        .object({
          athleteId: z.number().int().positive(),
          kind: z.literal("push-dropped"),
          endpointHost: z.string().min(1).max(255),
        })
        .strict(),
    ]),
    { attempts: 6, backoffMs: 30_000 },
  ),
  /**
   * Brings one workout destination (Garmin, intervals.icu) of one athlete in line
   * with the current plan: future sessions created or updated in place, dropped
   * ones deleted (src/workers/destinations/push.ts). One job per (athlete,
   * destination, plan version), so a failing destination retries alone: job id
   * `push-<destination>-<install id>-<athleteId>-<planVersionId>`, or `…-linked-<ms>` on linking.
   */
  "push-workouts": job(
    "destinations",
    z
      .object({
        athleteId: z.number().int().positive(),
        destination: z.enum(["garmin", "intervals_icu"]),
        /** the plan version that asked for it; null when linking asked */
        planVersionId: z.number().int().positive().nullable(),
      })
      .strict(),
    { attempts: 8, backoffMs: 10_000 },
  ),
  /**
   * Handles one stored Garmin notification item (webhook_events.id): a pushed or
   * pinged activity imported, a deregistration confirmed with Garmin and wiped, a
   * permission change read back from Garmin (src/workers/garmin/handle-event.ts).
   * Job id `garmin-event-<install id>-<id>`.
   */
  "garmin-event": job("garmin", z.object({ eventId: z.number().int().positive() }).strict(), {
    attempts: 8,
    backoffMs: 5_000,
  }),
  /** Re-plans one athlete's window from stored data; deduplicated per athlete (see replan-trigger.ts). */
  "replan-athlete": job(
    "replan",
    z.object({ athleteId: z.number().int().positive(), cause: replanCause }).strict(),
    {
      attempts: 8,
      backoffMs: 1_000,
    },
  ),
};

export type JobName = keyof typeof JOBS;
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]["payload"]>;
export type JobsOfQueue<Q extends QueueName> = {
  [N in JobName]: (typeof JOBS)[N]["queue"] extends Q ? N : never;
}[JobName];

export function isJobName(name: string): name is JobName {
  return Object.hasOwn(JOBS, name);
}

/**
 * The BullMQ options of a job: the registry's attempts with exponential backoff,
 * completed jobs kept a day (at most 1000), failed ones a week. Every producer
 * (enqueue, the bulk and batch adds, the job schedulers) starts here, so a job's
 * retries are decided in JOBS alone; `overrides` adds the per-call part (a job
 * id, a priority, a delay) or replaces a default where a producer has a reason.
 */
export function jobOptions(name: JobName, overrides: JobsOptions = {}): JobsOptions {
  const def = JOBS[name];
  return {
    attempts: def.attempts,
    backoff: { type: "exponential", delay: def.backoffMs },
    removeOnComplete: { age: 24 * 3600, count: 1000 },
    removeOnFail: { age: 7 * 24 * 3600 },
    ...overrides,
  };
}
