// The rolling baseline: six weeks before a moment, easy-looking runs only, medians.
import { describe, expect, it } from "vitest";
import type { Activity } from "../../src/domain/activity.ts";
import { BASELINE_WINDOW_DAYS, deriveBaseline } from "../../src/domain/classify/baseline.ts";
import { mapStravaActivity } from "../../src/integrations/strava/activity.ts";
import { buildActivity, readReferenceJson, STRAVA } from "../support/fixtures.ts";

const DAY = 86_400_000;
const BEFORE = "2026-12-08T00:00:00.000Z";
const daysBefore = (n: number) => new Date(Date.parse(BEFORE) - n * DAY).toISOString();

/** An easy run n days before BEFORE at a pace (s/km) and HR. */
function easyRun(n: number, secPerKm: number, hr: number | null, minutes = 45): Activity {
  return buildActivity({
    id: String(n),
    start: daysBefore(n),
    movingS: minutes * 60,
    avgSpeedMps: 1000 / secPerKm,
    distanceM: ((minutes * 60) / secPerKm) * 1000,
    avgHr: hr,
  });
}

describe("deriveBaseline", () => {
  it("takes medians of pace, HR and length from the easy-looking runs", () => {
    const runs = [easyRun(1, 330, 140), easyRun(3, 320, 138, 40), easyRun(5, 340, 142, 50)];
    const b = deriveBaseline(runs, BEFORE);
    expect(b.easySpeedMps).toBeCloseTo(1000 / 330, 3);
    expect(b.easyHr).toBe(140);
    expect(b.usualRunS).toBe(45 * 60);
    expect(b.runs).toBe(3);
  });

  it("is not moved by an outlier: a run with a child, a GPS glitch", () => {
    const runs = [
      easyRun(1, 330, 140),
      easyRun(2, 325, 139),
      easyRun(4, 335, 141),
      easyRun(6, 600, 110),
      easyRun(8, 150, 150),
    ];
    expect(deriveBaseline(runs, BEFORE).easySpeedMps).toBeCloseTo(1000 / 330, 3);
  });

  it("leaves out races, labelled runs, long runs, workouts by name and interval laps from pace and HR", () => {
    const runs = [
      easyRun(1, 330, 140),
      easyRun(2, 330, 140),
      easyRun(3, 330, 140),
      { ...easyRun(4, 250, 175), sourceLabel: "race" as const },
      { ...easyRun(5, 270, 170), sourceLabel: "workout" as const },
      { ...easyRun(6, 270, 168), name: "Tempo Thursday" },
      easyRun(7, 300, 150, 120),
    ];
    const b = deriveBaseline(runs, BEFORE);
    expect(b.easySpeedMps).toBeCloseTo(1000 / 330, 3);
    expect(b.easyHr).toBe(140);
    expect(b.runs).toBe(3);
    // the usual run length counts every run, long ones too
    expect(b.usualRunS).toBe(45 * 60);
  });

  it(`looks back ${BASELINE_WINDOW_DAYS} days and never at or after the moment itself`, () => {
    const runs = [
      easyRun(1, 330, 140),
      easyRun(2, 330, 140),
      easyRun(BASELINE_WINDOW_DAYS - 1, 330, 140),
      easyRun(BASELINE_WINDOW_DAYS + 1, 200, 190),
      easyRun(0, 200, 190),
      easyRun(-3, 200, 190),
    ];
    const b = deriveBaseline(runs, BEFORE);
    expect(b.runs).toBe(3);
    expect(b.easySpeedMps).toBeCloseTo(1000 / 330, 3);
  });

  it("says nothing from fewer than three runs, and ignores non-runs", () => {
    const b = deriveBaseline(
      [easyRun(1, 330, 140), { ...easyRun(2, 120, 150), sport: "other", sportType: "Ride" }],
      BEFORE,
    );
    expect(b).toEqual({ easySpeedMps: null, usualRunS: null, easyHr: null, runs: 1 });
  });

  it("rejects a moment that is not an instant", () => {
    expect(() => deriveBaseline([], "next Tuesday")).toThrow(RangeError);
  });

  it("follows a real athlete's easy pace over the years", () => {
    const runs = (readReferenceJson(STRAVA.runs908) as unknown[]).map(mapStravaActivity);
    const at = (iso: string) => deriveBaseline(runs, iso);
    for (const iso of ["2018-06-01T00:00:00Z", "2021-06-01T00:00:00Z", "2024-06-01T00:00:00Z"]) {
      const b = at(iso);
      expect(b.runs).toBeGreaterThanOrEqual(3);
      // between 7:00/km and 4:30/km: an easy pace, not a race pace or a walk
      expect(b.easySpeedMps).toBeGreaterThan(1000 / 420);
      expect(b.easySpeedMps).toBeLessThan(1000 / 270);
    }
  });
});
