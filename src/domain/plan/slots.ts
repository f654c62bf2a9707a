// Candidate session times on one day and how much the soft preferences of
// DESIGN.md like each. Hard rules decide whether a slot exists at all; the
// points only rank legal slots.
import type { LocalDate } from "../time.ts";
import { type ClassifiedRun, type PlanContext, runsNear } from "./context.ts";
import { availableSpans, type Blocker, busyBlockers, PREFERRED_RUN_GAP_MS, runBlockers } from "./rules.ts";

/** Candidate starts sit on this grid from each availability window's start. */
export const GRID_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
const MINUTE_MS = 60_000;
/** Among equally good slots the one nearest 18:00 wins: "afternoon or evening" in the evidence, after work for most. */
const PREFERRED_MINUTE = 18 * 60;

export interface SlotFacts {
  /** the run that ends last before the session, and the first that starts after it */
  prevRun: ClassifiedRun | null;
  nextRun: ClassifiedRun | null;
  /** 6 h or more to the runs on either side */
  gap6: boolean;
  /** after the day's runs (or before them, for strengthTiming "before-run") */
  timing: boolean;
  afternoon: boolean;
  preferredDay: boolean;
  beforeLongRun: boolean;
  /** a currentPlan session is on this date */
  plannedDay: boolean;
}

export interface Slot {
  startMs: number;
  endMs: number;
  date: LocalDate;
  /** 0 = Monday */
  dayIndex: number;
  rest: boolean;
  /** exactly where a currentPlan session is */
  kept: boolean;
  points: number;
  /** minutes from 18:00, the last tie-break */
  dist: number;
  facts: SlotFacts;
}

export interface DayRequest {
  date: LocalDate;
  durMs: number;
  /** starts of movable currentPlan sessions on this date */
  plannedStarts: readonly number[];
  /** R4 blockers from sessions already fixed */
  spacing: readonly Blocker[];
}

/**
 * The day's candidate slots, reduced to its representatives (see `representatives`):
 * every grid start inside availability, after now and clear of every run and fixed
 * session is scored, and only the few that can matter become Slot objects.
 */
export function daySlots(ctx: PlanContext, req: DayRequest): Slot[] {
  const spans = availableSpans(ctx, req.date);
  if (spans.length === 0) return [];
  const first = (spans[0] as [number, number])[0];
  const last = (spans[spans.length - 1] as [number, number])[1];
  const blockers = [
    ...runBlockers(ctx, first, last, req.durMs),
    ...req.spacing,
    ...busyBlockers(ctx, first, last, req.durMs),
  ];
  const starts: number[] = [];
  for (const [a, b] of spans) {
    for (let s = a; s + req.durMs <= b; s += GRID_MS) starts.push(s);
    for (const p of req.plannedStarts)
      if (p >= a && p + req.durMs <= b && (p - a) % GRID_MS !== 0) starts.push(p);
  }
  if (req.plannedStarts.length > 0) starts.sort((x, y) => x - y);

  const cal = ctx.calendar(req.date);
  const dayRuns = ctx.runsOn(req.date);
  // A run more than a day away cannot be the neighbour that decides a gap under 6 h.
  const near = runsNear(ctx, first, last, DAY_MS);
  const a = ctx.input.athlete;
  const day: DayFacts = {
    rest: ctx.dayOf(req.date).kind === "rest",
    preferredDay: a.preferredWeekdays.includes(cal.weekday),
    beforeLongRun: ctx.runsOn(cal.next).some((r) => r.subtype === "long"),
    plannedDay: req.plannedStarts.length > 0,
  };
  const beforeRun = a.strengthTiming === "before-run";
  // On a day without a clock change the minute of day is plain arithmetic from midnight.
  const plainDay =
    cal.endMs - cal.startMs === DAY_MS && ctx.clock.offsetAt(cal.startMs) === ctx.clock.offsetAt(cal.endMs);

  // Starts where the 6 h optimum fails (s with lo < s < hi), and the span `timing` holds in.
  const under6: number[] = [];
  for (const r of near)
    under6.push(r.startMs - PREFERRED_RUN_GAP_MS - req.durMs, r.endMs + PREFERRED_RUN_GAP_MS);
  let timingFrom = Number.POSITIVE_INFINITY;
  let timingTo = Number.NEGATIVE_INFINITY;
  if (dayRuns.length > 0) {
    if (beforeRun) {
      timingFrom = Number.NEGATIVE_INFINITY;
      timingTo = Math.min(...dayRuns.map((r) => r.startMs)) - req.durMs;
    } else {
      timingFrom = Math.max(...dayRuns.map((r) => r.endMs));
      timingTo = Number.POSITIVE_INFINITY;
    }
  }
  const blockLo = blockers.map((b) => b.lo);
  const blockHi = blockers.map((b) => b.hi);

  // First pass: numbers only. Slots are allocated for the representatives alone.
  const legal: number[] = [];
  const points: number[] = [];
  const dists: number[] = [];
  for (const s of starts) {
    if (s < ctx.nowMs) continue;
    let blocked = false;
    for (let i = 0; i < blockLo.length && !blocked; i++)
      blocked = (blockLo[i] as number) < s && s < (blockHi[i] as number);
    if (blocked) continue;
    let gap6 = true;
    for (let i = 0; i < under6.length && gap6; i += 2)
      gap6 = !((under6[i] as number) < s && s < (under6[i + 1] as number));
    const timing = s >= timingFrom && s <= timingTo;
    const minute = plainDay ? Math.floor((s - cal.startMs) / MINUTE_MS) : ctx.clock.minuteOfDay(s);
    legal.push(s);
    points.push(pointsOf(gap6, timing, !beforeRun && minute >= 12 * 60, day));
    dists.push(Math.abs(minute - PREFERRED_MINUTE));
  }
  const picks = representativeIndexes(legal, points, dists, req.plannedStarts);
  return picks.map((i) => {
    const s = legal[i] as number;
    const e = s + req.durMs;
    const f = slotFacts(s, e, near, dayRuns, beforeRun);
    return {
      startMs: s,
      endMs: e,
      date: req.date,
      dayIndex: cal.weekday - 1,
      rest: day.rest,
      kept: req.plannedStarts.includes(s),
      points: points[i] as number,
      dist: dists[i] as number,
      facts: {
        prevRun: f.prevRun,
        nextRun: f.nextRun,
        gap6: f.gap6,
        timing: f.timing,
        afternoon: !beforeRun && ctx.clock.minuteOfDay(s) >= 12 * 60,
        preferredDay: day.preferredDay,
        beforeLongRun: day.beforeLongRun,
        plannedDay: day.plannedDay,
      },
    };
  });
}

