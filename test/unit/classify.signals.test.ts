// One test (or a few) per signal of DESIGN.md's evidence order, each on an activity
// built so that only that signal speaks, plus the order between them.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { classifyActivity } from "../../src/domain/classify/run.ts";
import type { ClassifyContext, HeartRateZone, RunBaseline } from "../../src/domain/classify/types.ts";
import { buildActivity, buildLaps, withLaps } from "../support/fixtures.ts";

// Strava's default zones for a 171 bpm maximum (the athlete-zones fixture).
const ZONES: HeartRateZone[] = [
  { min: 0, max: 111 },
  { min: 111, max: 139 },
  { min: 139, max: 152 },
  { min: 152, max: 166 },
  { min: 166, max: -1 },
];
const BASELINE: RunBaseline = { easySpeedMps: 1000 / 330, usualRunS: 45 * 60, easyHr: 132, runs: 12 };
const none: ClassifyContext = {};

describe("sport", () => {
  it("strength activities are kind strength, whatever else they carry", () => {
    const c = classifyActivity(
      buildActivity({ sport: "strength", sportType: "WeightTraining", name: "Tempo squats" }),
      none,
    );
    expect(c.kind).toBe("strength");
    expect(c.subtype).toBeNull();
    expect(c.reasons.join(" ")).toContain("WeightTraining");
  });

  it("non-runs are other and never easy or quality", () => {
    const c = classifyActivity(
      buildActivity({
        sport: "other",
        sportType: "Ride",
        name: "Race",
        movingS: 4 * 3600,
        sourceLabel: "race",
      }),
      none,
    );
    expect(c.kind).toBe("other");
    expect(c.subtype).toBeNull();
  });
});

describe("override", () => {
  it("the athlete's quality verdict beats an easy-looking run", () => {
    const c = classifyActivity(buildActivity({ avgHr: 120 }), { hrZones: ZONES, override: "quality" });
    expect(c.kind).toBe("quality");
    expect(c.confidence).toBeGreaterThan(0.95);
    expect(c.reasons[0]).toMatch(/You marked this run as quality/);
  });

  it("the athlete's easy verdict beats even a race label", () => {
    const c = classifyActivity(buildActivity({ sourceLabel: "race", avgHr: 175 }), {
      hrZones: ZONES,
      override: "easy",
    });
    expect(c.kind).toBe("easy");
    expect(c.subtype).toBe("easy");
  });
});

describe("source label", () => {
  it.each([
    ["race", "race", /race \(workout_type 1\)/],
    ["long", "long", /long run \(workout_type 2\)/],
    ["workout", "workout", /workout \(workout_type 3\)/],
  ] as const)("Strava %s label makes a quality %s", (label, subtype, reason) => {
    const c = classifyActivity(buildActivity({ sourceLabel: label }), none);
    expect(c.kind).toBe("quality");
    expect(c.subtype).toBe(subtype);
    expect(c.reasons[0]).toMatch(reason);
    expect(c.confidence).toBeGreaterThanOrEqual(0.85);
  });

  it("a workout label takes its subtype from the laps", () => {
    const laps = buildLaps([[600, 330], ...repeats(5, [90, 215], [90, 340]), [600, 340]]);
    const c = classifyActivity(withLaps(laps, { sourceLabel: "workout" }), none);
    expect(c.subtype).toBe("intervals");
  });

  it("strong contrary effort lowers a race label's confidence but the label still decides", () => {
    const slowRace = buildActivity({
      sourceLabel: "race",
      avgHr: 120,
      avgSpeedMps: 1000 / 480,
      movingS: 50 * 60,
    });
    const realRace = buildActivity({
      sourceLabel: "race",
      avgHr: 170,
      avgSpeedMps: 1000 / 270,
      movingS: 50 * 60,
    });
    const ctx = { hrZones: ZONES, baseline: BASELINE };
    const slow = classifyActivity(slowRace, ctx);
    const real = classifyActivity(realRace, ctx);
    expect(slow.kind).toBe("quality");
    expect(slow.subtype).toBe("race");
    expect(slow.confidence).toBeLessThan(real.confidence - 0.2);
    expect(slow.reasons.join(" ")).toMatch(/effort looks easy/);
  });
});

