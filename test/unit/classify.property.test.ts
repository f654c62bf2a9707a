// Invariants of run classification, stated over generated runs (issue 12):
// strides added to an easy run never make it quality, and taking the zones away from a
// run whose heart-rate samples stay never turns its quality verdict into easy.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Activity, Lap, Samples } from "../../src/domain/activity.ts";
import { classifyActivity } from "../../src/domain/classify/run.ts";
import type { ClassifyContext, HeartRateZone, RunBaseline } from "../../src/domain/classify/types.ts";
import { buildActivity, buildLaps, withLaps } from "../support/fixtures.ts";

/** Strava's default zones for a max HR (its split: 65/81/89/95 %). */
function zonesFor(maxHr: number): HeartRateZone[] {
  const at = (f: number) => Math.round(maxHr * f);
  return [
    { min: 0, max: at(0.65) },
    { min: at(0.65), max: at(0.81) },
    { min: at(0.81), max: at(0.89) },
    { min: at(0.89), max: at(0.95) },
    { min: at(0.95), max: -1 },
  ];
}

const BASELINE: RunBaseline = { easySpeedMps: 1000 / 330, usualRunS: 45 * 60, easyHr: 135, runs: 12 };

const contextArb = fc.constantFrom<[string, ClassifyContext]>(
  ["none", {}],
  ["zones", { hrZones: zonesFor(185) }],
  ["baseline", { baseline: BASELINE }],
  ["zones and baseline", { hrZones: zonesFor(185), baseline: BASELINE }],
);

// --- strides ----------------------------------------------------------------------------

const stridesArb = fc.record({
  n: fc.integer({ min: 2, max: 8 }),
  /** well under a minute, a few hundred metres at most */
  boutS: fc.integer({ min: 10, max: 30 }),
  boutSecPerKm: fc.integer({ min: 150, max: 230 }),
  /** long easy recoveries: a walk or a jog, longer than the bout */
  recoveryS: fc.integer({ min: 45, max: 120 }),
  recoverySecPerKm: fc.integer({ min: 400, max: 900 }),
  boutHr: fc.integer({ min: 130, max: 190 }),
});

type StridesSpec = typeof stridesArb extends fc.Arbitrary<infer T> ? T : never;

const easyLapsArb = fc.array(
  fc.tuple(
    fc.integer({ min: 300, max: 1500 }),
    fc.integer({ min: 300, max: 450 }),
    fc.option(fc.integer({ min: 105, max: 150 }), { nil: null }),
  ),
  { minLength: 1, maxLength: 6 },
);

function withStridesLaps(laps: Lap[], s: StridesSpec): Lap[] {
  const hr = laps.some((l) => l.avgHr !== null);
  const extra = buildLaps(
    Array.from(
      { length: s.n },
      (): Array<[number, number, number | null]> => [
        [s.boutS, s.boutSecPerKm, hr ? s.boutHr : null],
        [s.recoveryS, s.recoverySecPerKm, hr ? s.boutHr - 20 : null],
      ],
    ).flat(),
  );
  const offset = laps.reduce((t, l) => t + l.elapsedS, 0);
  return [
    ...laps,
    ...extra.map((l, i) => ({
      ...l,
      index: laps.length + i + 1,
      startOffsetS: (l.startOffsetS ?? 0) + offset,
    })),
  ];
}

/** A steady run as 2-second samples in one lap, its HR and pace wandering a little. */
function steadySamples(minutes: number, secPerKm: number, hr: number | null): Samples {
  const n = Math.round((minutes * 60) / 2);
  const samples: Samples = { offsetS: [], hr: [], speedMps: [] };
  for (let i = 0; i < n; i++) {
    samples.offsetS.push(i * 2);
    samples.hr.push(hr === null ? null : Math.round(hr + 3 * Math.sin(i / 40)));
    samples.speedMps.push((1000 / secPerKm) * (1 + 0.04 * Math.sin(i / 25)));
  }
  return samples;
}

