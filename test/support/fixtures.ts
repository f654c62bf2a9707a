// Reading the recorded payloads in test/fixtures (origins and licences in
// test/fixtures/SOURCES.md) and building Activity values for tests that need one
// field set just so.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Activity, Lap } from "../../src/domain/activity.ts";
import { parseStravaJson } from "../../src/integrations/strava/activity.ts";

/** test/fixtures/, inside the repository */
export const REFERENCE = new URL("../fixtures/", import.meta.url);

export function referencePath(relative: string): string {
  return fileURLToPath(new URL(relative, REFERENCE));
}

export function readReferenceBytes(relative: string): Buffer {
  return readFileSync(referencePath(relative));
}

/** JSON with Strava-sized ids kept exact (see parseStravaJson). */
export function readReferenceJson(relative: string): unknown {
  return parseStravaJson(readFileSync(referencePath(relative), "utf8"));
}

export const STRAVA = {
  race: "strava/strava-detailed-activity-run-race.json",
  splits: "strava/strava-detailed-activity-run-splits.json",
  summary: "strava/strava-summary-activity-run.json",
  runs908: "strava/strava-summary-runs-908-one-athlete.json",
  laps: "strava/strava-activity-laps-run.json",
  zones: "strava/strava-athlete-zones.json",
} as const;

export const FIT = {
  walkRun: "fit/fitparse_FR110_walkrun_easy.fit",
  progression: "fit/fitparse_FR70_10k_progression.fit",
  triathlon: "fit/fitparse_FR920xt_triathlon_race.fit",
  stravaAndroid: "fit/fitparse_strava_android_11k.fit",
  workout: "fit/sdk_workout_WorkoutRepeatSteps.fit",
} as const;

/**
 * The Activity API 1.2.3 documentation's activity-details summary example (Garmin
 * publishes no fixture file): field names and values as the document gives them.
 */
export const GARMIN_DOC_RUN = {
  summaryId: "5001968355",
  activityId: 5001968355,
  activityType: "RUNNING",
  activityName: "Olathe RUNNING",
  startTimeInSeconds: 1512234126,
  startTimeOffsetInSeconds: -25200,
  durationInSeconds: 1789,
  averageHeartRateInBeatsPerMinute: 144,
  averageRunCadenceInStepsPerMinute: 84.0,
  averageSpeedInMetersPerSecond: 2.781,
  averagePaceInMinutesPerKilometer: 15.521924,
  activeKilocalories: 367,
  deviceName: "Garmin fenix 8",
  distanceInMeters: 4976.83,
  maxHeartRateInBeatsPerMinute: 159,
  maxPaceInMinutesPerKilometer: 10.396549,
  maxRunCadenceInStepsPerMinute: 106.0,
  maxSpeedInMetersPerSecond: 4.152,
  startingLatitudeInDegree: 51.053232522681355,
  startingLongitudeInDegree: -114.06880217604339,
  steps: 5022,
  totalElevationGainInMeters: 16.0,
  totalElevationLossInMeters: 22.0,
};

/** A plain 45-minute run with nothing to say: override the fields a test is about. */
export function buildActivity(overrides: Partial<Activity> = {}): Activity {
  return {
    source: "strava",
    id: "1",
    name: "Morning Run",
    sport: "run",
    sportType: "Run",
    start: "2026-12-08T06:00:00.000Z",
    timezone: "Europe/Berlin",
    utcOffsetS: 3600,
    movingS: 45 * 60,
    elapsedS: 46 * 60,
    distanceM: 8100,
    avgHr: null,
    maxHr: null,
    avgSpeedMps: 3,
    sourceLabel: null,
    laps: [],
    ...overrides,
  };
}

/** Laps from [seconds, seconds per km, avg HR?] triples, in order. */
export function buildLaps(specs: Array<[number, number, (number | null)?, Lap["intensity"]?]>): Lap[] {
  let offset = 0;
  return specs.map(([seconds, secPerKm, hr, intensity], i) => {
    const speed = 1000 / secPerKm;
    const lap: Lap = {
      index: i + 1,
      startOffsetS: offset,
      elapsedS: seconds,
      movingS: seconds,
      distanceM: Math.round(speed * seconds * 10) / 10,
      avgSpeedMps: speed,
      avgHr: hr ?? null,
      maxHr: hr == null ? null : hr + 8,
      intensity: intensity ?? null,
    };
    offset += seconds;
    return lap;
  });
}

/** An activity whose totals are the sum of its laps. */
export function withLaps(laps: Lap[], overrides: Partial<Activity> = {}): Activity {
  const moving = laps.reduce((s, l) => s + l.movingS, 0);
  const distance = laps.reduce((s, l) => s + l.distanceM, 0);
  const hrLaps = laps.filter((l) => l.avgHr !== null);
  const avgHr = hrLaps.length
    ? Math.round(
        hrLaps.reduce((s, l) => s + (l.avgHr ?? 0) * l.movingS, 0) /
          hrLaps.reduce((s, l) => s + l.movingS, 0),
      )
    : null;
  return buildActivity({
    movingS: moving,
    elapsedS: moving,
    distanceM: distance,
    avgSpeedMps: distance / moving,
    avgHr,
    laps,
    ...overrides,
  });
}
