// A .fit activity file -> Activity, decoded with Garmin's @garmin/fitsdk. FIT files are
// what watches actually write, with their quirks: a watch whose clock was never set
// records time since power-on; apps write files the SDK cannot finish reading; a
// triathlon is one file with a session per sport. Decoded messages are validated with
// zod like any other outside input.
import { Decoder, Stream } from "@garmin/fitsdk";
import { z } from "zod";
import {
  type Activity,
  ActivityParseError,
  type AthleteHr,
  type Lap,
  type Samples,
  type SourceLabel,
  type Sport,
  type TrainingEffect,
} from "../../domain/activity.ts";

export interface FitActivity {
  activity: Activity;
  /** what could not be read or had to be assumed, for the person reading the output */
  warnings: string[];
}

// FIT date_time counts seconds from 1989-12-31T00:00Z; values below 0x10000000 are
// "system time", seconds since the device powered on, not a date (FIT profile, date_time).
const FIT_EPOCH_S = 631_065_600;
const FIT_SYSTEM_TIME_LIMIT = 0x10000000;

const fitSeconds = (d: Date): number => Math.round(d.getTime() / 1000) - FIT_EPOCH_S;
const enumText = z.union([z.string(), z.number()]).transform(String);
const optionalNumber = z.number().optional();

const fileIdSchema = z.object({
  type: enumText.optional(),
  manufacturer: enumText.optional(),
  product: z.number().optional(),
  serialNumber: z.number().optional(),
  timeCreated: z.date().optional(),
});

const activityMesgSchema = z.object({
  timestamp: z.date().optional(),
  localTimestamp: z.number().optional(),
  type: enumText.optional(),
});

export const fitSessionSchema = z.object({
  startTime: z.date(),
  timestamp: z.date().optional(),
  sport: enumText,
  subSport: enumText.optional(),
  sportProfileName: z.string().optional(),
  totalElapsedTime: z.number().nonnegative(),
  totalTimerTime: optionalNumber,
  totalMovingTime: optionalNumber,
  totalDistance: optionalNumber,
  avgSpeed: optionalNumber,
  enhancedAvgSpeed: optionalNumber,
  avgHeartRate: optionalNumber,
  maxHeartRate: optionalNumber,
  firstLapIndex: optionalNumber,
  numLaps: optionalNumber,
  // Firstbeat's training effect, 0-5 (FIT profile: session.total_training_effect)
  totalTrainingEffect: optionalNumber,
  totalAnaerobicTrainingEffect: optionalNumber,
});

// The athlete's own heart-rate settings, as the device held them when it recorded.
const zonesTargetSchema = z.object({
  maxHeartRate: optionalNumber,
  thresholdHeartRate: optionalNumber,
});

const userProfileSchema = z.object({
  restingHeartRate: optionalNumber,
  defaultMaxRunningHeartRate: optionalNumber,
  defaultMaxHeartRate: optionalNumber,
});

const recordSchema = z.object({
  timestamp: z.date(),
  heartRate: optionalNumber,
  speed: optionalNumber,
  enhancedSpeed: optionalNumber,
});

export const fitLapSchema = z.object({
  startTime: z.date().optional(),
  totalElapsedTime: z.number().nonnegative(),
  totalTimerTime: optionalNumber,
  totalMovingTime: optionalNumber,
  totalDistance: optionalNumber,
  avgSpeed: optionalNumber,
  enhancedAvgSpeed: optionalNumber,
  avgHeartRate: optionalNumber,
  maxHeartRate: optionalNumber,
  intensity: enumText.optional(),
  sport: enumText.optional(),
});

type FitSession = z.infer<typeof fitSessionSchema>;
type FitRecord = z.infer<typeof recordSchema>;
type FitLap = z.infer<typeof fitLapSchema>;

export function fitSport(sport: string, subSport: string | undefined): Sport {
  if (sport === "running") return "run";
  // FIT files strength as sport "training" with sub-sport "strengthTraining".
  if (sport === "training" && subSport === "strengthTraining") return "strength";
  return "other";
}

function lapIntensity(value: string | undefined): Lap["intensity"] {
  switch (value) {
    case "active":
    case "interval":
      return "active";
    case "rest":
    case "recovery":
      return "rest";
    case "warmup":
      return "warmup";
    case "cooldown":
      return "cooldown";
    default:
      return null;
  }
}

