import type { QueueProcessor } from "../context.ts";
import { backfillStrava } from "../strava/backfill.ts";
import { handleStravaEvent } from "../strava/handle-event.ts";
import { withStravaWaits } from "../strava/waits.ts";
import { fetchStravaZones } from "../strava/zones.ts";

// Every Strava job goes through withStravaWaits: a rate limit delays the job to the
// next window instead of failing it.
export const stravaProcessor: QueueProcessor<"strava"> = {
  "strava-event": withStravaWaits(handleStravaEvent),
  "strava-fetch-zones": withStravaWaits(fetchStravaZones),
  "strava-backfill": withStravaWaits(backfillStrava),
};
