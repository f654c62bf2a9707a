// Effort evidence beyond an average heart rate against the athlete's zones: what the
// recording itself says about the athlete (a FIT file's zones and profile), the device's
// training effect, the athlete's own rating, Strava's relative effort, and the heart-rate
// samples (time near the run's own peak, drift). Each reading is plain data with the
// sentence that explains it; run.ts weighs them.
import type { Activity } from "../activity.ts";
import { bpm, duration } from "./format.ts";
import type { RunBaseline } from "./types.ts";

export interface Limits {
  z1: number;
  z2: number;
  z3: number;
  source: string;
}

// Strava's default zone split of max HR (as run.ts uses for a given max) and, from a
// lactate-threshold HR, Friel's running zones: zone 2 tops out at 89 % of threshold,
// zone 3 at 94 %.
const OF_MAX = { z1: 0.65, z2: 0.81, z3: 0.89 };
const OF_THRESHOLD = { z1: 0.85, z2: 0.89, z3: 0.94 };

/** Zone limits from the heart-rate settings the recording carries, when it carries any. */
export function limitsFromActivity(a: Activity): Limits | null {
  const hr = a.athleteHr;
  if (!hr) return null;
  if (hr.thresholdHr !== null && hr.thresholdHr > 100) {
    const t = hr.thresholdHr;
    const z2 = Math.round(t * OF_THRESHOLD.z2);
    return {
      z1: Math.round(t * OF_THRESHOLD.z1),
      z2,
      z3: Math.round(t * OF_THRESHOLD.z3),
      source: `the zone-2 ceiling of ${bpm(z2)} (89% of the threshold HR of ${bpm(t)} in ${hr.source})`,
    };
  }
  if (hr.maxHr !== null && hr.maxHr > 100) {
    const m = hr.maxHr;
    const z2 = Math.round(m * OF_MAX.z2);
    return {
      z1: Math.round(m * OF_MAX.z1),
      z2,
      z3: Math.round(m * OF_MAX.z3),
      source: `the zone-2 ceiling of ${bpm(z2)} (81% of the max HR of ${bpm(m)} in ${hr.source})`,
    };
  }
  return null;
}

/**
 * A sustained average above this is hard for nearly any adult runner: it is 80 % of a
 * 210 bpm maximum, and few adults reach more (maxima spread around 220 minus age, +-10).
 * Without the athlete's own numbers it is evidence at a lower confidence, not a verdict.
 */
export const HARD_FOR_ANYONE_HR = 168;
const SUSTAINED_S = 15 * 60;

export interface HrSamplesRead {
  /** seconds with a heart-rate sample */
  coveredS: number;
  /** the run's own peak: the 98th percentile of its samples, so one spike does not set it */
  peak: number;
  /** seconds within 5 % of that peak */
  nearPeakS: number;
  /** mean HR of the second half minus the first, bpm */
  driftBpm: number;
  /** seconds at or above HARD_FOR_ANYONE_HR */
  hardS: number;
  /** seconds above a limit */
  above(limit: number): number;
  /** the longest stretch above a limit, dips shorter than a minute bridged: a block, not a few climbs */
  longestAbove(limit: number): number;
}

/** The heart-rate samples, when they cover most of the run (a file cut short does not count). */
export function readHrSamples(a: Activity): HrSamplesRead | null {
  const s = a.samples;
  if (!s || s.offsetS.length < 10) return null;
  const points: Array<{ t: number; dt: number; hr: number }> = [];
  for (let i = 0; i < s.offsetS.length; i++) {
    const hr = s.hr[i];
    const t = s.offsetS[i] as number;
    const next = s.offsetS[i + 1];
    // a gap longer than 30 s is a pause or a drop-out: count at most 10 s of it
    const dt = next === undefined ? 1 : Math.min(next - t, next - t > 30 ? 10 : 30);
    if (hr != null && dt > 0) points.push({ t, dt, hr });
  }
  const coveredS = points.reduce((x, p) => x + p.dt, 0);
  const total = a.elapsedS > 0 ? a.elapsedS : a.movingS;
  if (points.length < 10 || coveredS < total * 0.8) return null;
  const sorted = points.map((p) => p.hr).sort((x, y) => x - y);
  const peak = sorted[Math.floor(sorted.length * 0.98)] ?? sorted[sorted.length - 1] ?? 0;
  const above = (limit: number) => points.filter((p) => p.hr > limit).reduce((x, p) => x + p.dt, 0);
  const mid = (points[0]?.t ?? 0) + ((points[points.length - 1]?.t ?? 0) - (points[0]?.t ?? 0)) / 2;
  const mean = (ps: typeof points) => {
    const t = ps.reduce((x, p) => x + p.dt, 0);
    return t > 0 ? ps.reduce((x, p) => x + p.hr * p.dt, 0) / t : 0;
  };
  const longestAbove = (limit: number) => {
    let best = 0;
    let from: number | null = null;
    let lastHot = 0;
    for (const p of points) {
      if (p.hr > limit) {
        if (from === null || p.t - lastHot > 60) from = p.t;
        lastHot = p.t + p.dt;
        best = Math.max(best, lastHot - from);
      }
    }
    return best;
  };
  return {
    coveredS,
    peak,
    longestAbove,
    nearPeakS: above(peak * 0.95 - 0.5),
    driftBpm: Math.round(mean(points.filter((p) => p.t >= mid)) - mean(points.filter((p) => p.t < mid))),
    hardS: above(HARD_FOR_ANYONE_HR - 0.5),
    above,
  };
}