function speedOf(distance: number, time: number, ...given: Array<number | undefined>): number | null {
  for (const g of given) if (g !== undefined && g > 0) return g;
  return distance > 0 && time > 0 ? distance / time : null;
}

function toLap(l: FitLap, i: number, startMs: number): Lap {
  const moving = l.totalMovingTime ?? l.totalTimerTime ?? l.totalElapsedTime;
  const distance = l.totalDistance ?? 0;
  return {
    index: i + 1,
    startOffsetS: l.startTime ? Math.round((l.startTime.getTime() - startMs) / 1000) : null,
    elapsedS: l.totalElapsedTime,
    movingS: moving,
    distanceM: distance,
    avgSpeedMps: speedOf(distance, moving, l.enhancedAvgSpeed, l.avgSpeed),
    avgHr: l.avgHeartRate ?? null,
    maxHr: l.maxHeartRate ?? null,
    intensity: lapIntensity(l.intensity),
  };
}

function lapsOf(session: FitSession, laps: FitLap[]): FitLap[] {
  if (session.firstLapIndex !== undefined && session.numLaps !== undefined) {
    return laps.slice(session.firstLapIndex, session.firstLapIndex + session.numLaps);
  }
  const from = session.startTime.getTime();
  const to = from + session.totalElapsedTime * 1000;
  return laps.filter((l) => l.startTime && l.startTime.getTime() >= from && l.startTime.getTime() < to);
}

function parseAll<T>(
  schema: z.ZodType<T>,
  what: string,
  items: unknown[] | undefined,
  warnings: string[],
): T[] {
  const out: T[] = [];
  for (const item of items ?? []) {
    const parsed = schema.safeParse(item);
    if (parsed.success) out.push(parsed.data);
    else warnings.push(`skipped a ${what} message: ${parsed.error.issues[0]?.message ?? "invalid"}`);
  }
  return out;
}

interface Decoded {
  messages: Record<string, unknown[] | undefined>;
  warnings: string[];
  /** the SDK's error when it stopped before the end of the file */
  stoppedBy: string | null;
}

