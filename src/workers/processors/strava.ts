import type { QueueProcessor } from "../context.ts";
import { backfillStrava } from "../strava/backfill.ts";
import { enqueueStravaEvents } from "../strava/event-jobs.ts";
import { handleStravaEvent } from "../strava/handle-event.ts";
import { withStravaWaits } from "../strava/waits.ts";
import { fetchStravaZones } from "../strava/zones.ts";

// Every Strava job that calls Strava goes through withStravaWaits: a rate limit
// delays the job to the next window instead of failing it.
export const stravaProcessor: QueueProcessor<"strava"> = {
  "strava-event": withStravaWaits(handleStravaEvent),
  // Only Redis: one strava-event job per stored event (existing ids are left alone).
  "strava-event-batch": async (payload, deps) => {
    await enqueueStravaEvents(deps.queues, payload.eventIds);
    return { queued: payload.eventIds.length };
  },
  "strava-fetch-zones": withStravaWaits(fetchStravaZones),
  "strava-backfill": withStravaWaits(backfillStrava),
};
