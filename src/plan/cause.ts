import { z } from "zod";

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
  z.object({ type: z.literal("disconnect"), provider: z.enum(["strava", "garmin"]) }),
  z.object({
    type: z.literal("backfill"),
    provider: z.enum(["strava", "garmin"]),
    activities: z.number().int(),
  }),
  z.object({ type: z.literal("roll-forward") }),
  z.object({ type: z.literal("running-plan"), entries: z.number().int() }),
  /** the athlete's own calendar was read for busy times (how many, never what) */
  z.object({ type: z.literal("busy-calendar"), intervals: z.number().int() }),
  /** sets were logged for a session (typed in, or from a Garmin / .FIT strength activity) */
  z.object({ type: z.literal("strength-log"), source: z.enum(["api", "garmin", "fit"]) }),
]);
export type ReplanCause = z.infer<typeof replanCause>;
