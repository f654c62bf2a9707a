// Strava, Garmin and FIT payloads -> Activity, on the real reference payloads, and the
// ways a drifted or broken payload must fail: loudly, naming the field.
import { describe, expect, it } from "vitest";
import { ActivityParseError, activityLocalDate } from "../../src/domain/activity.ts";
import { parseFitActivity } from "../../src/integrations/fit/activity.ts";
import { garminSport, mapGarminActivity } from "../../src/integrations/garmin/activity.ts";
import {
  mapStravaActivity,
  parseStravaJson,
  stravaLapSchema,
  stravaSport,
  stravaTimeZone,
} from "../../src/integrations/strava/activity.ts";
import { mapStravaZones } from "../../src/integrations/strava/zones.ts";
import { FIT, GARMIN_DOC_RUN, readReferenceBytes, readReferenceJson, STRAVA } from "../support/fixtures.ts";

const raw = (path: string) => readReferenceJson(path) as Record<string, unknown>;

describe("Strava activity", () => {
  it("maps the NYC Marathon DetailedActivity: race label, zone, offset, laps with HR", () => {
    const a = mapStravaActivity(raw(STRAVA.race));
    expect(a).toMatchObject({
      source: "strava",
      id: "1946417534",
      name: "TCS NYC Marathon 2018",
      sport: "run",
      sportType: "Run",
      start: "2018-11-04T14:53:46.000Z",
      timezone: "America/New_York",
      utcOffsetS: -18000,
      movingS: 13085,
      elapsedS: 13333,
      distanceM: 42268.1,
      avgHr: 170.1,
      maxHr: 187,
      avgSpeedMps: 3.17,
      sourceLabel: "race",
      startLocal: "2018-11-04T09:53:46",
    });
    expect(a.laps).toHaveLength(1);
    expect(a.laps[0]).toMatchObject({
      index: 1,
      startOffsetS: 0,
      distanceM: 42882.9,
      avgHr: 170.1,
      intensity: null,
    });
    expect(activityLocalDate(a)).toBe("2018-11-04");
  });

  it("maps the splits run, which has no heart rate and workout_type null", () => {
    const a = mapStravaActivity(raw(STRAVA.splits));
    expect(a.avgHr).toBeNull();
    expect(a.maxHr).toBeNull();
    expect(a.sourceLabel).toBeNull();
    // 23:51 UTC on 28 March is 19:51 in New York (EDT): the local date is still the 28th
    expect(activityLocalDate(a)).toBe("2018-03-28");
  });

  it("maps a SummaryActivity, which has no laps", () => {
    const a = mapStravaActivity(raw(STRAVA.summary));
    expect(a.laps).toEqual([]);
    expect(a.id).toBe("16181809559");
    expect(a.avgHr).toBe(159.6);
  });

  it("maps all 908 real summaries as runs with their labels", () => {
    const list = readReferenceJson(STRAVA.runs908) as unknown[];
    const runs = list.map(mapStravaActivity);
    expect(runs).toHaveLength(908);
    expect(runs.every((a) => a.sport === "run")).toBe(true);
    const labels = new Map<string | null, number>();
    for (const a of runs) labels.set(a.sourceLabel, (labels.get(a.sourceLabel) ?? 0) + 1);
    const rawLabels = list.map((r) => (r as { workout_type: number | null }).workout_type);
    expect(labels.get("race")).toBe(rawLabels.filter((w) => w === 1).length);
    expect(labels.get("long")).toBe(rawLabels.filter((w) => w === 2).length);
    expect(runs.filter((a) => a.sportType === "TrailRun").length).toBeGreaterThan(0);
    expect(runs.every((a) => a.timezone !== null)).toBe(true);
  });

  it("keeps ids beyond 2^53 exact, as strings", () => {
    const json = parseStravaJson(
      JSON.stringify(raw(STRAVA.summary)).replace('"id":16181809559', '"id":18446744073709551615'),
    );
    expect(mapStravaActivity(json).id).toBe("18446744073709551615");
  });

  it("refuses an id that JSON.parse already rounded, saying how to avoid it", () => {
    const json = { ...raw(STRAVA.summary), id: 2 ** 60 };
    expect(() => mapStravaActivity(json)).toThrow(/id: .*parseStravaJson/);
  });

  it("parseStravaJson leaves strings, decimals and small numbers alone", () => {
    expect(
      parseStravaJson('{"a":"12345678901234567890","b":1.25,"c":-3,"d":[1e3,12345678901234567890]}'),
    ).toEqual({
      a: "12345678901234567890",
      b: 1.25,
      c: -3,
      d: [1000, "12345678901234567890"],
    });
  });

  it.each(["moving_time", "start_date", "distance", "id"])(
    "fails loudly, naming %s, when it is missing",
    (field) => {
      const json = raw(STRAVA.race);
      delete json[field];
      expect(() => mapStravaActivity(json)).toThrow(ActivityParseError);
      expect(() => mapStravaActivity(json)).toThrow(new RegExp(`not a Strava activity: ${field}:`));
    },
  );

  it("falls back to the deprecated type, and fails when neither names the sport", () => {
    const json = raw(STRAVA.summary);
    delete json.sport_type;
    expect(mapStravaActivity(json).sport).toBe("run");
    delete json.type;
    expect(() => mapStravaActivity(json)).toThrow(/sport_type/);
  });

  it("maps sport types to run, strength and other", () => {
    expect(["Run", "TrailRun", "VirtualRun"].map(stravaSport)).toEqual(["run", "run", "run"]);
    expect(["WeightTraining", "Workout", "Crossfit"].map(stravaSport)).toEqual([
      "strength",
      "strength",
      "strength",
    ]);
    expect(["Ride", "Walk", "Swim", "Yoga"].map(stravaSport)).toEqual(["other", "other", "other", "other"]);
  });

  it("gives a strength activity no run label even with a workout_type", () => {
    const a = mapStravaActivity({ ...raw(STRAVA.summary), sport_type: "WeightTraining", workout_type: 3 });
    expect(a.sport).toBe("strength");
    expect(a.sourceLabel).toBeNull();
  });

  it("reads the IANA zone out of Strava's label", () => {
    expect(stravaTimeZone("(GMT-05:00) America/New_York")).toBe("America/New_York");
    expect(stravaTimeZone("(GMT+01:00) Europe/Paris")).toBe("Europe/Paris");
    expect(stravaTimeZone("(GMT+00:00) Not/AZone")).toBeNull();
    expect(stravaTimeZone(null)).toBeNull();
  });

  it("parses the /laps endpoint's laps with the same lap schema", () => {
    const laps = (readReferenceJson(STRAVA.laps) as unknown[]).map((l) => stravaLapSchema.parse(l));
    expect(laps[0]?.average_heartrate).toBe(124.9);
  });
});

