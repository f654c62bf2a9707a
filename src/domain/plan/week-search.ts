// Choosing a week's sessions among the day representatives. The order of what
// matters is the rules' order: as many sessions as the phase asks (R6), on rest
// days only when no easy day fits (R1), then stability (keep what the athlete
// already has in the calendar), then the soft preferences, then nearest 18:00,
// then earliest. A depth-first walk over start-sorted slots visits subsets in
// lexicographic order, so the first of equals found is the earliest: the same
// input always gives the same week.
import { MIN_SESSION_SPACING_MS } from "./rules.ts";
import type { Slot } from "./slots.ts";

interface Score {
  count: number;
  rest: number;
  kept: number;
  soft: number;
  dist: number;
}

function better(x: Score, y: Score): boolean {
  if (x.count !== y.count) return x.count > y.count;
  if (x.rest !== y.rest) return x.rest < y.rest;
  if (x.kept !== y.kept) return x.kept > y.kept;
  if (x.soft !== y.soft) return x.soft > y.soft;
  return x.dist < y.dist;
}

/**
 * Sessions spread through the week (Mon + Thu over Mon + Wed): the smallest gap
 * in days between the week's sessions, counted round the week as the pattern
 * repeats. `fixedDays` are the week's sessions already done or kept (0 = Monday).
 */
export function spreadPoints(dayIndexes: readonly number[]): number {
  if (dayIndexes.length < 2) return 0;
  const days = [...dayIndexes].sort((a, b) => a - b);
  let min = 7 - ((days[days.length - 1] as number) - (days[0] as number));
  for (let i = 1; i < days.length; i++) min = Math.min(min, (days[i] as number) - (days[i - 1] as number));
  return min;
}

/** The best set of up to `need` slots from `reps` (start order), at least 48 h apart start to start. */
export function chooseWeek(reps: readonly Slot[], need: number, fixedDays: readonly number[]): Slot[] {
  let best: Score = { count: 0, rest: 0, kept: 0, soft: spreadPoints(fixedDays), dist: 0 };
  let bestSet: Slot[] = [];
  if (need <= 0) return bestSet;
  const chosen: Slot[] = [];
  const walk = (from: number): void => {
    for (let j = from; j < reps.length; j++) {
      const s = reps[j] as Slot;
      const last = chosen[chosen.length - 1];
      if (last && s.startMs - last.startMs < MIN_SESSION_SPACING_MS) continue;
      chosen.push(s);
      const score: Score = { count: chosen.length, rest: 0, kept: 0, soft: 0, dist: 0 };
      const days = [...fixedDays];
      for (const c of chosen) {
        if (c.rest) score.rest++;
        if (c.kept) score.kept++;
        score.soft += c.points;
        score.dist += c.dist;
        days.push(c.dayIndex);
      }
      score.soft += spreadPoints(days);
      if (better(score, best)) {
        best = score;
        bestSet = [...chosen];
      }
      if (chosen.length < need) walk(j + 1);
      chosen.pop();
    }
  };
  walk(0);
  return bestSet;
}