export interface AbsoluteHr {
  reason: string;
  /** near its own peak for most of the run: a sustained effort, not a few climbs */
  sustained: boolean;
}

/**
 * Hard for nearly any adult: an average at or above HARD_FOR_ANYONE_HR for a quarter of
 * an hour or more, or that long in the samples. Never says "easy": 150 bpm is easy for
 * one runner and threshold for another.
 */
export function absoluteHr(a: Activity, samples: HrSamplesRead | null): AbsoluteHr | null {
  const t = a.movingS || a.elapsedS;
  const avg = a.avgHr;
  const byAverage = avg !== null && avg >= HARD_FOR_ANYONE_HR && t >= SUSTAINED_S;
  const bySamples = samples !== null && samples.hardS >= SUSTAINED_S && samples.hardS >= t * 0.4;
  if (!byAverage && !bySamples) return null;
  const what = byAverage
    ? `Average HR ${bpm(avg as number)} over ${duration(t)}`
    : `${duration((samples as HrSamplesRead).hardS)} at ${bpm(HARD_FOR_ANYONE_HR)} or more`;
  const sustained = samples !== null && samples.nearPeakS >= t * 0.6;
  const peak = samples
    ? ` It spent ${duration(samples.nearPeakS)} within 5% of its own peak of ${bpm(samples.peak)}${
        Math.abs(samples.driftBpm) >= 3
          ? `, and HR ${samples.driftBpm > 0 ? "rose" : "fell"} ${Math.abs(samples.driftBpm)} bpm from the first half to the second`
          : ""
      }.`
    : "";
  return {
    reason: `${what} is hard for nearly any adult runner (${bpm(HARD_FOR_ANYONE_HR)} is 80% of even a 210 bpm maximum); without your zones or max HR this is less certain.${peak}`,
    sustained,
  };
}

export interface HrBlock {
  hotS: number;
  hotHr: number;
  restHr: number;
  reason: string;
}

/**
 * The run's own heart-rate shape, with no number of the athlete's: a hard block (or
 * reps) that sits 15 bpm or more above the running around it (a warm-up, recoveries, a
 * cool-down). The first three minutes, while HR climbs from rest, are left out; walking
 * around the block does not count as the running it is compared with. Trails are left
 * alone: a long climb does the same to HR.
 */
export function hrBlock(a: Activity, samples: HrSamplesRead | null): HrBlock | null {
  const s = a.samples;
  if (!samples || !s || /trail/i.test(a.sportType)) return null;
  const pts: Array<{ t: number; dt: number; hr: number; speed: number | null }> = [];
  for (let i = 0; i < s.offsetS.length; i++) {
    const hr = s.hr[i];
    const t = s.offsetS[i] as number;
    const next = s.offsetS[i + 1];
    const dt = next === undefined ? 1 : Math.min(next - t, next - t > 30 ? 10 : 30);
    if (hr != null && dt > 0 && t >= 180) pts.push({ t, dt, hr, speed: s.speedMps[i] ?? null });
  }
  if (pts.length < 20) return null;
  const split = twoMeansSplit(pts.map((p) => p.hr));
  if (split === null) return null;
  const hot = pts.filter((p) => p.hr > split);
  const rest = pts.filter((p) => p.hr <= split);
  const time = (ps: typeof pts) => ps.reduce((x, p) => x + p.dt, 0);
  const meanOf = (ps: typeof pts, f: (p: (typeof pts)[number]) => number | null) => {
    const ok = ps.filter((p) => f(p) !== null);
    const t = time(ok);
    return t > 0 ? ok.reduce((x, p) => x + (f(p) as number) * p.dt, 0) / t : null;
  };
  const hotS = time(hot);
  const restS = time(rest);
  const total = hotS + restS;
  if (hotS < 12 * 60 || restS < 8 * 60 || hotS > total * 0.85) return null;
  const hotHr = meanOf(hot, (p) => p.hr) as number;
  const restHr = meanOf(rest, (p) => p.hr) as number;
  if (hotHr - restHr < 15) return null;
  // hot stretches of two minutes or more on average: reps or a block, not a few hills
  let stretches = 0;
  let last = Number.NEGATIVE_INFINITY;
  for (const p of hot) {
    if (p.t - last > 60) stretches++;
    last = p.t + p.dt;
  }
  if (hotS / stretches < 120) return null;
  const hotSpeed = meanOf(hot, (p) => p.speed);
  const restSpeed = meanOf(rest, (p) => p.speed);
  if (hotSpeed !== null && restSpeed !== null && restSpeed < hotSpeed * 0.65) return null;
  return {
    hotS,
    hotHr,
    restHr,
    reason: `${duration(hotS)} of the run held HR at ${bpm(hotHr)}, ${Math.round(hotHr - restHr)} bpm above the running around it (${bpm(restHr)}): a hard block or reps, read from the heart rate alone, so less certain than against your zones.`,
  };
}

