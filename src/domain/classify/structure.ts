// Reading a workout's shape from its laps: repeated fast work laps alternating with
// recoveries (intervals) or a sustained fast block (tempo, a fast finish). Laps are
// noisy evidence: auto-laps every kilometre cut through hills, and a walked warm-up
// makes any running look fast. The guards below exist for those cases.
import type { Activity, Lap } from "../activity.ts";
import { duration, pace } from "./format.ts";

export interface StructureFinding {
  subtype: "intervals" | "tempo";
  /** 0..1 */
  strength: number;
  reason: string;
  /** distance-weighted speed of the work laps, m/s */
  workSpeedMps: number;
  workS: number;
}

interface LapSpeed {
  lap: Lap;
  speed: number;
  time: number;
}

const MIN_TEMPO_BLOCK_S = 15 * 60;
const MAX_WORK_LAP_S = 20 * 60;

function lapSpeeds(laps: Lap[]): LapSpeed[] {
  return laps
    .map((lap) => {
      const time = lap.movingS > 0 ? lap.movingS : lap.elapsedS;
      const speed = lap.avgSpeedMps ?? (time > 0 ? lap.distanceM / time : 0);
      return { lap, speed, time };
    })
    .filter((l) => l.time > 0 && l.lap.distanceM > 0 && l.speed > 0);
}

function speedOf(laps: LapSpeed[]): number {
  const d = laps.reduce((s, l) => s + l.lap.distanceM, 0);
  const t = laps.reduce((s, l) => s + l.time, 0);
  return t > 0 ? d / t : 0;
}

function timeOf(laps: LapSpeed[]): number {
  return laps.reduce((s, l) => s + l.time, 0);
}

function hrOf(laps: LapSpeed[]): number | null {
  const withHr = laps.filter((l) => l.lap.avgHr !== null);
  if (withHr.length === 0) return null;
  const t = timeOf(withHr);
  return withHr.reduce((s, l) => s + (l.lap.avgHr ?? 0) * l.time, 0) / t;
}

/** Splits speeds into slow and fast by the threshold that best separates them (1-D two-means). */
function fastThreshold(speeds: number[]): number | null {
  const sorted = [...speeds].sort((a, b) => a - b);
  if (sorted.length < 2) return null;
  let best: { score: number; threshold: number } | null = null;
  for (let k = 1; k < sorted.length; k++) {
    const lo = sorted.slice(0, k);
    const hi = sorted.slice(k);
    const mLo = lo.reduce((s, x) => s + x, 0) / lo.length;
    const mHi = hi.reduce((s, x) => s + x, 0) / hi.length;
    const score = lo.length * hi.length * (mHi - mLo) ** 2;
    // biome-ignore lint/style/noNonNullAssertion: k is inside the array
    const threshold = (sorted[k - 1]! + sorted[k]!) / 2;
    if (!best || score > best.score) best = { score, threshold };
  }
  return best?.threshold ?? null;
}

/** Runs of consecutive fast laps. */
function fastRuns(laps: LapSpeed[], isFast: (l: LapSpeed) => boolean): LapSpeed[][] {
  const runs: LapSpeed[][] = [];
  let current: LapSpeed[] = [];
  for (const l of laps) {
    if (isFast(l)) current.push(l);
    else if (current.length) {
      runs.push(current);
      current = [];
    }
  }
  if (current.length) runs.push(current);
  return runs;
}

/** Auto-laps (every km or mile) cut the run by distance, not by effort. */
function looksLikeAutoLaps(laps: LapSpeed[]): boolean {
  const body = laps.slice(0, -1);
  if (body.length < 3) return false;
  const first = body[0]?.lap.distanceM ?? 0;
  return first >= 950 && body.every((l) => Math.abs(l.lap.distanceM - first) <= first * 0.01);
}

/** Recoveries are the slow laps that directly follow a work lap. */
function recoveriesAfter(all: LapSpeed[], isFast: (l: LapSpeed) => boolean): LapSpeed[] {
  const out: LapSpeed[] = [];
  for (let i = 1; i < all.length; i++) {
    const prev = all[i - 1];
    const cur = all[i];
    if (prev && cur && isFast(prev) && !isFast(cur)) out.push(cur);
  }
  return out;
}

function fromDeviceIntensity(laps: LapSpeed[]): StructureFinding | null {
  const work = laps.filter((l) => l.lap.intensity === "active");
  const rest = laps.filter((l) => l.lap.intensity === "rest");
  if (rest.length < 2 || work.length < 3) return null;
  const isWork = (l: LapSpeed) => l.lap.intensity === "active";
  const reps = fastRuns(
    laps.filter((l) => l.lap.intensity === "active" || l.lap.intensity === "rest"),
    isWork,
  );
  if (reps.length < 3) return null;
  const workSpeed = speedOf(work);
  const restSpeed = speedOf(rest);
  return {
    subtype: "intervals",
    strength: 0.9,
    reason: `The watch marked ${work.length} work laps at ${pace(workSpeed)} alternating with ${rest.length} recoveries${restSpeed > 0 ? ` at ${pace(restSpeed)}` : ""}.`,
    workSpeedMps: workSpeed,
    workS: timeOf(work),
  };
}

/**
 * Finds intervals or a tempo block in the laps. `easySpeedMps` (the athlete's rolling
 * easy pace), when known, keeps a "fast" block that is only ordinary running after a
 * walk from counting.
 */
