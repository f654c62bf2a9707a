// The effort evidence of issue 12, one signal at a time: the file's own zones and
// profile, training effect, the athlete's rating, relative effort, a heart rate hard for
// nearly anyone, a hard block in the HR samples, and the guards around them.
import { describe, expect, it } from "vitest";
import type { Activity, Samples } from "../../src/domain/activity.ts";
import { classifyActivity } from "../../src/domain/classify/run.ts";
import type { HeartRateZone, RunBaseline } from "../../src/domain/classify/types.ts";
import { buildActivity, buildLaps, withLaps } from "../support/fixtures.ts";

const ZONES: HeartRateZone[] = [
  { min: 0, max: 111 },
  { min: 111, max: 139 },
  { min: 139, max: 152 },
  { min: 152, max: 166 },
  { min: 166, max: -1 },
];
const BASELINE: RunBaseline = { easySpeedMps: 1000 / 330, usualRunS: 45 * 60, easyHr: 135, runs: 12 };

/** 5-second samples from [minutes, bpm, seconds per km] parts. */
function samplesOf(parts: Array<[number, number, number]>): Samples {
  const s: Samples = { offsetS: [], hr: [], speedMps: [] };
  let t = 0;
  for (const [minutes, hr, secPerKm] of parts) {
    for (let x = 0; x < minutes * 60; x += 5, t += 5) {
      s.offsetS.push(t);
      s.hr.push(hr);
      s.speedMps.push(1000 / secPerKm);
    }
  }
  return s;
}

function fromSamples(samples: Samples, overrides: Partial<Activity> = {}): Activity {
  const duration = (samples.offsetS[samples.offsetS.length - 1] ?? 0) + 5;
  const distance = samples.speedMps.reduce((d: number, v) => d + (v ?? 0) * 5, 0);
  const hrs = samples.hr.filter((h): h is number => h !== null);
  return buildActivity({
    source: "fit",
    name: "",
    movingS: duration,
    elapsedS: duration,
    distanceM: distance,
    avgSpeedMps: distance / duration,
    avgHr: hrs.length ? Math.round(hrs.reduce((x, h) => x + h, 0) / hrs.length) : null,
    samples,
    ...overrides,
  });
}

