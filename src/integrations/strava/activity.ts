// Strava DetailedActivity / SummaryActivity -> Activity. The schema is exported for the
// import worker. Fields the classification relies on (id, start, sport, times, distance)
// are required and fail loudly; the rest are used when present.
import { z } from "zod";
import {
  type Activity,
  ActivityParseError,
  type Lap,
  type SourceLabel,
  type Sport,
} from "../../domain/activity.ts";
import { isValidTimeZone } from "../../domain/time.ts";

/**
 * Strava ids exceed 2^53 in places (activity ids passed 1.5e10, lap ids 5.5e10, and
 * upload ids grow faster): accept a string or a number, but never a number JSON.parse
 * has already rounded.
 */
export const stravaIdSchema = z
  .union([
    z.string().regex(/^\d+$/, "must be a decimal id"),
    z
      .number()
      .int()
      .nonnegative()
      .refine(
        Number.isSafeInteger,
        "is beyond 2^53 and was rounded by JSON.parse: parse with parseStravaJson",
      ),
  ])
  .transform(String);

const optionalNumber = z.number().nullish();

export const stravaLapSchema = z.object({
  lap_index: z.number().int().nullish(),
  elapsed_time: z.number().nonnegative(),
  moving_time: z.number().nonnegative(),
  distance: z.number().nonnegative(),
  start_date: z.string().nullish(),
  average_speed: optionalNumber,
  max_speed: optionalNumber,
  average_heartrate: optionalNumber,
  max_heartrate: optionalNumber,
  pace_zone: optionalNumber,
});

export const stravaActivitySchema = z
  .object({
    id: stravaIdSchema,
    name: z.string().nullish(),
    // `type` is deprecated but older payloads carry only it.
    sport_type: z.string().min(1).nullish(),
    type: z.string().min(1).nullish(),
    start_date: z.iso.datetime({ offset: true }),
    // Local wall time, written with a misleading "Z".
    start_date_local: z.string().nullish(),
    timezone: z.string().nullish(),
    utc_offset: optionalNumber,
    elapsed_time: z.number().nonnegative(),
    moving_time: z.number().nonnegative(),
    distance: z.number().nonnegative(),
    average_speed: optionalNumber,
    has_heartrate: z.boolean().nullish(),
    average_heartrate: optionalNumber,
    max_heartrate: optionalNumber,
    // Community-documented for runs: 0 default, 1 race, 2 long run, 3 workout.
    workout_type: z.number().int().nullish(),
    laps: z.array(stravaLapSchema).nullish(),
    // Relative effort, from HR and the athlete's zones; only with HR and a subscription.
    suffer_score: optionalNumber,
    // The athlete's own 1-10 rating, on detailed activities when they gave one.
    perceived_exertion: optionalNumber,
    trainer: z.boolean().nullish(),
  })
  .refine((a) => Boolean(a.sport_type ?? a.type), {
    message: "sport_type (or the older type) is required",
    path: ["sport_type"],
  });

export type StravaActivity = z.infer<typeof stravaActivitySchema>;

const RUN_TYPES = new Set(["Run", "TrailRun", "VirtualRun"]);
const STRENGTH_TYPES = new Set(["WeightTraining", "Workout", "Crossfit"]);

export function stravaSport(sportType: string): Sport {
  if (RUN_TYPES.has(sportType)) return "run";
  if (STRENGTH_TYPES.has(sportType)) return "strength";
  return "other";
}

/** "(GMT-05:00) America/New_York" -> "America/New_York"; null when Strava's label names no zone we know. */
export function stravaTimeZone(label: string | null | undefined): string | null {
  if (!label) return null;
  const zone = label.replace(/^\([^)]*\)\s*/, "").trim();
  return zone && isValidTimeZone(zone) ? zone : null;
}