function repeats(n: number, work: [number, number], rest: [number, number]): Array<[number, number]> {
  return Array.from({ length: n }, () => [work, rest]).flat();
}

describe("lap structure", () => {
  it("repeated fast work laps alternating with recoveries are intervals, with paces in the reason", () => {
    // 2 km warm-up, 6 x 400 m at 3:35/km with 90 s jogs at 5:40/km, cool-down at 5:40/km
    const laps = buildLaps([[660, 330], ...repeats(6, [86, 215], [90, 340]).slice(0, -1), [600, 340]]);
    const c = classifyActivity(withLaps(laps), none);
    expect(c.kind).toBe("quality");
    expect(c.subtype).toBe("intervals");
    expect(c.reasons[0]).toBe("6 work laps at 3:35/km alternating with 6 recoveries at 5:40/km.");
  });

  it("standing recoveries do not turn the warm-up into a work lap", () => {
    const laps = buildLaps([[600, 330], ...repeats(5, [180, 220], [60, 5000]), [600, 340]]);
    const c = classifyActivity(withLaps(laps), none);
    expect(c.subtype).toBe("intervals");
    expect(c.reasons[0]).toMatch(/^5 work laps at 3:40\/km/);
  });

  it("a watch's own lap intensity marks intervals even at a modest pace contrast", () => {
    const laps = buildLaps([
      [600, 360, null, "warmup"],
      ...Array.from(
        { length: 4 },
        (): Array<[number, number, null, "active" | "rest"]> => [
          [240, 300, null, "active"],
          [120, 330, null, "rest"],
        ],
      ).flat(),
      [600, 360, null, "cooldown"],
    ]);
    const c = classifyActivity(withLaps(laps), none);
    expect(c.subtype).toBe("intervals");
    expect(c.reasons[0]).toMatch(/watch marked 4 work laps/);
  });

  it("a sustained fast block between warm-up and cool-down is a tempo", () => {
    const laps = buildLaps([
      [900, 340],
      [1500, 265],
      [600, 340],
    ]);
    const c = classifyActivity(withLaps(laps), none);
    expect(c.subtype).toBe("tempo");
    expect(c.reasons[0]).toMatch(/sustained fast block of 25 min at 4:25\/km/);
  });

  it("hilly auto-laps that alternate with the heart rate against them are not intervals", () => {
    // 1 km auto-laps: uphill 6:10/km with a higher HR, downhill 4:55/km with a lower one
    const laps = buildLaps(
      Array.from({ length: 10 }, (_, i): [number, number, number] =>
        i % 2 ? [295, 295, 138] : [370, 370, 150],
      ),
    ).map((l) => ({ ...l, distanceM: 1000 }));
    const c = classifyActivity(withLaps(laps), none);
    expect(c.kind).toBe("easy");
  });

  it("a walk/run is not a tempo just because the running laps beat the walking ones", () => {
    const laps = buildLaps([
      [580, 580],
      [620, 620],
      [700, 700],
      [345, 345],
      [375, 450],
    ]);
    const c = classifyActivity(withLaps(laps), none);
    expect(c.kind).toBe("easy");
  });

  it("a fast block that is only the athlete's easy pace is no tempo when the baseline says so", () => {
    const laps = buildLaps([
      [900, 420],
      [1500, 335],
      [600, 420],
    ]);
    const c = classifyActivity(withLaps(laps), { baseline: BASELINE });
    expect(c.kind).toBe("easy");
  });
});

