// The one activity shape the domain reasons about. Strava, Garmin and .FIT mappers
// (src/integrations/*) all produce it; nothing here knows where it came from
// beyond `source`, which is kept so reasons can name the evidence.
import { isValidTimeZone, localDate } from "./time.ts";

export type ActivitySource = "strava" | "garmin" | "fit" | "manual";

export type Sport = "run" | "strength" | "other";

/** What the source itself says about a run (Strava workout_type, a Garmin workout or race). */
export type SourceLabel = "race" | "long" | "workout" | null;

export interface Lap {
  index: number;
  /** seconds from the activity start to the lap start, when known */
  startOffsetS: number | null;
  elapsedS: number;
  movingS: number;
  distanceM: number;
  /** metres per second over the lap's moving time */
  avgSpeedMps: number | null;
  avgHr: number | null;
  maxHr: number | null;
  /** a device's own lap intensity marker (FIT lap.intensity), when present */
  intensity: "active" | "rest" | "warmup" | "cooldown" | null;
}

export interface Activity {
  source: ActivitySource;
  /** the source's own id, as text (Strava ids exceed 2^53 in places: never a number) */
  id: string;
  name: string;
  sport: Sport;
  /** the source's own sport label, e.g. Strava "TrailRun", Garmin "RUNNING" */
  sportType: string;
  /** start instant, ISO 8601 in UTC ("2026-12-08T17:00:00.000Z") */
  start: string;
  /** IANA zone the activity was recorded in, when the source says */
  timezone: string | null;
  /** offset of local time from UTC at the start, seconds, when the source says */
  utcOffsetS: number | null;
  movingS: number;
  elapsedS: number;
  distanceM: number;
  avgHr: number | null;
  maxHr: number | null;
  avgSpeedMps: number | null;
  sourceLabel: SourceLabel;
  laps: Lap[];
  /**
   * Local wall-clock start "YYYY-MM-DDTHH:MM:SS" when the source says so. It matters
   * when the UTC instant itself is unknown: a FIT device whose clock was never set
   * records only relative time, and then `start` is this wall clock read as UTC.
   */
  startLocal?: string | null;
  /** the sports of a multisport recording in order (e.g. a triathlon), when this activity is one leg of it */
  multisport?: string[] | null;
  /**
   * What the recording says about the athlete's heart rate: a FIT file's zones_target
   * (max and threshold HR) or user_profile (default max, resting HR).
   */
  athleteHr?: AthleteHr | null;
  /** the device's training effect for the session (Garmin/Firstbeat, 0-5), when it wrote one */
  trainingEffect?: TrainingEffect | null;
  /** Strava's relative effort (suffer_score), computed from HR and the athlete's zones */
  sufferScore?: number | null;
  /** the athlete's own rating of the effort, 1-10 (Strava perceived_exertion) */
  perceivedExertion?: number | null;
  /** the recorded samples (FIT record messages), when the source gives them */
  samples?: Samples | null;
  /** the source says it was run indoors (treadmill, indoor run): pace from a foot pod or belt */
  indoor?: boolean;
}

export interface AthleteHr {
  maxHr: number | null;
  /** lactate threshold heart rate */
  thresholdHr: number | null;
  restingHr: number | null;
  /** where the numbers come from, for reasons ("the file's heart-rate zones") */
  source: string;
}

export interface TrainingEffect {
  aerobic: number | null;
  anaerobic: number | null;
}

/** Parallel arrays, one entry per recorded sample, in time order. */
export interface Samples {
  /** seconds from the activity start (timer pauses included) */
  offsetS: number[];
  hr: Array<number | null>;
  speedMps: Array<number | null>;
}

/**
 * The athlete-local calendar date the activity started on: from its IANA zone when
 * known (DST-correct), else from its UTC offset, else from its local wall clock,
 * else the UTC date.
 */
export function activityLocalDate(activity: Activity): string {
  const ms = Date.parse(activity.start);
  if (activity.timezone && isValidTimeZone(activity.timezone)) return localDate(ms, activity.timezone);
  if (activity.utcOffsetS !== null)
    return new Date(ms + activity.utcOffsetS * 1000).toISOString().slice(0, 10);
  if (activity.startLocal) return activity.startLocal.slice(0, 10);
  return new Date(ms).toISOString().slice(0, 10);
}

/** A payload that cannot be read as an activity; the message says which field and why. */
export class ActivityParseError extends Error {
  override name = "ActivityParseError";
  readonly code = "activity_invalid";

  /** From schema issues (zod's shape): "what: moving_time: expected number; ..." on one line. */
  static fromIssues(
    what: string,
    issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>,
  ): ActivityParseError {
    const text = issues
      .slice(0, 4)
      .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`)
      .join("; ");
    return new ActivityParseError(`${what}: ${text}`);
  }
}