function appendStridesToSamples(samples: Samples, s: StridesSpec): Samples {
  const out: Samples = {
    offsetS: [...samples.offsetS],
    hr: [...samples.hr],
    speedMps: [...samples.speedMps],
  };
  const hasHr = samples.hr.some((h) => h !== null);
  let t = (samples.offsetS[samples.offsetS.length - 1] ?? 0) + 2;
  for (let k = 0; k < s.n; k++) {
    for (let x = 0; x < s.boutS; x += 2, t += 2) {
      out.offsetS.push(t);
      out.hr.push(hasHr ? s.boutHr : null);
      out.speedMps.push(1000 / s.boutSecPerKm);
    }
    for (let x = 0; x < s.recoveryS; x += 2, t += 2) {
      out.offsetS.push(t);
      out.hr.push(hasHr ? s.boutHr - 20 : null);
      out.speedMps.push(1000 / s.recoverySecPerKm);
    }
  }
  return out;
}

/** The one-lap activity a watch writes for samples without lap presses. */
function fromSamples(samples: Samples, overrides: Partial<Activity> = {}): Activity {
  const n = samples.offsetS.length;
  const duration = (samples.offsetS[n - 1] ?? 0) + 2;
  let distance = 0;
  for (const v of samples.speedMps) distance += (v ?? 0) * 2;
  const hrs = samples.hr.filter((h): h is number => h !== null);
  const avgHr = hrs.length ? Math.round(hrs.reduce((x, h) => x + h, 0) / hrs.length) : null;
  const lap: Lap = {
    index: 1,
    startOffsetS: 0,
    elapsedS: duration,
    movingS: duration,
    distanceM: distance,
    avgSpeedMps: distance / duration,
    avgHr,
    maxHr: hrs.length ? Math.max(...hrs) : null,
    intensity: null,
  };
  return buildActivity({
    source: "fit",
    name: "",
    sportType: "running",
    movingS: duration,
    elapsedS: duration,
    distanceM: distance,
    avgSpeedMps: distance / duration,
    avgHr,
    maxHr: lap.maxHr,
    laps: [lap],
    samples,
    ...overrides,
  });
}

describe("strides", () => {
  it("adding strides (laps) to an easy run never makes it quality", () => {
    fc.assert(
      fc.property(easyLapsArb, stridesArb, contextArb, (specs, strides, [, ctx]) => {
        const base = withLaps(buildLaps(specs));
        fc.pre(classifyActivity(base, ctx).kind === "easy");
        const after = withLaps(withStridesLaps(base.laps, strides));
        const c = classifyActivity(after, ctx);
        expect(c.kind).toBe("easy");
      }),
      { numRuns: 300 },
    );
  });

  it("adding strides (in the samples, no lap pressed) to an easy run never makes it quality", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 80 }),
        fc.integer({ min: 300, max: 450 }),
        fc.option(fc.integer({ min: 105, max: 166 }), { nil: null }),
        // without lap presses strides are recognised from three on
        stridesArb.filter((s) => s.n >= 3),
        contextArb,
        (minutes, secPerKm, hr, strides, [, ctx]) => {
          const samples = steadySamples(minutes, secPerKm, hr);
          const base = fromSamples(samples);
          fc.pre(classifyActivity(base, ctx).kind === "easy");
          const c = classifyActivity(fromSamples(appendStridesToSamples(samples, strides)), ctx);
          expect(c.kind).toBe("easy");
        },
      ),
      { numRuns: 150 },
    );
  });

  it("says so in the reasons", () => {
    const base = withLaps(buildLaps([[2400, 340, 130]]));
    const c = classifyActivity(
      withLaps(
        withStridesLaps(base.laps, {
          n: 6,
          boutS: 20,
          boutSecPerKm: 200,
          recoveryS: 70,
          recoverySecPerKm: 700,
          boutHr: 160,
        }),
      ),
      {},
    );
    expect(c.kind).toBe("easy");
    expect(c.reasons.join(" ")).toMatch(
      /6 strides of about 20 s at 3:20\/km .* strides keep an easy run easy/,
    );
  });
});

// --- zones ------------------------------------------------------------------------------

/**
 * A session as a coach prescribes one, in 5-second samples: a warm-up, then a block or
 * reps at a hard heart rate for this athlete, a cool-down; or a steady run. HR follows
 * each change of effort with a 40-second time constant.
 */