function label(workoutType: number | null | undefined, sport: Sport): SourceLabel {
  if (sport !== "run") return null;
  return workoutType === 1 ? "race" : workoutType === 2 ? "long" : workoutType === 3 ? "workout" : null;
}

function laps(raw: StravaActivity["laps"], startMs: number): Lap[] {
  return (raw ?? []).map((l, i) => {
    const lapStart = l.start_date ? Date.parse(l.start_date) : Number.NaN;
    return {
      index: l.lap_index ?? i + 1,
      startOffsetS: Number.isNaN(lapStart) ? null : Math.round((lapStart - startMs) / 1000),
      elapsedS: l.elapsed_time,
      movingS: l.moving_time,
      distanceM: l.distance,
      avgSpeedMps: l.average_speed ?? (l.moving_time > 0 ? l.distance / l.moving_time : null),
      avgHr: l.average_heartrate ?? null,
      maxHr: l.max_heartrate ?? null,
      intensity: null,
    };
  });
}

export function fromStravaActivity(a: StravaActivity): Activity {
  const sportType = (a.sport_type ?? a.type) as string;
  const sport = stravaSport(sportType);
  const start = new Date(a.start_date);
  const hr = a.has_heartrate !== false;
  return {
    source: "strava",
    id: a.id,
    name: a.name ?? "",
    sport,
    sportType,
    start: start.toISOString(),
    timezone: stravaTimeZone(a.timezone),
    utcOffsetS: a.utc_offset ?? null,
    movingS: a.moving_time,
    elapsedS: a.elapsed_time,
    distanceM: a.distance,
    avgHr: hr ? (a.average_heartrate ?? null) : null,
    maxHr: hr ? (a.max_heartrate ?? null) : null,
    avgSpeedMps: a.average_speed ?? null,
    sourceLabel: label(a.workout_type, sport),
    laps: laps(a.laps, start.getTime()),
    startLocal: a.start_date_local ? a.start_date_local.replace(/Z$/, "").slice(0, 19) : null,
    sufferScore: hr && a.suffer_score != null && a.suffer_score >= 0 ? a.suffer_score : null,
    perceivedExertion:
      a.perceived_exertion != null && a.perceived_exertion >= 1 && a.perceived_exertion <= 10
        ? a.perceived_exertion
        : null,
    indoor: a.trainer === true || sportType === "VirtualRun",
  };
}

/** Validates a Strava activity payload (already parsed JSON) and maps it; throws ActivityParseError. */
export function mapStravaActivity(json: unknown): Activity {
  const parsed = stravaActivitySchema.safeParse(json);
  if (!parsed.success) throw ActivityParseError.fromIssues("not a Strava activity", parsed.error.issues);
  return fromStravaActivity(parsed.data);
}

/**
 * JSON.parse that keeps integers of 16 or more digits as strings, so a Strava id beyond
 * 2^53 survives exactly (JSON.parse would round it silently).
 */
export function parseStravaJson(text: string): unknown {
  // Walk the text once, skipping strings, and quote only the long integer tokens.
  const parts: string[] = [];
  let last = 0;
  let i = 0;
  while (i < text.length) {
    const ch = text.charCodeAt(i);
    if (ch === 34 /* " */) {
      i++;
      while (i < text.length && text.charCodeAt(i) !== 34) i += text.charCodeAt(i) === 92 /* \ */ ? 2 : 1;
      i++;
      continue;
    }
    const isDigit = ch >= 48 && ch <= 57;
    if (!isDigit && ch !== 45 /* - */) {
      i++;
      continue;
    }
    let j = i + 1;
    while (j < text.length && /[\d.eE+-]/.test(text.charAt(j))) j++;
    const token = text.slice(i, j);
    if (/^-?\d{16,}$/.test(token) && !Number.isSafeInteger(Number(token))) {
      parts.push(text.slice(last, i), `"${token}"`);
      last = j;
    }
    i = j;
  }
  parts.push(text.slice(last));
  return JSON.parse(parts.join(""));
}
