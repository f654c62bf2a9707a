// Reading a workout's shape from its laps: repeated fast work laps alternating with
// recoveries (intervals) or a sustained fast block (tempo, a fast finish). Laps are
// noisy evidence: auto-laps every kilometre cut through hills, and a walked warm-up
// makes any running look fast. The guards below exist for those cases.
//
// Strides come first: a few short fast bouts (well under a minute, a few hundred metres
// at most) with long easy recoveries, usually after an easy run. They keep an easy run
// easy, so they are found (in the laps, or in the samples when no lap marks them) and
// taken out before the rest of the run is read.
import type { Activity, Lap, Samples } from "../activity.ts";
import { duration, median, pace } from "./format.ts";

export interface Strides {
  count: number;
  /** median length of a bout, seconds */
  boutS: number;
  /** distance-weighted speed of the bouts, m/s */
  speedMps: number;
  /** time and distance of the bouts and their recoveries, taken out of the run */
  removedS: number;
  removedM: number;
  /** heart beats (HR x seconds) and seconds with HR in what was taken out, to take it out of the average */
  removedBeats: number;
  removedHrS: number;
  /** [from, to) seconds from the start of what was taken out, where known */
  spans: Array<[number, number]>;
  reason: string;
}

export interface StructureRead {
  finding: StructureFinding | null;
  strides: Strides | null;
  /** the laps with the strides and their recoveries taken out (all laps when there are none) */
  coreLaps: Lap[];
}

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
// Strides: each bout well under a minute and a few hundred metres at most, all of them a
// few minutes in total (8 x 200 m at 35 s is a session of reps, not strides).
const STRIDE_MAX_S = 40;
const STRIDE_MAX_M = 250;
const STRIDES_MAX_TOTAL_S = 4 * 60;
/** a recovery longer than this is the run going on, not part of the strides */
const STRIDE_RECOVERY_MAX_S = 180;

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
  return readLaps(activity, easySpeedMps).finding;
}

/** Strides first, then intervals or a tempo in what is left of the run. */
export function readLaps(activity: Activity, easySpeedMps: number | null): StructureRead {
  const all = lapSpeeds(activity.laps);
  const fromLaps = stridesFromLaps(all);
  const fromSamples = fromLaps ? null : stridesFromSamples(activity.samples ?? null);
  const strides = fromLaps?.strides ?? fromSamples?.strides ?? null;
  const laps = fromLaps?.core ?? (fromSamples ? withoutEpisodes(all, fromSamples.episodes) : all);
  const coreLaps = strides ? laps.map((l) => l.lap) : activity.laps;
  if (laps.length < 3) return { finding: null, strides, coreLaps };
  const device = fromDeviceIntensity(laps);
  if (device) return { finding: device, strides, coreLaps };
  return {
    finding: intervalsFromSpeed(laps, easySpeedMps) ?? tempoFromSpeed(laps, easySpeedMps),
    strides,
    coreLaps,
  };
}

function stridesReason(count: number, boutS: number, speed: number, recoveryS: number): string {
  return `${count} strides of about ${Math.round(boutS)} s at ${pace(speed)} with ${Math.round(recoveryS)} s easy recoveries: strides keep an easy run easy.`;
}