describe("the heart-rate settings in the file", () => {
  it("judges HR against the threshold HR of the file's zones (Friel: zone 2 tops out at 89 %)", () => {
    const c = classifyActivity(
      buildActivity({
        source: "fit",
        avgHr: 172,
        athleteHr: { maxHr: 192, thresholdHr: 176, restingHr: null, source: "the file's heart-rate zones" },
      }),
      {},
    );
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toMatch(
      /zone-2 ceiling of 157 bpm \(89% of the threshold HR of 176 bpm in the file's heart-rate zones\), into zone 4/,
    );
    expect(c.confidence).toBeGreaterThanOrEqual(0.75);
  });

  it("or against the max HR of its user profile", () => {
    const c = classifyActivity(
      buildActivity({
        avgHr: 140,
        athleteHr: { maxHr: 192, thresholdHr: null, restingHr: 48, source: "the file's user profile" },
      }),
      {},
    );
    expect(c.kind).toBe("easy");
    expect(c.reasons[0]).toMatch(/156 bpm \(81% of the max HR of 192 bpm in the file's user profile\)/);
  });

  it("the athlete's zones as the service knows them come first", () => {
    const c = classifyActivity(
      buildActivity({
        avgHr: 150,
        athleteHr: { maxHr: 200, thresholdHr: null, restingHr: null, source: "x" },
      }),
      { hrZones: ZONES },
    );
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toMatch(/your zone-2 ceiling of 139 bpm/);
  });

  it("an average within 2 bpm of the ceiling is too close to call", () => {
    const c = classifyActivity(buildActivity({ avgHr: 141 }), { hrZones: ZONES });
    expect(c.kind).toBe("easy");
    expect(c.reasons.join(" ")).toMatch(/141 bpm is at your zone-2 ceiling of 139 bpm, too close to call/);
  });
});

describe("training effect, the athlete's rating, relative effort", () => {
  it("a training effect of 4.0 aerobic or more says hard when nothing else speaks", () => {
    const c = classifyActivity(buildActivity({ trainingEffect: { aerobic: 4.3, anaerobic: 1.1 } }), {});
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toMatch(/training effect aerobic 4\.3, anaerobic 1\.1: a hard session/);
    expect(c.confidence).toBeLessThan(0.8);
  });

  it("a low training effect is evidence of an easy run, surer than nothing", () => {
    const thin = classifyActivity(buildActivity(), {});
    const c = classifyActivity(buildActivity({ trainingEffect: { aerobic: 2.2, anaerobic: 0.3 } }), {});
    expect(c.kind).toBe("easy");
    expect(c.confidence).toBeGreaterThan(thin.confidence);
  });

  it("the athlete's own rating of 7/10 or more decides intensity", () => {
    const c = classifyActivity(buildActivity({ perceivedExertion: 8, avgHr: 130 }), { hrZones: ZONES });
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toBe("You rated the effort 8/10: hard.");
    expect(c.reasons.join(" ")).toMatch(/Against it: Average HR 130 bpm stayed at or below/);
  });

  it("a rating of 4/10 or less keeps a run with a raised HR easy", () => {
    const c = classifyActivity(buildActivity({ perceivedExertion: 3, avgHr: 150 }), { hrZones: ZONES });
    expect(c.kind).toBe("easy");
    expect(c.reasons[0]).toBe("You rated the effort 3/10: easy.");
  });

  it("relative effort well above the athlete's easy runs says hard when neither HR nor pace is judged", () => {
    const baseline = { ...BASELINE, easySpeedMps: null, easyHr: null, easySufferPerHour: 100 };
    const c = classifyActivity(
      buildActivity({ sufferScore: 130, movingS: 45 * 60, avgSpeedMps: 1000 / 330 }),
      {
        baseline,
      },
    );
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toMatch(/relative effort of 130 is 173 an hour, 73% above your easy runs' 100/);
  });

  it("and leaves intensity undecided, less sure, when it contradicts an easy HR", () => {
    const baseline = { ...BASELINE, easySufferPerHour: 100 };
    const plain = classifyActivity(buildActivity({ avgHr: 136 }), { baseline });
    const c = classifyActivity(buildActivity({ avgHr: 136, sufferScore: 130 }), { baseline });
    expect(c.kind).toBe("easy");
    expect(c.confidence).toBeLessThan(plain.confidence);
    expect(c.reasons.join(" ")).toMatch(/disagrees with the heart rate and pace/);
  });
});

describe("heart rate with nothing of the athlete's own to judge it by", () => {
  it("an average hard for nearly any adult makes a quality run at a lower confidence", () => {
    const c = classifyActivity(buildActivity({ avgHr: 172, movingS: 45 * 60 }), {});
    expect(c.kind).toBe("quality");
    expect(c.confidence).toBeLessThan(0.7);
    expect(c.reasons[0]).toMatch(/172 bpm over 45 min is hard for nearly any adult runner/);
  });

  it("a lower HR is no evidence either way: easy only for lack of anything else", () => {
    const c = classifyActivity(buildActivity({ avgHr: 160 }), {});
    expect(c.kind).toBe("easy");
    expect(c.confidence).toBeLessThan(0.5);
    expect(c.reasons[0]).toMatch(/little to go on/);
  });

  it("never overrides the athlete's own easy HR", () => {
    const c = classifyActivity(buildActivity({ avgHr: 172 }), { baseline: { ...BASELINE, easyHr: 170 } });
    expect(c.kind).toBe("easy");
  });

  it("a hard block in the HR samples, warm-up and cool-down around it, is quality", () => {
    const c = classifyActivity(
      fromSamples(
        samplesOf([
          [15, 122, 360],
          [25, 158, 290],
          [10, 125, 370],
        ]),
      ),
      {},
    );
    expect(c.kind).toBe("quality");
    expect(c.reasons[0]).toMatch(/held HR at 158 bpm, 3\d bpm above the running around it/);
    expect(c.confidence).toBeLessThan(0.8);
  });

  it("a hilly run's short climbs are no block", () => {
    const hills = Array.from(
      { length: 10 },
      (): Array<[number, number, number]> => [
        [4, 130, 340],
        [1, 152, 420],
      ],
    ).flat();
    expect(classifyActivity(fromSamples(samplesOf(hills)), {}).kind).toBe("easy");
  });

  it("running after a walk is no block", () => {
    const c = classifyActivity(
      fromSamples(
        samplesOf([
          [12, 100, 750],
          [35, 140, 360],
        ]),
      ),
      {},
    );
    expect(c.kind).toBe("easy");
  });

  it("tells a steady long run at 168 bpm by its length first", () => {
    const c = classifyActivity(buildActivity({ avgHr: 168, movingS: 130 * 60 }), {});
    expect(c).toMatchObject({ kind: "quality", subtype: "long" });
    expect(c.reasons[0]).toMatch(/long run/);
    expect(c.confidence).toBeGreaterThanOrEqual(0.8);
  });
});

describe("guards", () => {
  it("a treadmill's pace says nothing about effort", () => {
    const outside = classifyActivity(buildActivity({ avgSpeedMps: 1000 / 270 }), { baseline: BASELINE });
    const indoor = classifyActivity(buildActivity({ avgSpeedMps: 1000 / 270, indoor: true }), {
      baseline: BASELINE,
    });
    expect(outside.kind).toBe("quality");
    expect(indoor.kind).toBe("easy");
  });

  it("a run/walk (8 minutes running, 1 minute walking) is no interval session", () => {
    const laps = buildLaps(
      Array.from(
        { length: 7 },
        (): Array<[number, number]> => [
          [480, 320],
          [60, 700],
        ],
      ).flat(),
    );
    expect(classifyActivity(withLaps(laps), {}).kind).toBe("easy");
  });

  it("running after a walked warm-up lap is no fast block", () => {
    const laps = buildLaps([
      [600, 740, 100],
      ...Array.from({ length: 8 }, (): [number, number, number] => [300, 330, 138]),
    ]);
    expect(classifyActivity(withLaps(laps), {}).kind).toBe("easy");
  });

  it("a fast block must be clearly harder by HR where HR was recorded", () => {
    const laps = buildLaps([
      [900, 340, 140],
      [1500, 290, 142],
      [600, 340, 139],
    ]);
    expect(classifyActivity(withLaps(laps), {}).kind).toBe("easy");
    const harder = buildLaps([
      [900, 340, 135],
      [1500, 290, 158],
      [600, 340, 140],
    ]);
    expect(classifyActivity(withLaps(harder), {}).subtype).toBe("tempo");
  });

  it("a title that says hard is the athlete's word for it, Hard Rock is not", () => {
    expect(classifyActivity(buildActivity({ name: "Hard" }), {})).toMatchObject({
      kind: "quality",
      subtype: "workout",
    });
    expect(classifyActivity(buildActivity({ name: "Hard Rock 100 recce" }), {}).kind).toBe("easy");
  });
});