describe("intensity", () => {
  it("average HR above the zone-2 ceiling is quality", () => {
    const c = classifyActivity(buildActivity({ avgHr: 148 }), { hrZones: ZONES });
    expect(c.kind).toBe("quality");
    expect(c.subtype).toBe("tempo");
    expect(c.reasons[0]).toBe("Average HR 148 bpm is above your zone-2 ceiling of 139 bpm.");
  });

  it("average HR into zone 4 is surer than just above the ceiling", () => {
    const z3 = classifyActivity(buildActivity({ avgHr: 148 }), { hrZones: ZONES });
    const z4 = classifyActivity(buildActivity({ avgHr: 160 }), { hrZones: ZONES });
    expect(z4.confidence).toBeGreaterThan(z3.confidence);
  });

  it("average HR under the ceiling is easy, with HR as the reason", () => {
    const c = classifyActivity(buildActivity({ avgHr: 130 }), { hrZones: ZONES });
    expect(c.kind).toBe("easy");
    expect(c.reasons[0]).toMatch(/130 bpm stayed at or below your zone-2 ceiling of 139 bpm/);
    expect(c.confidence).toBeGreaterThanOrEqual(0.7);
  });

  it("without zones, the ceiling comes from max HR (81%, as Strava's default zones)", () => {
    const hard = classifyActivity(buildActivity({ avgHr: 160 }), { maxHr: 190 });
    const easy = classifyActivity(buildActivity({ avgHr: 150 }), { maxHr: 190 });
    expect(hard.kind).toBe("quality");
    expect(hard.reasons[0]).toMatch(/154 bpm \(81% of max HR 190 bpm\)/);
    expect(easy.kind).toBe("easy");
  });

  it("the athlete's zones win over a max HR when both are given", () => {
    const c = classifyActivity(buildActivity({ avgHr: 148 }), { hrZones: ZONES, maxHr: 200 });
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toMatch(/zone-2 ceiling of 139 bpm\.$/);
  });

  it("HR above low zones but at the athlete's usual easy HR reads as easy", () => {
    const c = classifyActivity(buildActivity({ avgHr: 150, avgSpeedMps: 1000 / 335 }), {
      hrZones: ZONES,
      baseline: { ...BASELINE, easyHr: 151 },
    });
    expect(c.kind).toBe("easy");
    expect(c.reasons.join(" ")).toMatch(/zones may be set low/);
  });

  it("laps that spend 20+ minutes above the ceiling count even when the average does not", () => {
    const laps = buildLaps([
      [1200, 360, 118],
      [1500, 300, 150],
      [1200, 360, 118],
    ]);
    const c = classifyActivity(withLaps(laps, { avgSpeedMps: 1000 / 340 }), { hrZones: ZONES });
    expect(c.kind).toBe("quality");
    expect(c.reasons.join(" ")).toMatch(/25 min of laps averaged above your zone-2 ceiling/);
  });

  it("pace well above the rolling easy pace is quality, with both paces named", () => {
    const c = classifyActivity(buildActivity({ avgSpeedMps: 1000 / 275 }), { baseline: BASELINE });
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toBe("Pace 4:35/km is 20% faster than your recent easy pace of 5:30/km.");
  });

  it("pace clearly slower than easy pace, short, is a recovery run", () => {
    const c = classifyActivity(buildActivity({ avgSpeedMps: 1000 / 400, movingS: 35 * 60 }), {
      baseline: BASELINE,
    });
    expect(c.kind).toBe("easy");
    expect(c.subtype).toBe("recovery");
  });

  it("a trail run's slow pace says nothing about effort", () => {
    const c = classifyActivity(buildActivity({ sportType: "TrailRun", avgSpeedMps: 1000 / 480 }), {
      baseline: BASELINE,
    });
    expect(c.subtype).toBe("easy");
  });
});

describe("duration", () => {
  it("90 minutes or more is a long run, and a long run is quality", () => {
    const c = classifyActivity(buildActivity({ movingS: 95 * 60 }), none);
    expect(c.kind).toBe("quality");
    expect(c.subtype).toBe("long");
    expect(c.reasons[0]).toBe("At 1 h 35 min it is a long run (90 min or more).");
  });

  it("well above the athlete's usual run is long for them", () => {
    const c = classifyActivity(buildActivity({ movingS: 70 * 60 }), {
      baseline: { ...BASELINE, usualRunS: 35 * 60 },
    });
    expect(c.subtype).toBe("long");
    expect(c.reasons[0]).toMatch(/well above your usual run of 35 min/);
  });

  it("a little above the usual run is not", () => {
    const c = classifyActivity(buildActivity({ movingS: 60 * 60 }), {
      baseline: { ...BASELINE, usualRunS: 50 * 60 },
    });
    expect(c.kind).toBe("easy");
  });

  it("a long run at an easy effort keeps its full confidence", () => {
    const c = classifyActivity(buildActivity({ movingS: 120 * 60, avgHr: 128 }), { hrZones: ZONES });
    expect(c.subtype).toBe("long");
    expect(c.confidence).toBeGreaterThanOrEqual(0.8);
  });
});

