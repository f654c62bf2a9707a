// The athlete's recent normal: rolling easy pace, easy-run heart rate and usual run
// length, from the runs of the six weeks before a moment. Medians, so a race, a run
// with a child or a GPS glitch does not move it.
import type { Activity } from "../activity.ts";
import { median } from "./format.ts";
import { isQualityVerdict, readName } from "./names.ts";
import { readStructure } from "./structure.ts";
import type { RunBaseline } from "./types.ts";

export const BASELINE_WINDOW_DAYS = 42;
/** fewer easy-looking runs than this and the window says nothing reliable */
export const MIN_BASELINE_RUNS = 3;

const DAY_MS = 86_400_000;

/**
 * An easy-looking run: no source label, no quality word in the name, no lap structure,
 * shorter than a long run and longer than a warm-up jog. Intensity is deliberately not
 * used here: the baseline is what intensity is later measured against.
 */
function looksEasy(a: Activity): boolean {
  const t = a.movingS || a.elapsedS;
  if (a.sourceLabel !== null || t < 15 * 60 || t >= 90 * 60) return false;
  const hint = readName(a.name);
  if (hint && isQualityVerdict(hint.verdict) && hint.strength >= 0.5) return false;
  return readStructure(a, null) === null;
}

function speedOf(a: Activity): number | null {
  if (a.avgSpeedMps !== null && a.avgSpeedMps > 0) return a.avgSpeedMps;
  const t = a.movingS || a.elapsedS;
  return t > 0 && a.distanceM > 0 ? a.distanceM / t : null;
}

export function deriveBaseline(activities: Activity[], before: string): RunBaseline {
  const end = Date.parse(before);
  if (Number.isNaN(end)) throw new RangeError(`not an ISO instant: ${before}`);
  const start = end - BASELINE_WINDOW_DAYS * DAY_MS;
  const runs = activities.filter((a) => {
    const t = Date.parse(a.start);
    return a.sport === "run" && t >= start && t < end;
  });
  const easy = runs.filter(looksEasy);
  const speeds = easy.map(speedOf).filter((s): s is number => s !== null);
  const hrs = easy.map((a) => a.avgHr).filter((h): h is number => h !== null);
  const times = runs.map((a) => a.movingS || a.elapsedS).filter((t) => t > 0);
  const suffer = easy
    .filter((a) => a.sufferScore != null && (a.movingS || a.elapsedS) >= 10 * 60)
    .map((a) => ((a.sufferScore as number) * 3600) / (a.movingS || a.elapsedS));
  const enough = <T>(xs: T[]) => xs.length >= MIN_BASELINE_RUNS;
  const speed = enough(speeds) ? median(speeds) : null;
  const hr = enough(hrs) ? median(hrs) : null;
  const usual = enough(times) ? median(times) : null;
  const sufferPerHour = enough(suffer) ? median(suffer) : null;
  return {
    easySpeedMps: speed === null ? null : Math.round(speed * 1000) / 1000,
    usualRunS: usual === null ? null : Math.round(usual),
    easyHr: hr === null ? null : Math.round(hr),
    // only Strava runs with HR carry it: absent rather than null keeps other baselines as they were
    ...(sufferPerHour === null ? {} : { easySufferPerHour: Math.round(sufferPerHour) }),
    runs: easy.length,
  };
}