function decode(bytes: Uint8Array): Decoded {
  const warnings: string[] = [];
  let decoder: Decoder;
  try {
    decoder = new Decoder(Stream.fromBuffer(bytes));
    if (!decoder.isFIT()) throw new ActivityParseError("not a FIT file (no .FIT header)");
  } catch (e) {
    if (e instanceof ActivityParseError) throw e;
    throw new ActivityParseError(`not a FIT file: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!decoder.checkIntegrity())
    warnings.push("the file's checksum does not match: it may be truncated or damaged");
  let result: ReturnType<Decoder["read"]>;
  try {
    result = decoder.read({
      convertDateTimesToDates: true,
      convertTypesToStrings: true,
      mergeHeartRates: false,
    });
  } catch (e) {
    throw new ActivityParseError(`FIT decoding failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const stoppedBy = result.errors[0]?.message ?? null;
  if (stoppedBy) warnings.push(`decoding stopped early (${stoppedBy}); what was read before it is used`);
  return {
    messages: result.messages as unknown as Record<string, unknown[] | undefined>,
    warnings,
    stoppedBy,
  };
}

// Heart rates outside this range are sensor noise or an unset field (0, 255).
const plausibleHr = (hr: number | undefined): number | null =>
  hr !== undefined && hr >= 30 && hr <= 240 ? hr : null;

function athleteHrOf(
  zones: z.infer<typeof zonesTargetSchema> | undefined,
  profile: z.infer<typeof userProfileSchema> | undefined,
): AthleteHr | null {
  const zoneMax = plausibleHr(zones?.maxHeartRate);
  const threshold = plausibleHr(zones?.thresholdHeartRate);
  const profileMax =
    plausibleHr(profile?.defaultMaxRunningHeartRate) ?? plausibleHr(profile?.defaultMaxHeartRate);
  const resting = plausibleHr(profile?.restingHeartRate);
  const maxHr = zoneMax ?? profileMax;
  if (maxHr === null && threshold === null) return null;
  return {
    maxHr,
    thresholdHr: threshold,
    restingHr: resting,
    source:
      zoneMax !== null || threshold !== null ? "the file's heart-rate zones" : "the file's user profile",
  };
}

function trainingEffectOf(sessions: FitSession[]): TrainingEffect | null {
  // A multisport file's run leg carries its own value; several run legs: the highest.
  const top = (xs: Array<number | undefined>) => {
    const ok = xs.filter((x): x is number => x !== undefined && x >= 0 && x <= 5);
    return ok.length ? Math.max(...ok) : null;
  };
  const aerobic = top(sessions.map((s) => s.totalTrainingEffect));
  const anaerobic = top(sessions.map((s) => s.totalAnaerobicTrainingEffect));
  return aerobic === null && anaerobic === null ? null : { aerobic, anaerobic };
}

function samplesOf(records: FitRecord[], sessions: FitSession[], startMs: number): Samples | null {
  const inSession = (t: number) =>
    sessions.some(
      (s) => t >= s.startTime.getTime() && t <= s.startTime.getTime() + s.totalElapsedTime * 1000,
    );
  const own = records.filter((r) => inSession(r.timestamp.getTime()));
  if (own.length < 2) return null;
  const samples: Samples = { offsetS: [], hr: [], speedMps: [] };
  for (const r of own) {
    const speed = r.enhancedSpeed ?? r.speed;
    samples.offsetS.push(Math.round((r.timestamp.getTime() - startMs) / 1000));
    samples.hr.push(plausibleHr(r.heartRate));
    samples.speedMps.push(speed !== undefined && speed >= 0 && speed < 15 ? speed : null);
  }
  return samples;
}

const INDOOR_SUB_SPORTS = new Set(["treadmill", "indoorRunning", "virtualActivity"]);

/** Decodes a FIT activity file; throws ActivityParseError when no activity can be read from it. */
export function parseFitActivity(bytes: Uint8Array): FitActivity {
  const { messages, warnings, stoppedBy } = decode(bytes);
  const fileId = parseAll(fileIdSchema, "file_id", messages.fileIdMesgs, warnings)[0];
  if (fileId?.type && fileId.type !== "activity") {
    throw new ActivityParseError(`a FIT ${fileId.type} file, not a recorded activity`);
  }
  const sessions = parseAll(fitSessionSchema, "session", messages.sessionMesgs, warnings);
  const laps = parseAll(fitLapSchema, "lap", messages.lapMesgs, warnings);
  const activityMesg = parseAll(activityMesgSchema, "activity", messages.activityMesgs, warnings)[0];
  const zonesTarget = parseAll(zonesTargetSchema, "zones_target", messages.zonesTargetMesgs, warnings)[0];
  const userProfile = parseAll(userProfileSchema, "user_profile", messages.userProfileMesgs, warnings)[0];
  // Samples are supporting evidence: one unreadable sample is dropped, not a warning each.
  const records = (messages.recordMesgs ?? []).flatMap((r) => {
    const parsed = recordSchema.safeParse(r);
    return parsed.success ? [parsed.data] : [];
  });
  if (sessions.length === 0) {
    throw new ActivityParseError(
      stoppedBy
        ? `no activity summary could be read: decoding stopped before the file's session message (${stoppedBy})`
        : "no activity summary could be read: the file has no session message",
    );
  }

  // A multisport file (triathlon, brick) has one session per sport. runstrong reasons
  // about running load, so the activity is the run leg(s), and the other sports are kept
  // in `multisport` for the reasons; a file without running is represented by its
  // longest session.
  const sports = sessions.map((s) => s.sport).filter((s) => s !== "transition");
  const distinctSports = [...new Set(sports)];
  const runs = sessions.filter((s) => s.sport === "running");
  const chosen =
    runs.length > 0
      ? runs
      : [[...sessions].sort((a, b) => b.totalElapsedTime - a.totalElapsedTime)[0] as FitSession];
  const first = chosen[0] as FitSession;
  const multisport = distinctSports.length > 1 ? sports : null;
  if (multisport) {
    warnings.push(
      `multisport file (${sports.join(", ")}): classified by its ${first.sport} leg${chosen.length > 1 ? "s" : ""}`,
    );
  }

  const elapsed = chosen.reduce((s, x) => s + x.totalElapsedTime, 0);
  const moving = chosen.reduce(
    (s, x) => s + (x.totalMovingTime ?? x.totalTimerTime ?? x.totalElapsedTime),
    0,
  );
  const distance = chosen.reduce((s, x) => s + (x.totalDistance ?? 0), 0);
  const hrSessions = chosen.filter((x) => x.avgHeartRate !== undefined);
  const hrTime = hrSessions.reduce((s, x) => s + x.totalElapsedTime, 0);
  const avgHr = hrSessions.length
    ? Math.round(
        hrSessions.reduce((s, x) => s + (x.avgHeartRate ?? 0) * x.totalElapsedTime, 0) / (hrTime || 1),
      )
    : null;
  const maxHrs = chosen.map((x) => x.maxHeartRate).filter((h): h is number => h !== undefined);
  const avgSpeed =
    chosen.length === 1
      ? speedOf(distance, moving, first.enhancedAvgSpeed, first.avgSpeed)
      : speedOf(distance, moving);

  // Time: the session's start, unless the clock was never set; the local offset from the
  // activity message's local_timestamp, which most devices write.
  const startFit = fitSeconds(first.startTime);
  let start = first.startTime;
  let utcOffsetS: number | null = null;
  let startLocal: string | null = null;
  const local = activityMesg?.localTimestamp;
  const stamp = activityMesg?.timestamp;
  if (startFit < FIT_SYSTEM_TIME_LIMIT) {
    if (local !== undefined && stamp) {
      const localStartFit = local - (fitSeconds(stamp) - startFit);
      startLocal = new Date((localStartFit + FIT_EPOCH_S) * 1000).toISOString().slice(0, 19);
      start = new Date(`${startLocal}Z`);
      warnings.push(
        "the device clock was not set: the start is its local wall time; the UTC instant is unknown",
      );
    } else {
      throw new ActivityParseError(
        "the device clock was not set and the file has no local time: no date can be given",
      );
    }
  } else if (local !== undefined && stamp) {
    const offset = local - fitSeconds(stamp);
    // Offsets are whole quarter hours within ±14 h; anything else is a bad local clock.
    if (Math.abs(offset) <= 14 * 3600) {
      utcOffsetS = Math.round(offset / 900) * 900;
      startLocal = new Date(first.startTime.getTime() + utcOffsetS * 1000).toISOString().slice(0, 19);
    }
  }

  const ownLaps = chosen.flatMap((s) => lapsOf(s, laps));
  const label: SourceLabel = multisport && runs.length > 0 ? multisportLabel(distinctSports) : null;

  const activity: Activity = {
    source: "fit",
    id: fitId(fileId, first),
    name: first.sportProfileName ?? "",
    sport: fitSport(first.sport, first.subSport),
    sportType:
      first.subSport && first.subSport !== "generic" ? `${first.sport}/${first.subSport}` : first.sport,
    start: start.toISOString(),
    timezone: null,
    utcOffsetS,
    movingS: Math.round(moving),
    elapsedS: Math.round(elapsed),
    distanceM: distance,
    avgHr,
    maxHr: maxHrs.length ? Math.max(...maxHrs) : null,
    avgSpeedMps: avgSpeed,
    sourceLabel: label,
    // Lap times share the session's time base, set clock or not.
    laps: ownLaps.map((l, i) => toLap(l, i, first.startTime.getTime())),
    startLocal,
    multisport,
    athleteHr: athleteHrOf(zonesTarget, userProfile),
    trainingEffect: trainingEffectOf(chosen),
    samples: samplesOf(records, chosen, first.startTime.getTime()),
    indoor: chosen.every((x) => x.subSport !== undefined && INDOOR_SUB_SPORTS.has(x.subSport)),
  };
  return { activity, warnings };
}

/**
 * Swim, bike and run in one recording is a triathlon, raced or rehearsed: a race effort.
 * Other combinations (a bike-run brick, a duathlon) are key sessions: a workout.
 */
function multisportLabel(sports: string[]): SourceLabel {
  const has = (s: string) => sports.includes(s);
  return has("swimming") && has("cycling") && has("running") ? "race" : "workout";
}

function fitId(fileId: z.infer<typeof fileIdSchema> | undefined, first: FitSession): string {
  const who = fileId?.serialNumber ?? fileId?.manufacturer ?? "fit";
  const when = fileId?.timeCreated ? fitSeconds(fileId.timeCreated) : fitSeconds(first.startTime);
  return `${who}-${when}`;
}

export function mapFitActivity(bytes: Uint8Array): Activity {
  return parseFitActivity(bytes).activity;
}
