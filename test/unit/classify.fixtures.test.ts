// Classification of the real reference payloads: the NYC Marathon, the splits run, the
// summary run, the FIT files and one athlete's 908 runs with a rolling baseline.
import { describe, expect, it } from "vitest";
import type { Activity } from "../../src/domain/activity.ts";
import { deriveBaseline } from "../../src/domain/classify/baseline.ts";
import { classifyActivity } from "../../src/domain/classify/run.ts";
import type { Classification } from "../../src/domain/classify/types.ts";
import { parseFitActivity } from "../../src/integrations/fit/activity.ts";
import { mapStravaActivity } from "../../src/integrations/strava/activity.ts";
import { mapStravaZones } from "../../src/integrations/strava/zones.ts";
import { FIT, readReferenceBytes, readReferenceJson, STRAVA } from "../support/fixtures.ts";

const zones = mapStravaZones(readReferenceJson(STRAVA.zones));
const strava = (path: string) => mapStravaActivity(readReferenceJson(path));
const fromFit = (path: string) => parseFitActivity(readReferenceBytes(path)).activity;

describe("single Strava payloads", () => {
  it("the NYC Marathon is a race, surer with zones that agree", () => {
    const bare = classifyActivity(strava(STRAVA.race), {});
    const withZones = classifyActivity(strava(STRAVA.race), { hrZones: zones });
    expect(bare).toMatchObject({ kind: "quality", subtype: "race" });
    expect(bare.reasons[0]).toMatch(/Strava marks it as a race/);
    expect(withZones.confidence).toBeGreaterThan(bare.confidence);
    expect(withZones.reasons.join(" ")).toMatch(/170 bpm is above your zone-2 ceiling of 139 bpm/);
  });

  it("the 2 h 06 min splits run, without HR, is a long run", () => {
    const c = classifyActivity(strava(STRAVA.splits), { hrZones: zones });
    expect(c).toMatchObject({ kind: "quality", subtype: "long" });
    expect(c.reasons[0]).toMatch(/2 h 6 min/);
  });

  it("the 2 h 10 min summary run is long, though its HR is above the default zones", () => {
    const c = classifyActivity(strava(STRAVA.summary), { hrZones: zones });
    expect(c).toMatchObject({ kind: "quality", subtype: "long" });
    expect(c.reasons.join(" ")).toMatch(/long run/);
  });
});