describe("Strava zones", () => {
  it("maps the athlete-zones fixture, top zone open-ended", () => {
    const zones = mapStravaZones(readReferenceJson(STRAVA.zones));
    expect(zones).toHaveLength(5);
    expect(zones[1]).toEqual({ min: 111, max: 139 });
    expect(zones[4]?.max).toBe(-1);
  });

  it("fails on a payload that is not zones", () => {
    expect(() => mapStravaZones(raw(STRAVA.race))).toThrow(/not Strava athlete zones: heart_rate/);
    expect(() =>
      mapStravaZones({
        heart_rate: {
          zones: [
            { min: 0, max: 150 },
            { min: 150, max: 120 },
          ],
        },
      }),
    ).toThrow(/zones must rise/);
  });
});

describe("Garmin activity summary", () => {
  it("maps the documented example: offset, not a zone; no laps; no label", () => {
    const a = mapGarminActivity(GARMIN_DOC_RUN);
    expect(a).toMatchObject({
      source: "garmin",
      id: "5001968355",
      name: "Olathe RUNNING",
      sport: "run",
      sportType: "RUNNING",
      start: new Date(1512234126 * 1000).toISOString(),
      timezone: null,
      utcOffsetS: -25200,
      movingS: 1789,
      distanceM: 4976.83,
      avgHr: 144,
      maxHr: 159,
      avgSpeedMps: 2.781,
      sourceLabel: null,
      laps: [],
    });
    // 17:02 UTC on 2 Dec 2017 is 10:02 at UTC-7
    expect(activityLocalDate(a)).toBe("2017-12-02");
  });

  it("accepts an array of one and a push body, refuses an array of two", () => {
    expect(mapGarminActivity([GARMIN_DOC_RUN]).id).toBe("5001968355");
    expect(mapGarminActivity({ activities: [{ ...GARMIN_DOC_RUN, userId: "u1" }] }).id).toBe("5001968355");
    expect(() => mapGarminActivity([GARMIN_DOC_RUN, GARMIN_DOC_RUN])).toThrow(
      /expected one Garmin activity summary, got 2/,
    );
  });

  it("maps strength training and other types", () => {
    expect(mapGarminActivity({ ...GARMIN_DOC_RUN, activityType: "STRENGTH_TRAINING" }).sport).toBe(
      "strength",
    );
    expect(["TRAIL_RUNNING", "TREADMILL_RUNNING", "TRACK_RUNNING", "ULTRA_RUN"].map(garminSport)).toEqual([
      "run",
      "run",
      "run",
      "run",
    ]);
    expect(["CYCLING", "WALKING", "WHEELCHAIR_PUSH_RUN"].map(garminSport)).toEqual([
      "other",
      "other",
      "other",
    ]);
  });

  it("fails loudly on a missing start or type", () => {
    const { startTimeInSeconds: _s, ...noStart } = GARMIN_DOC_RUN;
    expect(() => mapGarminActivity(noStart)).toThrow(/not a Garmin activity summary: startTimeInSeconds/);
    const { activityType: _t, ...noType } = GARMIN_DOC_RUN;
    expect(() => mapGarminActivity(noType)).toThrow(/activityType/);
  });
});

