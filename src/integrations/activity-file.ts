// One recorded activity file, whatever wrote it: a .FIT file (by its header), a Strava
// activity (JSON with start_date/sport_type) or a Garmin activity summary. The CLI, the
// evaluation set and the benchmark read files this one way.
import { type Activity, ActivityParseError } from "../domain/activity.ts";
import { parseFitActivity } from "./fit/activity.ts";
import { mapGarminActivity } from "./garmin/activity.ts";
import { mapStravaActivity, parseStravaJson } from "./strava/activity.ts";

/** FIT files say ".FIT" at bytes 8-11 of their header, whatever the file is called. */
export function isFitFile(bytes: Uint8Array, file: string): boolean {
  return Buffer.from(bytes.subarray(8, 12)).toString("latin1") === ".FIT" || /\.fit$/i.test(file);
}

/** Throws ActivityParseError when the bytes are no activity of a known shape. */
export function readActivityFile(
  bytes: Uint8Array,
  file: string,
): { activity: Activity; warnings: string[] } {
  if (isFitFile(bytes, file)) return parseFitActivity(bytes);
  let json: unknown;
  try {
    json = parseStravaJson(Buffer.from(bytes).toString("utf8"));
  } catch (e) {
    throw new ActivityParseError(
      `not JSON and not a FIT file: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
  const probe = Array.isArray(json) ? json[0] : json;
  const has = (k: string) => probe !== null && typeof probe === "object" && k in probe;
  if (has("startTimeInSeconds") || has("activityType") || has("summaryId") || has("activities")) {
    return { activity: mapGarminActivity(json), warnings: [] };
  }
  if (has("start_date") || has("sport_type") || has("resource_state")) {
    if (Array.isArray(json))
      throw new ActivityParseError("a list of Strava activities: give one activity per file");
    return { activity: mapStravaActivity(json), warnings: [] };
  }
  throw new ActivityParseError(
    "neither a Strava activity (start_date, sport_type) nor a Garmin activity summary (activityType, startTimeInSeconds)",
  );
}