describe("FIT files", () => {
  it("the FR110 walk/run is easy, with low confidence until a max HR is known", () => {
    const bare = classifyActivity(fromFit(FIT.walkRun), {});
    const withMax = classifyActivity(fromFit(FIT.walkRun), { maxHr: 190 });
    expect(bare.kind).toBe("easy");
    expect(bare.confidence).toBeLessThan(0.5);
    expect(bare.reasons[0]).toMatch(/no HR zones or max HR/);
    expect(withMax.kind).toBe("easy");
    expect(withMax.confidence).toBeGreaterThan(bare.confidence);
  });

  it("the FR70 progression run shows its fast finish in the laps: a tempo", () => {
    const c = classifyActivity(fromFit(FIT.progression), {});
    expect(c).toMatchObject({ kind: "quality", subtype: "tempo" });
    expect(c.reasons[0]).toMatch(/sustained fast block of 18 min at 4:3\d\/km/);
  });

  it("the triathlon's run leg is a race effort", () => {
    const c = classifyActivity(fromFit(FIT.triathlon), {});
    expect(c).toMatchObject({ kind: "quality", subtype: "race" });
    expect(c.reasons[0]).toMatch(/triathlon \(swimming → cycling → running\)/);
  });

  it("the Strava-Android run, without HR or laps, is easy and says the evidence is thin", () => {
    const c = classifyActivity(fromFit(FIT.stravaAndroid), {});
    expect(c.kind).toBe("easy");
    expect(c.confidence).toBeLessThan(0.5);
    expect(c.reasons[0]).toMatch(/little to go on \(no heart rate, no laps/);
  });
});

describe("one athlete's 908 runs, each with the baseline of the six weeks before it", () => {
  const runs: Activity[] = (readReferenceJson(STRAVA.runs908) as unknown[]).map(mapStravaActivity);
  const classify = (withBaseline: boolean) =>
    runs.map((a) => ({
      a,
      c: classifyActivity(a, {
        hrZones: zones,
        baseline: withBaseline ? deriveBaseline(runs, a.start) : null,
      }),
    }));
  const results = classify(true);
  const share = (pred: (c: Classification) => boolean) =>
    results.filter((r) => pred(r.c)).length / results.length;

  it("every run labelled race or long run by Strava comes out quality, with that subtype", () => {
    const races = results.filter((r) => r.a.sourceLabel === "race");
    const longs = results.filter((r) => r.a.sourceLabel === "long");
    expect(races.length).toBeGreaterThan(50);
    expect(longs.length).toBeGreaterThan(0);
    expect(races.every((r) => r.c.kind === "quality" && r.c.subtype === "race")).toBe(true);
    expect(longs.every((r) => r.c.kind === "quality" && r.c.subtype === "long")).toBe(true);
  });

  it("keeps every race and long-run label with or without zones, baseline or both", () => {
    const labelled = runs.filter((a) => a.sourceLabel === "race" || a.sourceLabel === "long");
    expect(labelled.length).toBe(86);
    const contexts = [
      (a: Activity) => ({ hrZones: zones, baseline: deriveBaseline(runs, a.start) }),
      (a: Activity) => ({ baseline: deriveBaseline(runs, a.start) }),
      () => ({ hrZones: zones }),
      () => ({}),
    ];
    for (const ctx of contexts) {
      const lost = labelled.filter((a) => {
        const c = classifyActivity(a, ctx(a));
        return c.kind !== "quality" || c.subtype !== a.sourceLabel;
      });
      expect(lost.map((a) => a.name)).toEqual([]);
    }
  });

  it("every run of 90 minutes or more is quality", () => {
    const long = results.filter((r) => r.a.movingS >= 90 * 60);
    expect(long.length).toBeGreaterThan(50);
    expect(long.every((r) => r.c.kind === "quality")).toBe(true);
  });

  it("the distribution is a runner's: mostly easy, a key session or two a week", () => {
    const easy = share((c) => c.kind === "easy");
    expect(easy).toBeGreaterThan(0.45);
    expect(easy).toBeLessThan(0.8);
    expect(share((c) => c.subtype === "tempo")).toBeLessThan(0.25);
    expect(share((c) => c.subtype === "recovery")).toBeLessThan(share((c) => c.subtype === "easy"));
    expect(results.every((r) => r.c.reasons.length > 0 && r.c.confidence > 0 && r.c.confidence <= 1)).toBe(
      true,
    );
  });

  it("the athlete's own easy HR tempers Strava's age-based default zones", () => {
    const without = classify(false);
    const tempoWith = results.filter((r) => r.c.subtype === "tempo").length;
    const tempoWithout = without.filter((r) => r.c.subtype === "tempo").length;
    // Zones of 139/152 bpm against an athlete whose median run averages above 150 bpm
    expect(tempoWithout).toBeGreaterThan(tempoWith * 2);
  });

  it("a race run slowly with a child stays a race but with visibly less confidence", () => {
    const races = results.filter((r) => r.c.subtype === "race").map((r) => r.c.confidence);
    const median = [...races].sort((x, y) => x - y)[races.length >> 1] ?? 0;
    const slow = results.find((r) => r.a.name === "Run with Milla 11 #RunAsOne");
    expect(slow?.c).toMatchObject({ kind: "quality", subtype: "race" });
    expect(slow?.c.confidence ?? 1).toBeLessThan(median - 0.2);
    expect(slow?.c.reasons.join(" ")).toMatch(/effort looks easy/);
  });

  it("runs the athlete called easy come out easy", () => {
    const named = results.filter(
      (r) => /\beasy\b/i.test(r.a.name) && r.a.movingS < 90 * 60 && !r.a.sourceLabel,
    );
    expect(named.length).toBeGreaterThan(3);
    expect(named.filter((r) => r.c.kind === "easy").length / named.length).toBeGreaterThanOrEqual(0.75);
  });
});