/** The split of values into low and high that best separates them (1-D two-means). */
function twoMeansSplit(values: number[]): number | null {
  const sorted = [...values].sort((x, y) => x - y);
  const n = sorted.length;
  if (n < 2) return null;
  const prefix = [0];
  for (const v of sorted) prefix.push((prefix[prefix.length - 1] as number) + v);
  let best: { score: number; split: number } | null = null;
  for (let k = 1; k < n; k++) {
    if (sorted[k] === sorted[k - 1]) continue;
    const lo = (prefix[k] as number) / k;
    const hi = ((prefix[n] as number) - (prefix[k] as number)) / (n - k);
    const score = k * (n - k) * (hi - lo) ** 2;
    if (!best || score > best.score)
      best = { score, split: ((sorted[k - 1] as number) + (sorted[k] as number)) / 2 };
  }
  return best?.split ?? null;
}

export interface Voice {
  /** the athlete's own rating decides intensity; the others add to it */
  source: "rating" | "training effect" | "relative effort";
  verdict: "quality" | "easy";
  strength: number;
  reason: string;
}

/** Firstbeat's scale: 4.0 and up "highly improving", anaerobic 2.0 and up trains speed; below 3.0 "maintaining". */
export function trainingEffectVoice(a: Activity): Voice | null {
  const te = a.trainingEffect;
  if (!te) return null;
  const aerobic = te.aerobic;
  const anaerobic = te.anaerobic;
  const said = [
    aerobic !== null ? `aerobic ${aerobic.toFixed(1)}` : null,
    anaerobic !== null ? `anaerobic ${anaerobic.toFixed(1)}` : null,
  ]
    .filter((x) => x !== null)
    .join(", ");
  if ((aerobic ?? 0) >= 4 || (anaerobic ?? 0) >= 2) {
    return {
      source: "training effect",
      verdict: "quality",
      strength: 0.7,
      reason: `The watch rates its training effect ${said}: a hard session (4.0 aerobic or 2.0 anaerobic and up).`,
    };
  }
  if (aerobic !== null && aerobic < 3 && (anaerobic ?? 0) < 1.5) {
    return {
      source: "training effect",
      verdict: "easy",
      strength: 0.7,
      reason: `The watch rates its training effect ${said}: a maintaining, easy session.`,
    };
  }
  return null;
}

/** The athlete's own 1-10 rating (Strava's perceived exertion): 7 and up is hard, 4 and below easy. */
export function perceivedExertionVoice(a: Activity): Voice | null {
  const rpe = a.perceivedExertion;
  if (rpe == null) return null;
  if (rpe >= 7)
    return {
      source: "rating",
      verdict: "quality",
      strength: 0.8,
      reason: `You rated the effort ${rpe}/10: hard.`,
    };
  if (rpe <= 4)
    return {
      source: "rating",
      verdict: "easy",
      strength: 0.8,
      reason: `You rated the effort ${rpe}/10: easy.`,
    };
  return null;
}

/**
 * Strava's relative effort per hour, against the athlete's usual easy runs. It is built
 * from the athlete's Strava zones, so, like HR against zones, it needs the athlete's own
 * normal to mean anything: without a baseline it only supports other evidence.
 */
export function sufferVoice(a: Activity, baseline: RunBaseline | null): Voice | null {
  const score = a.sufferScore;
  const t = a.movingS || a.elapsedS;
  if (score == null || t < 10 * 60) return null;
  const perHour = (score * 3600) / t;
  const usual = baseline?.easySufferPerHour ?? null;
  if (usual === null || usual <= 0) return null;
  const ratio = perHour / usual;
  if (ratio >= 1.35) {
    return {
      source: "relative effort",
      verdict: "quality",
      strength: 0.55,
      reason: `Strava's relative effort of ${Math.round(score)} is ${Math.round(perHour)} an hour, ${Math.round((ratio - 1) * 100)}% above your easy runs' ${Math.round(usual)}.`,
    };
  }
  if (ratio <= 0.8) {
    return {
      source: "relative effort",
      verdict: "easy",
      strength: 0.55,
      reason: `Strava's relative effort of ${Math.round(score)} is ${Math.round(perHour)} an hour, below your easy runs' ${Math.round(usual)}.`,
    };
  }
  return null;
}
