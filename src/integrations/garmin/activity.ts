// Garmin Activity API activity summary -> Activity. Garmin pushes summaries inside
// {"activities": [...]}; exports and the CLI give one summary or an array of one.
// The summary carries no workout or race flag (Activity API 1.2.3), so sourceLabel
// stays null and classification rests on intensity, length and name.
import { z } from "zod";
import { type Activity, ActivityParseError, type Sport } from "../../domain/activity.ts";

const idSchema = z.union([z.string().min(1), z.number().int().nonnegative()]).transform(String);
const optionalNumber = z.number().nullish();

export const garminActivitySchema = z
  .object({
    summaryId: idSchema.nullish(),
    activityId: idSchema.nullish(),
    activityName: z.string().nullish(),
    activityType: z.string().min(1),
    startTimeInSeconds: z.number().int().positive(),
    // The device's offset from UTC, not a zone: users may set any display time.
    startTimeOffsetInSeconds: z.number().int().nullish(),
    durationInSeconds: z.number().nonnegative(),
    distanceInMeters: optionalNumber,
    averageHeartRateInBeatsPerMinute: optionalNumber,
    maxHeartRateInBeatsPerMinute: optionalNumber,
    averageSpeedInMetersPerSecond: optionalNumber,
    deviceName: z.string().nullish(),
    manual: z.boolean().nullish(),
    isParent: z.boolean().nullish(),
    parentSummaryId: idSchema.nullish(),
  })
  .refine((a) => a.activityId != null || a.summaryId != null, {
    message: "activityId or summaryId is required",
    path: ["activityId"],
  });

export type GarminActivity = z.infer<typeof garminActivitySchema>;

// Appendix A of the Activity API: every running type, but not the wheelchair push run.
const RUN_TYPES = new Set([
  "RUNNING",
  "INDOOR_RUNNING",
  "OBSTACLE_RUN",
  "STREET_RUNNING",
  "TRACK_RUNNING",
  "TRAIL_RUNNING",
  "TREADMILL_RUNNING",
  "ULTRA_RUN",
  "VIRTUAL_RUN",
]);

const INDOOR_TYPES = new Set(["INDOOR_RUNNING", "TREADMILL_RUNNING", "VIRTUAL_RUN"]);

export function garminSport(activityType: string): Sport {
  if (RUN_TYPES.has(activityType)) return "run";
  if (activityType === "STRENGTH_TRAINING") return "strength";
  return "other";
}

export function fromGarminActivity(a: GarminActivity): Activity {
  const sport = garminSport(a.activityType);
  const startMs = a.startTimeInSeconds * 1000;
  const offset = a.startTimeOffsetInSeconds ?? null;
  const distance = a.distanceInMeters ?? 0;
  return {
    source: "garmin",
    id: (a.activityId ?? a.summaryId) as string,
    name: a.activityName ?? "",
    sport,
    sportType: a.activityType,
    start: new Date(startMs).toISOString(),
    timezone: null,
    utcOffsetS: offset,
    // The summary has one duration (timer time); Garmin gives moving time only in details.
    movingS: a.durationInSeconds,
    elapsedS: a.durationInSeconds,
    distanceM: distance,
    avgHr: a.averageHeartRateInBeatsPerMinute ?? null,
    maxHr: a.maxHeartRateInBeatsPerMinute ?? null,
    avgSpeedMps:
      a.averageSpeedInMetersPerSecond ??
      (distance > 0 && a.durationInSeconds > 0 ? distance / a.durationInSeconds : null),
    sourceLabel: null,
    laps: [],
    startLocal: offset === null ? null : new Date(startMs + offset * 1000).toISOString().slice(0, 19),
    // Indoors the pace comes from a belt or a foot pod and says little about effort.
    indoor: INDOOR_TYPES.has(a.activityType),
  };
}

/** One summary, an array of one, or a push body {"activities": [one]}; throws ActivityParseError. */
export function mapGarminActivity(json: unknown): Activity {
  let one: unknown = json;
  if (json && typeof json === "object" && !Array.isArray(json) && "activities" in json) {
    one = (json as { activities: unknown }).activities;
  }
  if (Array.isArray(one)) {
    if (one.length !== 1)
      throw new ActivityParseError(`expected one Garmin activity summary, got ${one.length}`);
    one = one[0];
  }
  const parsed = garminActivitySchema.safeParse(one);
  if (!parsed.success)
    throw ActivityParseError.fromIssues("not a Garmin activity summary", parsed.error.issues);
  return fromGarminActivity(parsed.data);
}