describe("FIT activity", () => {
  it("maps the FR110 walk/run: one running session, five auto-laps with intensity", () => {
    const { activity: a, warnings } = parseFitActivity(readReferenceBytes(FIT.walkRun));
    expect(warnings).toEqual([]);
    expect(a).toMatchObject({
      source: "fit",
      sport: "run",
      sportType: "running",
      start: "2013-02-06T12:11:14.000Z",
    });
    expect(a.distanceM).toBeCloseTo(4835.38, 1);
    expect(a.avgHr).toBe(147);
    expect(a.laps).toHaveLength(5);
    expect(a.laps.every((l) => l.intensity === "active")).toBe(true);
    expect(a.laps[1]?.startOffsetS).toBe(579);
  });

  it("maps the FR70 file despite the SDK stopping at its compressed timestamps, from local time", () => {
    const { activity: a, warnings } = parseFitActivity(readReferenceBytes(FIT.progression));
    expect(a.laps).toHaveLength(11);
    expect(a.avgHr).toBe(170);
    // The watch's clock was never set (1990 timestamps are seconds since power-on);
    // its local_timestamp still dates the run.
    expect(a.startLocal?.slice(0, 10)).toBe("2012-02-13");
    expect(a.utcOffsetS).toBeNull();
    expect(activityLocalDate(a)).toBe("2012-02-13");
    expect(warnings.join(" ")).toMatch(/compressed timestamp/);
    expect(warnings.join(" ")).toMatch(/clock was not set/);
  });

  it("represents the triathlon by its run leg, keeping the sports and the local offset", () => {
    const { activity: a, warnings } = parseFitActivity(readReferenceBytes(FIT.triathlon));
    expect(a.sport).toBe("run");
    expect(a.multisport).toEqual(["swimming", "cycling", "running"]);
    expect(a.sourceLabel).toBe("race");
    expect(a.start).toBe("2018-05-27T09:23:41.000Z");
    expect(a.distanceM).toBeCloseTo(9805.92, 1);
    expect(a.avgHr).toBe(176);
    expect(a.utcOffsetS).toBe(7200);
    expect(a.laps).toHaveLength(1);
    expect(warnings.join(" ")).toMatch(/multisport/);
  });

  it("uses what decodes from the Strava-Android file the SDK stops early on", () => {
    const { activity: a, warnings } = parseFitActivity(readReferenceBytes(FIT.stravaAndroid));
    expect(a.sport).toBe("run");
    expect(a.distanceM).toBeCloseTo(11274.04, 1);
    expect(a.movingS).toBe(3558);
    expect(a.avgSpeedMps).toBeCloseTo(11274.04 / 3558, 3);
    expect(a.avgHr).toBeNull();
    expect(warnings.some((w) => w.startsWith("decoding stopped early"))).toBe(true);
  });

  it("refuses a workout file, random bytes and a cut-off header with clear errors", () => {
    expect(() => parseFitActivity(readReferenceBytes(FIT.workout))).toThrow(
      /FIT workout file, not a recorded activity/,
    );
    expect(() => parseFitActivity(Buffer.from("not a fit file at all, just text"))).toThrow(/not a FIT file/);
    expect(() => parseFitActivity(new Uint8Array(0))).toThrow(ActivityParseError);
  });

  it("never crashes on a truncated file: either an activity or an ActivityParseError", () => {
    const bytes = readReferenceBytes(FIT.walkRun);
    const outcomes = new Set<string>();
    for (const cut of [14, 200, 2000, 9000, bytes.length - 100, bytes.length - 20]) {
      try {
        const { activity, warnings } = parseFitActivity(bytes.subarray(0, cut));
        expect(activity.sport).toBe("run");
        expect(warnings.join(" ")).toMatch(/checksum does not match/);
        outcomes.add("activity");
      } catch (e) {
        expect(e).toBeInstanceOf(ActivityParseError);
        expect(String(e)).toMatch(/not a FIT file|no activity summary could be read/);
        outcomes.add("error");
      }
    }
    // FR110 writes its session message near the end: cut before it there is nothing to map
    expect([...outcomes].sort()).toEqual(["activity", "error"]);
  });
});
