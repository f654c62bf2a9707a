// Progression from the log, one lift at a time (the evidence: heavy sets stopped
// 1-2 reps short of failure; training to failure costs the next day's running).
//
//   every prescribed rep done, 2 or more in reserve  -> next time one increment up
//   every prescribed rep done, 1 in reserve           -> hold
//   reps missed, or a set taken to failure (0)        -> hold; the second time in
//                                                        a row, one increment down
//
// A session logged without reps in reserve holds: nothing says it was easy. The
// working sets are the sets at the day's heaviest weight; lighter ones (warm-ups,
// back-off sets) are not judged. Reps in reserve are compared as given, so an RPE
// log's 1.5 holds and 0.5 counts as failure.
import type { LocalDate } from "../time.ts";
import type { LoggedSet } from "./one-rep-max.ts";

/** What the day asked of the lift: its sets and the fewest reps that complete a set ("8-10" -> 8). */
export interface Prescribed {
  sets: number;
  minReps: number;
}

export interface LoggedLift {
  date: LocalDate;
  sets: readonly LoggedSet[];
  prescribed: Prescribed;
}

export type Verdict =
  /** every rep, 2+ in reserve */
  | "reserve"
  /** every rep, 1 in reserve */
  | "one-in-reserve"
  /** every rep, reserve not logged */
  | "reserve-unknown"
  | "missed-reps"
  | "to-failure";

export interface LiftProgress {
  /** the last logged day and its working weight */
  date: LocalDate;
  weightKg: number;
  verdict: Verdict;
  /** the smallest reps in reserve over the working sets, when all were logged */
  minReserve: number | null;
  /** increments for next time: +1, 0 or -1 */
  step: 1 | 0 | -1;
  /** the misses in a row that include this day (a drop starts the count again) */
  missesInRow: number;
  /** the day before this one in a two-miss drop */
  previousMissDate: LocalDate | null;
}

const WEIGHT_TOLERANCE_KG = 1e-6;

/** How one day of one lift went against what was prescribed; null when it had no loaded set. */
export function judgeDay(
  day: LoggedLift,
): { weightKg: number; verdict: Verdict; minReserve: number | null } | null {
  let weightKg = 0;
  for (const s of day.sets) if (s.weightKg > weightKg) weightKg = s.weightKg;
  if (weightKg <= 0) return null;
  // One pass over the working sets (runs for every logged day of a year's log on every re-plan).
  let working = 0;
  let allReps = true;
  let failure = false;
  let minReserve: number | null = Number.POSITIVE_INFINITY;
  for (const s of day.sets) {
    if (s.weightKg < weightKg - WEIGHT_TOLERANCE_KG) continue;
    working++;
    if (s.reps < day.prescribed.minReps) allReps = false;
    if (s.repsInReserve === undefined) minReserve = null;
    else {
      if (s.repsInReserve < 1) failure = true;
      if (minReserve !== null && s.repsInReserve < minReserve) minReserve = s.repsInReserve;
    }
  }
  let verdict: Verdict;
  if (!allReps || working < day.prescribed.sets) verdict = "missed-reps";
  else if (failure) verdict = "to-failure";
  else if (minReserve === null) verdict = "reserve-unknown";
  else verdict = minReserve >= 2 ? "reserve" : "one-in-reserve";
  return { weightKg, verdict, minReserve };
}

/**
 * The lift's state after each logged day, oldest first: `out[i]` is what follows
 * from days 0..i. Days without a loaded set leave the state as it was.
 */
export function progressLift(days: readonly LoggedLift[]): Array<LiftProgress | null> {
  const out: Array<LiftProgress | null> = [];
  let state = null as LiftProgress | null;
  for (const day of days) {
    const judged = judgeDay(day);
    if (judged !== null) {
      const missed = judged.verdict === "missed-reps" || judged.verdict === "to-failure";
      const before: LiftProgress | null = state;
      const missesInRow: number = missed ? (before?.missesInRow ?? 0) + 1 : 0;
      const drop: boolean = missesInRow >= 2;
      state = {
        date: day.date,
        weightKg: judged.weightKg,
        verdict: judged.verdict,
        minReserve: judged.minReserve,
        step: judged.verdict === "reserve" ? 1 : drop ? -1 : 0,
        missesInRow: drop ? 0 : missesInRow,
        previousMissDate: drop ? (before?.date ?? null) : null,
      };
    }
    out.push(state);
  }
  return out;
}