/** Strides marked by laps: short fast laps, each followed by a longer, much slower one. */
function stridesFromLaps(laps: LapSpeed[]): { strides: Strides; core: LapSpeed[] } | null {
  const long = laps.filter((l) => l.time >= 120);
  if (long.length === 0) return null;
  const runSpeed = speedOf(long);
  const isBout = (l: LapSpeed) =>
    l.time <= STRIDE_MAX_S && l.lap.distanceM <= STRIDE_MAX_M && l.speed >= runSpeed * 1.2;
  const bouts: number[] = [];
  laps.forEach((l, i) => {
    if (isBout(l)) bouts.push(i);
  });
  if (bouts.length < 2) return null;
  const removed = new Set<number>();
  const recoveries: LapSpeed[] = [];
  for (const i of bouts) {
    const bout = laps[i] as LapSpeed;
    const next = laps[i + 1];
    removed.add(i);
    if (!next) continue;
    // long easy recoveries: at least as long as the bout and clearly slower
    if (isBout(next) || next.time < bout.time || next.speed >= bout.speed * 0.8) return null;
    if (next.time <= STRIDE_RECOVERY_MAX_S) {
      removed.add(i + 1);
      recoveries.push(next);
    }
  }
  const boutLaps = bouts.map((i) => laps[i] as LapSpeed);
  if (timeOf(boutLaps) > STRIDES_MAX_TOTAL_S) return null;
  const core = laps.filter((_, i) => !removed.has(i));
  const gone = laps.filter((_, i) => removed.has(i));
  const speed = speedOf(boutLaps);
  return {
    strides: {
      count: boutLaps.length,
      boutS: median(boutLaps.map((l) => l.time)) ?? 0,
      speedMps: speed,
      removedS: timeOf(gone),
      removedM: gone.reduce((s, l) => s + l.lap.distanceM, 0),
      removedBeats: gone.reduce((s, l) => s + (l.lap.avgHr ?? 0) * (l.lap.avgHr === null ? 0 : l.time), 0),
      removedHrS: gone.reduce((s, l) => s + (l.lap.avgHr === null ? 0 : l.time), 0),
      spans: gone
        .filter((l) => l.lap.startOffsetS !== null)
        .map((l) => [l.lap.startOffsetS as number, (l.lap.startOffsetS as number) + l.lap.elapsedS]),
      reason: stridesReason(
        boutLaps.length,
        median(boutLaps.map((l) => l.time)) ?? 0,
        speed,
        recoveries.length ? timeOf(recoveries) / recoveries.length : 0,
      ),
    },
    core,
  };
}

interface Episode {
  fromS: number;
  toS: number;
  metres: number;
  beats: number;
  hrS: number;
}

/** Strides in the recorded samples, when no lap marks them: at least three bouts. */
function stridesFromSamples(samples: Samples | null): { strides: Strides; episodes: Episode[] } | null {
  if (!samples || samples.offsetS.length < 20) return null;
  const n = samples.offsetS.length;
  const dt = (i: number) =>
    Math.min(
      10,
      Math.max(0, (samples.offsetS[i + 1] ?? (samples.offsetS[i] ?? 0) + 1) - (samples.offsetS[i] ?? 0)),
    );
  const speed = (i: number) => samples.speedMps[i] ?? 0;
  const moving = samples.speedMps.filter((v): v is number => v !== null && v > 0.5);
  const typical = median(moving);
  if (typical === null) return null;
  // Strides are run near sprinting: well above the run's typical speed and above the
  // fastest minute it sustains, not a surge of its own running.
  const fast = Math.max(typical * 1.3, typical + 1, sustainedSpeed(samples) * 1.15);
  const bouts: Array<{ from: number; to: number; s: number; m: number }> = [];
  let i = 0;
  while (i < n) {
    if (speed(i) < fast) {
      i++;
      continue;
    }
    let j = i;
    let s = 0;
    let m = 0;
    while (j < n && speed(j) >= fast) {
      s += dt(j);
      m += speed(j) * dt(j);
      j++;
    }
    bouts.push({ from: i, to: j, s, m });
    i = j;
  }
  // Longer fast stretches are running, and single samples are noise: neither is a stride.
  const real = bouts.filter(
    (b) => b.to - b.from >= 2 && b.s >= 8 && b.s <= STRIDE_MAX_S && b.m <= STRIDE_MAX_M,
  );
  if (real.length < 3) return null;
  const episodes: Episode[] = [];
  const recoveryTimes: number[] = [];
  for (const [k, b] of real.entries()) {
    const boutSpeed = b.m / b.s;
    const limit = real[k + 1]?.from ?? n;
    let j = b.to;
    let rs = 0;
    let rm = 0;
    while (j < limit && rs < STRIDE_RECOVERY_MAX_S && speed(j) < boutSpeed * 0.75) {
      rs += dt(j);
      rm += speed(j) * dt(j);
      j++;
    }
    // long easy recoveries: at least as long as the bout (the last may end the recording);
    // a burst without one is the run's own surging, left in the run
    if (rs < b.s && j < n) continue;
    recoveryTimes.push(rs);
    let beats = 0;
    let hrS = 0;
    for (let k2 = b.from; k2 < j; k2++) {
      const hr = samples.hr[k2];
      if (hr != null) {
        beats += hr * dt(k2);
        hrS += dt(k2);
      }
    }
    episodes.push({
      fromS: samples.offsetS[b.from] ?? 0,
      toS: samples.offsetS[j] ?? (samples.offsetS[n - 1] ?? 0) + 1,
      metres: b.m + rm,
      beats,
      hrS,
    });
  }
  // Without lap presses, three bouts alike (speed within a quarter of each other) make strides.
  const found = real.filter((b) => episodes.some((e) => e.fromS === samples.offsetS[b.from]));
  const typicalBout = median(found.map((b) => b.m / b.s)) ?? 0;
  const kept = found.filter((b) => Math.abs(b.m / b.s - typicalBout) <= typicalBout * 0.25);
  if (kept.length < 3) return null;
  const keptFrom = new Set(kept.map((b) => samples.offsetS[b.from]));
  episodes.splice(0, episodes.length, ...episodes.filter((e) => keptFrom.has(e.fromS)));
  if (kept.reduce((t, b) => t + b.s, 0) > STRIDES_MAX_TOTAL_S) return null;
  const boutS = median(kept.map((b) => b.s)) ?? 0;
  const boutM = kept.reduce((t, b) => t + b.m, 0);
  const boutT = kept.reduce((t, b) => t + b.s, 0);
  const removedS = episodes.reduce((t, e) => t + (e.toS - e.fromS), 0);
  return {
    strides: {
      count: kept.length,
      boutS,
      speedMps: boutM / boutT,
      removedS,
      removedM: episodes.reduce((t, e) => t + e.metres, 0),
      removedBeats: episodes.reduce((t, e) => t + e.beats, 0),
      removedHrS: episodes.reduce((t, e) => t + e.hrS, 0),
      spans: episodes.map((e) => [e.fromS, e.toS]),
      reason: stridesReason(kept.length, boutS, boutM / boutT, median(recoveryTimes) ?? 0),
    },
    episodes,
  };
}

