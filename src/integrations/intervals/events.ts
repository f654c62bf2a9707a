// intervals.icu calendar events for planned sessions. Shapes from intervals.icu's
// guide "Uploading planned workouts to Intervals.icu" (forum.intervals.icu/t/63624):
// POST /api/v1/athlete/{id}/events/bulk?upsert=true with an array of
// {category: "WORKOUT", start_date_local (local time, no offset), name,
// description, external_id}, matched by external_id among the caller's events;
// basic auth "API_KEY:<key>". Deleting by external_id: PUT
// /api/v1/athlete/{id}/events/bulk-delete with [{external_id}] (the API's
// deleteEventsBulk, as public intervals.icu clients call it).
import { z } from "zod";
import { DestinationError, destinationFetch } from "../destination-error.ts";

export interface IntervalsEvent {
  category: "WORKOUT";
  /** "2026-12-01T18:00:00": the athlete's wall clock, without an offset */
  start_date_local: string;
  /** intervals.icu's activity type for strength work (as Strava's) */
  type: "WeightTraining";
  name: string;
  description: string;
  /** seconds */
  moving_time: number;
  /** our session key */
  external_id: string;
}

export interface IntervalsClient {
  /** creates or updates events by external_id; answers intervals.icu's event ids by external_id */
  upsertEvents(events: IntervalsEvent[]): Promise<Map<string, string>>;
  deleteEvents(externalIds: string[]): Promise<void>;
}

const upserted = z.array(
  z
    .object({
      id: z.union([z.number(), z.string()]).transform(String),
      external_id: z.string().nullish(),
    })
    .passthrough(),
);

export function intervalsClient(o: {
  baseUrl: string;
  athleteId: string;
  apiKey: string;
  timeoutMs: number;
  now: () => number;
}): IntervalsClient {
  const base = `${o.baseUrl}/api/v1/athlete/${encodeURIComponent(o.athleteId)}`;
  const auth = `Basic ${Buffer.from(`API_KEY:${o.apiKey}`).toString("base64")}`;
  const call = (what: string, method: string, url: string, body: unknown) =>
    destinationFetch(`intervals.icu ${what}`, url, {
      method,
      headers: { authorization: auth, "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify(body),
      timeoutMs: o.timeoutMs,
      nowMs: o.now(),
    });
  return {
    async upsertEvents(events) {
      const res = await call("upsert events", "POST", `${base}/events/bulk?upsert=true`, events);
      const parsed = upserted.safeParse(await res.json().catch(() => null));
      if (!parsed.success)
        throw new DestinationError("rejected", "intervals.icu upsert events: not a list of events");
      const ids = new Map<string, string>();
      for (const e of parsed.data) if (e.external_id) ids.set(e.external_id, e.id);
      return ids;
    },
    async deleteEvents(externalIds) {
      if (externalIds.length === 0) return;
      await call(
        "delete events",
        "PUT",
        `${base}/events/bulk-delete`,
        externalIds.map((external_id) => ({ external_id })),
      );
    },
  };
}