const sessionArb = fc.record({
  maxHr: fc.integer({ min: 170, max: 205 }),
  // easy running up to 74 % of max, a prescribed tempo, threshold or rep from 85 %
  easyOfMax: fc.integer({ min: 60, max: 74 }),
  hardOfMax: fc.integer({ min: 85, max: 96 }),
  easySecPerKm: fc.integer({ min: 300, max: 420 }),
  hardSpeedUp: fc.integer({ min: 100, max: 130 }),
  warmupMin: fc.integer({ min: 10, max: 20 }),
  shape: fc.oneof(
    fc.record({ kind: fc.constant("block" as const), minutes: fc.integer({ min: 15, max: 40 }) }),
    fc.record({
      kind: fc.constant("reps" as const),
      reps: fc.integer({ min: 3, max: 8 }),
      repMin: fc.integer({ min: 2, max: 6 }),
      restMin: fc.integer({ min: 1, max: 3 }),
    }),
    fc.record({ kind: fc.constant("steady" as const), minutes: fc.integer({ min: 20, max: 60 }) }),
  ),
  cooldownMin: fc.integer({ min: 5, max: 15 }),
  zonesFrom: fc.constantFrom("context", "file"),
});

type Session = typeof sessionArb extends fc.Arbitrary<infer T> ? T : never;

function sessionSamples(s: Session): Samples {
  const easyHr = (s.maxHr * s.easyOfMax) / 100;
  const hardHr = (s.maxHr * s.hardOfMax) / 100;
  const easySpeed = 1000 / s.easySecPerKm;
  const hardSpeed = (easySpeed * s.hardSpeedUp) / 100;
  const parts: Array<[number, "easy" | "hard"]> = [];
  // a steady run starts and ends at its one effort
  if (s.shape.kind !== "steady") parts.push([s.warmupMin, "easy"]);
  if (s.shape.kind === "block") parts.push([s.shape.minutes, "hard"]);
  else if (s.shape.kind === "steady") parts.push([s.shape.minutes, "hard"]);
  else
    for (let r = 0; r < s.shape.reps; r++) {
      parts.push([s.shape.repMin, "hard"]);
      if (r < s.shape.reps - 1) parts.push([s.shape.restMin, "easy"]);
    }
  if (s.shape.kind !== "steady") parts.push([s.cooldownMin, "easy"]);
  const samples: Samples = { offsetS: [], hr: [], speedMps: [] };
  let t = 0;
  let hr = 95;
  for (const [minutes, effort] of parts) {
    const target = effort === "hard" ? hardHr : easyHr;
    for (let x = 0; x < minutes * 60; x += 5, t += 5) {
      hr = target + (hr - target) * Math.exp(-5 / 40);
      samples.offsetS.push(t);
      samples.hr.push(Math.round(hr));
      samples.speedMps.push(effort === "hard" ? hardSpeed : easySpeed);
    }
  }
  return samples;
}

function withAndWithoutZones(s: Session): [Activity, ClassifyContext, Activity, ClassifyContext] {
  const samples = sessionSamples(s);
  const bare = fromSamples(samples);
  if (s.zonesFrom === "context") return [bare, { hrZones: zonesFor(s.maxHr) }, bare, {}];
  const zoned = {
    ...bare,
    athleteHr: { maxHr: s.maxHr, thresholdHr: null, restingHr: null, source: "test" },
  };
  return [zoned, {}, bare, {}];
}

describe("zones", () => {
  it("removing the zones from a run never flips it from quality to easy when its HR samples stay", () => {
    fc.assert(
      fc.property(sessionArb, (s) => {
        const [zoned, zonedCtx, bare, bareCtx] = withAndWithoutZones(s);
        const withZones = classifyActivity(zoned, zonedCtx);
        fc.pre(withZones.kind === "quality");
        // A steady run judged hard only against its zones carries nothing else that says
        // so: the samples speak only where HR is hard for nearly anyone or shows a block.
        if (s.shape.kind === "steady" && (s.maxHr * s.hardOfMax) / 100 < 170) return;
        const without = classifyActivity(bare, bareCtx);
        expect(without.kind).toBe("quality");
      }),
      { numRuns: 300 },
    );
  });
});
