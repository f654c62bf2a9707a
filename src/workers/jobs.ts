// Every queue and every job, with the zod schema of its payload, in one place.
// A producer cannot enqueue a job name that is not here, and a worker parses
// every payload with the same schema before it runs.
import { z } from "zod";

export const QUEUE_NAMES = ["maintenance", "replan"] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

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

/**
 * Why a plan changed, carried from the trigger to the stored plan version so the
 * athlete can be told ("your 07:00 run on Wednesday was a tempo run").
 */
export const replanCause = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("activity"),
    provider: z.enum(["strava", "garmin"]),
    activityId: z.string(),
    change: z.enum(["created", "updated", "deleted"]),
    eventId: z.number().int().optional(),
  }),
  z.object({ type: z.literal("settings"), fields: z.array(z.string()) }),
  z.object({ type: z.literal("override"), what: z.string() }),
  z.object({ type: z.literal("connect"), provider: z.enum(["strava", "garmin"]) }),
  z.object({
    type: z.literal("backfill"),
    provider: z.enum(["strava", "garmin"]),
    activities: z.number().int(),
  }),
  z.object({ type: z.literal("roll-forward") }),
  z.object({ type: z.literal("running-plan"), entries: z.number().int() }),
]);
export type ReplanCause = z.infer<typeof replanCause>;

export const JOBS = {
  /** Deletes handled webhook events older than the retention window (the inbox is not an archive). */
  "prune-webhook-inbox": job(
    "maintenance",
    z.object({ olderThanDays: z.number().int().min(1).optional() }).strict(),
    { attempts: 3, backoffMs: 60_000 },
  ),
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
