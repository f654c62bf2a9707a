// A Strava push-subscription event, as POSTed to our callback. Events are not
// signed: the route checks subscription_id and that owner_id is a connected
// athlete, and the worker trusts only what the API then returns.
import { createHash } from "node:crypto";
import { z } from "zod";
import { parseStravaJson, stravaIdSchema } from "./activity.ts";

export const stravaWebhookEventSchema = z.object({
  object_type: z.enum(["activity", "athlete"]),
  object_id: stravaIdSchema,
  aspect_type: z.enum(["create", "update", "delete"]),
  // Documented values are strings ("title", "type", "private", "authorized": "false").
  updates: z
    .record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()]))
    .nullish()
    .transform((u) => u ?? {}),
  owner_id: stravaIdSchema,
  subscription_id: z.number().int().positive(),
  event_time: z.number().int().nonnegative(),
});

export type StravaWebhookEvent = z.infer<typeof stravaWebhookEventSchema>;

/** 2009-01-01T00:00:00Z: Strava began in 2009, so no event of it is older. */
export const EARLIEST_EVENT_TIME = 1_230_768_000;
/** Clocks drift and queues lag, but an event is never dated more than a day ahead. */
export const EVENT_TIME_LEEWAY_S = 86_400;

/**
 * Why the event's `event_time` cannot be true, or null when it can: before 2009 or
 * more than a day after `now`. Checked before storing: such a time would mint a
 * fresh dedupe key for a replayed event, and one far enough out (2^53) is more
 * than Postgres' timestamp holds.
 */
export function eventTimeOutOfWindow(eventTime: number, now: Date): string | null {
  if (eventTime < EARLIEST_EVENT_TIME) return "event_time is before 2009";
  if (eventTime > Math.floor(now.getTime() / 1000) + EVENT_TIME_LEEWAY_S)
    return "event_time is more than a day ahead";
  return null;
}

/** An athlete revoking runstrong's access: `updates.authorized` is the string "false". */
export function isDeauthorization(e: StravaWebhookEvent): boolean {
  return e.object_type === "athlete" && String(e.updates.authorized) === "false";
}

/**
 * The event's identity: what changed (object, aspect), when (event_time) and how
 * (the updates, order-insensitive). Strava's retry of one delivery maps to the same
 * key; a title change and a type change in the same second do not.
 */
export function stravaEventDedupeKey(e: StravaWebhookEvent): string {
  const keys = Object.keys(e.updates).sort();
  const updates =
    keys.length === 0
      ? "-"
      : createHash("sha256")
          .update(JSON.stringify(keys.map((k) => [k, e.updates[k]])))
          .digest("base64url")
          .slice(0, 16);
  return `${e.object_type}/${e.object_id}/${e.aspect_type}/${e.event_time}/${e.owner_id}/${updates}`;
}

/** JSON.parse, except that a body with a 16+ digit number keeps it exact (ids past 2^53). */
export function parseWebhookBody(text: string): unknown {
  return /\d{16}/.test(text) ? parseStravaJson(text) : JSON.parse(text);
}
