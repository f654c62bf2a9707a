// One-rep max from logged sets, by Epley's formula:
//
//   1RM = weight x (1 + reps / 30)
//
// Why Epley: it is the most widely used single-set estimate, it needs nothing but
// the weight and the reps (what a gym log and a Garmin FIT `set` message hold),
// and rep-based estimates stay close to a tested max only for sets of up to about
// 10 reps; beyond that they drift (fatigue and technique, not strength, end a
// set of 15), so only sets of 10 reps or fewer count. The reps are the reps the set could have reached: the reps done plus
// the reps in reserve the athlete reports, at most 3 of them (estimates of more
// than 3 in reserve are guesses). A single taken to failure is itself the max.
//
// The most recent evidence wins: the best set of the latest day with a set of 10
// reps or fewer replaces an older estimate and a settings value given before it
// (or given undated). Reps in reserve not logged count as 0, so such a set errs
// low, on the safe side: a lighter day lowers the estimate, and the progression
// rules raise the load again from there.
import type { LocalDate } from "../time.ts";

export interface LoggedSet {
  reps: number;
  weightKg: number;
  /** reps the athlete could still have done; absent when unknown */
  repsInReserve?: number | undefined;
}

export const EPLEY_MAX_REPS = 10;
/** Reps in reserve beyond this are counted as this many. */
export const MAX_COUNTED_RESERVE = 3;

/** Epley's estimate for `weightKg` lifted `repsToFailure` times; a true single is the max itself. */
export function epley(weightKg: number, repsToFailure: number): number {
  return repsToFailure <= 1 ? weightKg : weightKg * (1 + repsToFailure / 30);
}

/** One set's estimate, or null when the set says nothing about the max (no load, no reps, or over 10 reps). */
export function setEstimate(set: LoggedSet): number | null {
  if (set.weightKg <= 0 || set.reps < 1 || set.reps > EPLEY_MAX_REPS) return null;
  const reserve = Math.min(MAX_COUNTED_RESERVE, Math.max(0, set.repsInReserve ?? 0));
  return epley(set.weightKg, set.reps + reserve);
}

export interface MaxEstimate {
  oneRepMaxKg: number;
  /** when the evidence is from; null for an undated settings value */
  date: LocalDate | null;
  /** the set it was estimated from; absent when it is the athlete's own value */
  set?: LoggedSet;
}

/** The day's best estimate over its sets, with the set it came from; null when no set says anything. */
export function bestOfDay(
  date: LocalDate,
  sets: readonly LoggedSet[],
): (MaxEstimate & { set: LoggedSet }) | null {
  let best = 0;
  let bestSet: LoggedSet | null = null;
  for (const set of sets) {
    const e = setEstimate(set);
    if (e !== null && (bestSet === null || e > best)) {
      best = e;
      bestSet = set;
    }
  }
  return bestSet === null ? null : { oneRepMaxKg: best, date, set: bestSet };
}

/** The estimate after one more day of evidence: the day's, when it has one; `previous` may be the settings value. */
export function nextEstimate(
  previous: MaxEstimate | null,
  day: (MaxEstimate & { set: LoggedSet }) | null,
): MaxEstimate | null {
  return day ?? previous;
}