/** The 90th percentile of the run's one-minute average speeds. */
function sustainedSpeed(samples: Samples): number {
  const t = samples.offsetS;
  const d: number[] = [0];
  for (let i = 1; i < t.length; i++) {
    const dt = Math.min(10, (t[i] as number) - (t[i - 1] as number));
    d.push((d[i - 1] as number) + (samples.speedMps[i - 1] ?? 0) * Math.max(0, dt));
  }
  const means: number[] = [];
  let j = 0;
  for (let i = 0; i < t.length; i++) {
    while (j < t.length && (t[j] as number) - (t[i] as number) < 60) j++;
    if (j >= t.length) break;
    const span = (t[j] as number) - (t[i] as number);
    if (span <= 120) means.push(((d[j] as number) - (d[i] as number)) / span);
  }
  if (means.length === 0) return 0;
  means.sort((x, y) => x - y);
  return means[Math.floor(means.length * 0.9)] ?? 0;
}

/** The laps with the stride episodes' time and distance taken out (laps need a start offset). */
function withoutEpisodes(laps: LapSpeed[], episodes: Episode[]): LapSpeed[] {
  return laps.flatMap((l) => {
    const start = l.lap.startOffsetS;
    if (start === null) return [l];
    const end = start + l.lap.elapsedS;
    let s = 0;
    let m = 0;
    for (const e of episodes) {
      const overlap = Math.min(end, e.toS) - Math.max(start, e.fromS);
      if (overlap <= 0) continue;
      const share = overlap / (e.toS - e.fromS);
      s += overlap;
      m += e.metres * share;
    }
    if (s === 0) return [l];
    const time = l.time - s;
    const distance = l.lap.distanceM - m;
    if (time < 30 || distance <= 0) return [];
    const lap: Lap = {
      ...l.lap,
      movingS: time,
      elapsedS: time,
      distanceM: distance,
      avgSpeedMps: distance / time,
    };
    return [{ lap, speed: distance / time, time }];
  });
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
  // Runs of several minutes broken by walks or stops, with no slower running anywhere (no
  // warm-up, no jogged recovery), are a run/walk: the "work" is all the running there is.
  const slowerRunning = laps.filter((l) => !isFast(l) && l.speed >= workSpeed * 0.6 && l.time >= 60);
  if (slowerRunning.length === 0 && (median(work.map((l) => l.time)) ?? 0) >= 4 * 60) {
    if (easySpeedMps === null || workSpeed < easySpeedMps * 1.1) return null;
  }
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
  // Against the run's own moving pace, not only its slowest part: a walked warm-up or
  // a slow first kilometre makes the ordinary running after it look fast.
  if (workSpeed < speedOf(running) * 1.06) return null;
  // And clearly harder by heart rate, where heart rate was recorded.
  const hrWork = hrOf(work);
  const hrRest = hrOf(rest);
  if (hrWork !== null && hrRest !== null && hrWork < hrRest + 5) return null;
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
