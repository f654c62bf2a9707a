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
 * Sessions spread through the week (Mon + Thu over Mon + Wed): the smallest gap in
 * days between the week's sessions (0 = Monday), counted round the week as the
 * pattern repeats. `days` holds them sorted ascending in its first `n` places.
 */
function minCyclicGap(days: ArrayLike<number>, n: number): number {
  if (n < 2) return 0;
  let min = 7 - ((days[n - 1] as number) - (days[0] as number));
  for (let i = 1; i < n; i++) min = Math.min(min, (days[i] as number) - (days[i - 1] as number));
  return min;
}

/**
 * The best set of up to `need` slots from `reps` (start order), at least 48 h apart
 * start to start. `fixedDays` are the week's sessions already done or kept. The
 * walk allocates nothing per node: it runs thousands of times in a season.
 */
export function chooseWeek(reps: readonly Slot[], need: number, fixedDays: readonly number[]): Slot[] {
  if (need <= 0 || reps.length === 0) return [];
  const fixed = [...fixedDays].sort((a, b) => a - b);
  const days = new Int8Array(fixed.length + need);
  const chosen: Slot[] = [];
  let best: Score = { count: 0, rest: 0, kept: 0, soft: 0, dist: 0 };
  let bestSet: Slot[] = [];
  const score: Score = { count: 0, rest: 0, kept: 0, soft: 0, dist: 0 };

  const spread = (): number => {
    // Merge the fixed days with the chosen ones (both ascending) into the scratch array.
    let i = 0;
    let j = 0;
    let n = 0;
    while (i < fixed.length || j < chosen.length) {
      const c = chosen[j];
      if (c === undefined || (i < fixed.length && (fixed[i] as number) <= c.dayIndex))
        days[n++] = fixed[i++] as number;
      else {
        days[n++] = c.dayIndex;
        j++;
      }
    }
    return minCyclicGap(days, n);
  };

  const walk = (from: number, soft: number): void => {
    for (let j = from; j < reps.length; j++) {
      const s = reps[j] as Slot;
      const last = chosen[chosen.length - 1];
      if (last && s.startMs - last.startMs < MIN_SESSION_SPACING_MS) continue;
      chosen.push(s);
      score.count++;
      if (s.rest) score.rest++;
      if (s.kept) score.kept++;
      score.dist += s.dist;
      score.soft = soft + s.points + spread();
      if (better(score, best)) {
        best = { ...score };
        bestSet = [...chosen];
      }
      if (chosen.length < need) walk(j + 1, soft + s.points);
      chosen.pop();
      score.count--;
      if (s.rest) score.rest--;
      if (s.kept) score.kept--;
      score.dist -= s.dist;
    }
  };
  walk(0, 0);
  return bestSet;
}