export function readStructure(activity: Activity, easySpeedMps: number | null): StructureFinding | null {
  const laps = lapSpeeds(activity.laps);
  if (laps.length < 3) return null;
  const device = fromDeviceIntensity(laps);
  if (device) return device;
  return intervalsFromSpeed(laps, easySpeedMps) ?? tempoFromSpeed(laps, easySpeedMps);
}

function intervalsFromSpeed(laps: LapSpeed[], easySpeedMps: number | null): StructureFinding | null {
  if (laps.length < 5) return null;
  const first = fastThreshold(laps.map((l) => l.speed));
  if (first === null) return null;
  let threshold = first;
  // Standing recoveries (speed near zero) pull the first split below warm-up pace, so
  // the "fast" side holds warm-up, reps and cool-down; split that side once more when
  // it clearly holds two speeds and the faster one still repeats.
  const upper = laps.filter((l) => l.speed > first);
  const second = fastThreshold(upper.map((l) => l.speed));
  if (second !== null) {
    const hi = upper.filter((l) => l.speed > second);
    const lo = upper.filter((l) => l.speed <= second);
    if (speedOf(hi) >= speedOf(lo) * 1.2 && fastRuns(laps, (l) => l.speed > second).length >= 3)
      threshold = second;
  }
  const isFast = (l: LapSpeed) => l.speed > threshold;
  const reps = fastRuns(laps, isFast);
  if (reps.length < 3) return null;
  // Recoveries are the slow laps between work laps; a warm-up before the first rep
  // and a cool-down after the last are not.
  const firstRep = laps.indexOf(reps[0]?.[0] as LapSpeed);
  const lastRepRun = reps[reps.length - 1] ?? [];
  const lastRep = laps.indexOf(lastRepRun[lastRepRun.length - 1] as LapSpeed);
  const between = laps.slice(firstRep, lastRep + 1).filter((l) => !isFast(l));
  const work = laps.filter(isFast);
  if (work.some((l) => l.time > MAX_WORK_LAP_S)) return null;
  const workSpeed = speedOf(work);
  const recSpeed = speedOf(between);
  const ratio = recSpeed > 0 ? workSpeed / recSpeed : Number.POSITIVE_INFINITY;
  const auto = looksLikeAutoLaps(laps);
  // Hilly auto-laps alternate too; only a much larger contrast is a workout then.
  if (ratio < (auto ? 1.3 : 1.2)) return null;
  // Uphill kilometres are slow with a high heart rate; real work laps are fast with one.
  const hrWork = hrOf(work);
  const hrRec = hrOf(between);
  if (hrWork !== null && hrRec !== null && hrWork < hrRec - 2) return null;
  if (easySpeedMps !== null && workSpeed < easySpeedMps * 1.05) return null;
  const recoveries = recoveriesAfter(laps, isFast);
  const recoveryText = recoveries.length
    ? ` alternating with ${recoveries.length} recoveries at ${pace(speedOf(recoveries))}`
    : "";
  return {
    subtype: "intervals",
    strength: auto ? 0.7 : 0.85,
    reason: `${work.length} work laps at ${pace(workSpeed)}${recoveryText}.`,
    workSpeedMps: workSpeed,
    workS: timeOf(work),
  };
}

function tempoFromSpeed(laps: LapSpeed[], easySpeedMps: number | null): StructureFinding | null {
  // Laps far slower than the run's typical lap are walks or stops: comparing with them
  // would make any running look like a tempo.
  const sortedSpeeds = laps.map((l) => l.speed).sort((a, b) => a - b);
  const typical = sortedSpeeds[sortedSpeeds.length >> 1] ?? 0;
  const running = laps.filter((l) => l.speed >= typical * 0.7 && l.time >= 60);
  if (running.length < 3) return null;
  const threshold = fastThreshold(running.map((l) => l.speed));
  if (threshold === null) return null;
  const isFast = (l: LapSpeed) => l.speed > threshold;
  const blocks = fastRuns(running, isFast);
  if (blocks.length === 0 || blocks.length > 2) return null;
  const work = blocks.flat();
  const rest = running.filter((l) => !isFast(l));
  const workS = timeOf(work);
  const restS = timeOf(rest);
  if (restS < 5 * 60) return null;
  const longest = Math.max(...blocks.map(timeOf));
  if (blocks.length === 1 ? longest < MIN_TEMPO_BLOCK_S : blocks.some((b) => timeOf(b) < 8 * 60)) return null;
  const workSpeed = speedOf(work);
  const restSpeed = speedOf(rest);
  const ratio = workSpeed / restSpeed;
  if (ratio < 1.12) return null;
  const hrWork = hrOf(work);
  const hrRest = hrOf(rest);
  if (hrWork !== null && hrRest !== null && hrWork < hrRest) return null;
  if (easySpeedMps !== null && workSpeed < easySpeedMps * 1.05) return null;
  const what =
    blocks.length === 1
      ? `A sustained fast block of ${duration(workS)} at ${pace(workSpeed)}`
      : `Two fast blocks totalling ${duration(workS)} at ${pace(workSpeed)}`;
  return {
    subtype: "tempo",
    strength: 0.75,
    reason: `${what}, ${Math.round((ratio - 1) * 100)}% faster than the rest of the run (${pace(restSpeed)}).`,
    workSpeedMps: workSpeed,
    workS,
  };
}