describe("name", () => {
  it("a quality word decides when nothing else does", () => {
    const c = classifyActivity(buildActivity({ name: "8x400 on the track" }), none);
    expect(c.kind).toBe("quality");
    expect(c.subtype).toBe("intervals");
    expect(c.reasons[0]).toMatch(/"8x400"/);
  });

  it("an ambiguous word (French 'course' is also just 'a run') lowers confidence but does not decide", () => {
    const plain = classifyActivity(buildActivity({ name: "Footing du soir" }), none);
    const course = classifyActivity(buildActivity({ name: "Course du soir" }), none);
    expect(course.kind).toBe("easy");
    expect(course.confidence).toBeLessThan(plain.confidence);
    expect(course.reasons.join(" ")).toMatch(/plain French word for a run, so it does not decide/);
  });
});

describe("evidence order and thin evidence", () => {
  it("structure outranks the name", () => {
    const laps = buildLaps([[660, 330], ...repeats(6, [86, 215], [90, 340]), [600, 340]]);
    const c = classifyActivity(withLaps(laps, { name: "Tempo Tuesday" }), none);
    expect(c.subtype).toBe("intervals");
  });

  it("a 40-minute run with no HR, no laps and no baseline is easy with a low confidence that says why", () => {
    const c = classifyActivity(buildActivity({ movingS: 40 * 60 }), none);
    expect(c.kind).toBe("easy");
    expect(c.confidence).toBeLessThan(0.5);
    expect(c.reasons[0]).toMatch(/little to go on \(no heart rate, no laps, no recent runs/);
  });

  it("more evidence of an easy run gives more confidence", () => {
    const thin = classifyActivity(buildActivity(), none);
    const hr = classifyActivity(buildActivity({ avgHr: 125 }), { hrZones: ZONES });
    const both = classifyActivity(buildActivity({ avgHr: 125, avgSpeedMps: 1000 / 330 }), {
      hrZones: ZONES,
      baseline: BASELINE,
    });
    expect(thin.confidence).toBeLessThan(hr.confidence);
    expect(hr.confidence).toBeLessThan(both.confidence);
  });

  it("any run gives a well-formed, repeatable classification", () => {
    const lapArb = fc.tuple(
      fc.integer({ min: 30, max: 1800 }),
      fc.integer({ min: 150, max: 900 }),
      fc.option(fc.integer({ min: 80, max: 200 })),
    );
    fc.assert(
      fc.property(
        fc.array(lapArb, { maxLength: 14 }),
        fc.option(fc.constantFrom("race", "long", "workout" as const)),
        fc.option(fc.integer({ min: 80, max: 200 })),
        fc.string(),
        fc.boolean(),
        (lapSpecs, label, avgHr, name, withContext) => {
          const laps = buildLaps(lapSpecs);
          const a = laps.length
            ? withLaps(laps, { sourceLabel: label, name })
            : buildActivity({ sourceLabel: label, name, avgHr });
          const ctx: ClassifyContext = withContext ? { hrZones: ZONES, baseline: BASELINE } : {};
          const c = classifyActivity(a, ctx);
          expect(["easy", "quality"]).toContain(c.kind);
          expect(c.subtype).not.toBeNull();
          expect(c.confidence).toBeGreaterThan(0);
          expect(c.confidence).toBeLessThanOrEqual(1);
          expect(c.reasons.length).toBeGreaterThan(0);
          if (label) expect(c.kind).toBe("quality");
          expect(classifyActivity(a, ctx)).toEqual(c);
        },
      ),
      { numRuns: 300 },
    );
  });
});