interface DayFacts {
  rest: boolean;
  preferredDay: boolean;
  beforeLongRun: boolean;
  plannedDay: boolean;
}

function slotFacts(
  s: number,
  e: number,
  near: readonly ClassifiedRun[],
  dayRuns: readonly ClassifiedRun[],
  beforeRun: boolean,
): { prevRun: ClassifiedRun | null; nextRun: ClassifiedRun | null; gap6: boolean; timing: boolean } {
  let prevRun: ClassifiedRun | null = null;
  let nextRun: ClassifiedRun | null = null;
  for (const r of near) {
    if (r.endMs <= s && (!prevRun || r.endMs > prevRun.endMs)) prevRun = r;
    if (r.startMs >= e && !nextRun) nextRun = r;
  }
  const gap6 =
    (!prevRun || s - prevRun.endMs >= PREFERRED_RUN_GAP_MS) &&
    (!nextRun || nextRun.startMs - e >= PREFERRED_RUN_GAP_MS);
  let timing = dayRuns.length > 0;
  for (const r of dayRuns) if (beforeRun ? r.startMs < e : r.endMs > s) timing = false;
  return { prevRun, nextRun, gap6, timing };
}

/**
 * Weights of the soft preferences. Stability outranks them all (see week search),
 * then a preferred day, the 6 h gap and timing; the day before the long run costs
 * as much as a preferred day gains.
 */
function pointsOf(gap6: boolean, timing: boolean, afternoon: boolean, day: DayFacts): number {
  return (
    (gap6 ? 3 : 0) +
    (timing ? 2 : 0) +
    (afternoon ? 1 : 0) +
    (day.preferredDay ? 2 : 0) -
    (day.beforeLongRun ? 2 : 0) +
    (day.plannedDay ? 3 : 0)
  );
}

/**
 * A few slots per day stand in for all of them in the week search: the best (most
 * points, then nearest 18:00, then earliest), the earliest and latest best-scoring
 * ones and the earliest and latest legal ones (what R4 against the week's other
 * sessions may need), and any kept slot. Indexes into the start-ordered arrays.
 */
function representativeIndexes(
  starts: readonly number[],
  points: readonly number[],
  dists: readonly number[],
  plannedStarts: readonly number[],
): number[] {
  const n = starts.length;
  if (n === 0) return [];
  let best = 0;
  let maxPoints = points[0] as number;
  let topFirst = 0;
  let topLast = 0;
  for (let i = 1; i < n; i++) {
    const p = points[i] as number;
    const bp = points[best] as number;
    if (p > bp || (p === bp && (dists[i] as number) < (dists[best] as number))) best = i;
    if (p > maxPoints) {
      maxPoints = p;
      topFirst = i;
      topLast = i;
    } else if (p === maxPoints) topLast = i;
  }
  const picks = new Set([0, n - 1, best, topFirst, topLast]);
  for (const p of plannedStarts) {
    const i = starts.indexOf(p);
    if (i >= 0) picks.add(i);
  }
  return [...picks].sort((x, y) => x - y);
}
