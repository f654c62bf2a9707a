// What the mappers carry from each source into the Activity for classification
// (issue 12): FIT zones_target, user_profile, training effect and samples; Strava's
// relative effort and perceived exertion; indoor runs.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseFitActivity } from "../../src/integrations/fit/activity.ts";
import { mapGarminActivity } from "../../src/integrations/garmin/activity.ts";
import { mapStravaActivity } from "../../src/integrations/strava/activity.ts";
import { FIT, GARMIN_DOC_RUN, readReferenceBytes, readReferenceJson, STRAVA } from "../support/fixtures.ts";

const built = (name: string) =>
  parseFitActivity(readFileSync(new URL(`../fixtures/classify-eval/built/${name}`, import.meta.url)))
    .activity;

describe("FIT", () => {
  it("reads zones_target (max and threshold HR) as the athlete's heart-rate settings", () => {
    expect(built("tri-run-zones.fit").athleteHr).toEqual({
      maxHr: 192,
      thresholdHr: 176,
      restingHr: null,
      source: "the file's heart-rate zones",
    });
  });

  it("reads user_profile's max running and resting HR when there are no zones", () => {
    expect(built("tri-run-profile.fit").athleteHr).toEqual({
      maxHr: 192,
      thresholdHr: null,
      restingHr: 48,
      source: "the file's user profile",
    });
  });

  it("reads the session's training effect, the run leg's own in a multisport file", () => {
    expect(built("walkrun-training-effect.fit").trainingEffect).toEqual({ aerobic: 2.4, anaerobic: 0.4 });
    const tri = parseFitActivity(readReferenceBytes(FIT.triathlon)).activity;
    expect(tri.trainingEffect).toEqual({ aerobic: 4.8, anaerobic: null });
  });

  it("keeps the HR and speed samples of the chosen session, offsets from its start", () => {
    const tri = parseFitActivity(readReferenceBytes(FIT.triathlon)).activity;
    const s = tri.samples;
    expect(s?.offsetS.length).toBe(517);
    expect(s?.offsetS[0]).toBe(0);
    expect(Math.max(...(s?.offsetS ?? []))).toBeLessThanOrEqual(tri.elapsedS);
    expect(s?.hr.every((h) => h !== null && h >= 150 && h <= 190)).toBe(true);
    expect(s?.speedMps.length).toBe(517);
  });

  it("a file without those messages has none of them, and an indoor sub-sport marks it indoor", () => {
    const walk = parseFitActivity(readReferenceBytes(FIT.walkRun)).activity;
    expect(walk.athleteHr).toBeNull();
    expect(walk.trainingEffect).toBeNull();
    expect(walk.indoor).toBe(false);
    expect(built("walkrun-treadmill-one-lap.fit").indoor).toBe(true);
  });

  it("a file cut short keeps the samples it has, which the classifier then does not trust", () => {
    const a = parseFitActivity(readReferenceBytes(FIT.stravaAndroid)).activity;
    expect(a.samples?.offsetS.length).toBeGreaterThan(100);
    expect(Math.max(...(a.samples?.offsetS ?? []))).toBeLessThan(a.elapsedS * 0.2);
  });
});

describe("Strava and Garmin", () => {
  it("Strava's suffer_score and perceived_exertion, when given", () => {
    const race = mapStravaActivity(readReferenceJson(STRAVA.race));
    expect(race.sufferScore).toBe(656);
    expect(race.perceivedExertion).toBeNull();
    const rated = mapStravaActivity({ ...(readReferenceJson(STRAVA.race) as object), perceived_exertion: 8 });
    expect(rated.perceivedExertion).toBe(8);
  });

  it("no relative effort from a run without heart rate", () => {
    const json = { ...(readReferenceJson(STRAVA.race) as object), has_heartrate: false };
    expect(mapStravaActivity(json).sufferScore).toBeNull();
  });

  it("a trainer or virtual run is indoors, as is a Garmin treadmill run", () => {
    const race = readReferenceJson(STRAVA.race) as object;
    expect(mapStravaActivity({ ...race, trainer: true }).indoor).toBe(true);
    expect(mapStravaActivity(race).indoor).toBe(false);
    expect(mapGarminActivity({ ...GARMIN_DOC_RUN, activityType: "TREADMILL_RUNNING" }).indoor).toBe(true);
    expect(mapGarminActivity(GARMIN_DOC_RUN).indoor).toBe(false);
  });
});
