// Candidate session times on one day and how much the soft preferences of
// DESIGN.md like each. Hard rules decide whether a slot exists at all; the
// points only rank legal slots.
import { addDays, isoWeekday, type LocalDate } from "../time.ts";
import { type ClassifiedRun, type PlanContext, runsNear } from "./context.ts";
import { availableSpans, type Blocker, firstBlocker, PREFERRED_RUN_GAP_MS, runBlockers } from "./rules.ts";

/** Candidate starts sit on this grid from each availability window's start. */
export const GRID_MS = 15 * 60_000;
const DAY_MS = 86_400_000;
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

/** Every legal slot of the day, in start order: inside availability, after now, clear of every run and fixed session. */
export function legalSlots(ctx: PlanContext, req: DayRequest): Slot[] {
  const spans = availableSpans(ctx, req.date);
  if (spans.length === 0) return [];
  const first = (spans[0] as [number, number])[0];
  const last = (spans[spans.length - 1] as [number, number])[1];
  const blockers = [...runBlockers(ctx, first, last, req.durMs), ...req.spacing];
  const starts: number[] = [];
  for (const [a, b] of spans) {
    for (let s = a; s + req.durMs <= b; s += GRID_MS) starts.push(s);
    for (const p of req.plannedStarts)
      if (p >= a && p + req.durMs <= b && (p - a) % GRID_MS !== 0) starts.push(p);
  }
  starts.sort((x, y) => x - y);

  const day = ctx.dayOf(req.date);
  const dayRuns = ctx.runsOn(req.date);
  // A run more than a day away cannot be the neighbour that decides a gap under 6 h.
  const near = runsNear(ctx, first, last, DAY_MS);
  const a = ctx.input.athlete;
  const preferredDay = a.preferredWeekdays.includes(isoWeekday(req.date));
  const beforeLongRun = ctx.runsOn(addDays(req.date, 1)).some((r) => r.subtype === "long");
  const plannedDay = req.plannedStarts.length > 0;
  const dayIndex = isoWeekday(req.date) - 1;

  const out: Slot[] = [];
  for (const s of starts) {
    if (s < ctx.nowMs || firstBlocker(blockers, s)) continue;
    const e = s + req.durMs;
    let prevRun: ClassifiedRun | null = null;
    let nextRun: ClassifiedRun | null = null;
    for (const r of near) {
      if (r.endMs <= s && (!prevRun || r.endMs > prevRun.endMs)) prevRun = r;
      if (r.startMs >= e && !nextRun) nextRun = r;
    }
    const gap6 =
      (!prevRun || s - prevRun.endMs >= PREFERRED_RUN_GAP_MS) &&
      (!nextRun || nextRun.startMs - e >= PREFERRED_RUN_GAP_MS);
    const timing =
      dayRuns.length > 0 &&
      (a.strengthTiming === "before-run"
        ? dayRuns.every((r) => r.startMs >= e)
        : dayRuns.every((r) => r.endMs <= s));
    const minute = ctx.clock.minuteOfDay(s);
    const afternoon = a.strengthTiming === "after-run" && minute >= 12 * 60;
    const kept = req.plannedStarts.includes(s);
    const facts: SlotFacts = {
      prevRun,
      nextRun,
      gap6,
      timing,
      afternoon,
      preferredDay,
      beforeLongRun,
      plannedDay,
    };
    out.push({
      startMs: s,
      endMs: e,
      date: req.date,
      dayIndex,
      rest: day.kind === "rest",
      kept,
      points: pointsOf(facts),
      dist: Math.abs(minute - PREFERRED_MINUTE),
      facts,
    });
  }
  return out;
}

/**
 * Weights of the soft preferences. Stability outranks them all (see week search),
 * then a preferred day, the 6 h gap and timing; the day before the long run costs
 * as much as a preferred day gains.
 */
function pointsOf(f: SlotFacts): number {
  return (
    (f.gap6 ? 3 : 0) +
    (f.timing ? 2 : 0) +
    (f.afternoon ? 1 : 0) +
    (f.preferredDay ? 2 : 0) -
    (f.beforeLongRun ? 2 : 0) +
    (f.plannedDay ? 3 : 0)
  );
}

function betterSlot(x: Slot, y: Slot): boolean {
  return x.points !== y.points
    ? x.points > y.points
    : x.dist !== y.dist
      ? x.dist < y.dist
      : x.startMs < y.startMs;
}

/**
 * A few slots per day stand in for all of them in the week search: the best, the
 * earliest and latest best-scoring ones and the earliest and latest legal ones
 * (what R4 against the week's other sessions may need), and any kept slot.
 */
export function representatives(slots: readonly Slot[]): Slot[] {
  if (slots.length === 0) return [];
  let best = slots[0] as Slot;
  let maxPoints = -Infinity;
  for (const s of slots) {
    if (betterSlot(s, best)) best = s;
    maxPoints = Math.max(maxPoints, s.points);
  }
  const top = slots.filter((s) => s.points === maxPoints);
  const picks = new Set<Slot>([
    best,
    slots[0] as Slot,
    slots[slots.length - 1] as Slot,
    top[0] as Slot,
    top[top.length - 1] as Slot,
    ...slots.filter((s) => s.kept),
  ]);
  return [...picks].sort((x, y) => x.startMs - y.startMs);
}
