// One-rep max from logged sets, by Epley's formula:
//
//   1RM = weight x (1 + reps / 30)
//
// Why Epley: it is the most widely used single-set estimate, it needs nothing but
// the weight and the reps (what a gym log and a Garmin FIT `set` message hold),
// and in validation studies it is within a few per cent of a tested max for sets
// of up to about 10 reps; beyond that every rep-based formula drifts (fatigue and
// technique, not strength, end a set of 15), so only sets of 10 reps or fewer
// count. The reps are the reps the set could have reached: the reps done plus
// the reps in reserve the athlete reports, at most 3 of them (estimates of more
// than 3 in reserve are guesses). A single taken to failure is itself the max.
//
// The most recent evidence wins: a day's best set replaces an older estimate and
// a settings value given before it (or given undated). A set logged without reps
// in reserve only proves the max is at least its estimate (counted as 0 in
// reserve), so it raises an older, lower estimate but never lowers one.
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

/** The day's best estimate over its sets, and whether that best set carried reps in reserve. */
export function bestOfDay(
  date: LocalDate,
  sets: readonly LoggedSet[],
): (MaxEstimate & { set: LoggedSet; reserveKnown: boolean }) | null {
  let best: { oneRepMaxKg: number; set: LoggedSet } | null = null;
  for (const set of sets) {
    const e = setEstimate(set);
    if (e !== null && (best === null || e > best.oneRepMaxKg)) best = { oneRepMaxKg: e, set };
  }
  if (best === null) return null;
  return { ...best, date, reserveKnown: best.set.repsInReserve !== undefined };
}

/**
 * The estimate after one more day of evidence: a day with reps in reserve replaces
 * what came before; one without only raises it. `previous` may be the settings value.
 */
export function nextEstimate(
  previous: MaxEstimate | null,
  day: ReturnType<typeof bestOfDay>,
): MaxEstimate | null {
  if (day === null) return previous;
  const { reserveKnown: _known, ...estimate } = day;
  if (previous === null || day.reserveKnown || day.oneRepMaxKg >= previous.oneRepMaxKg) return estimate;
  return previous;
}
