// The hard rules R1-R6 of DESIGN.md as checks on one session time. The run and
// spacing rules are expressed as "blockers": spans of start times a run or another
// session forbids. The planner sweeps its candidate grid against the same
// blockers that checkSession reports, so what the planner places and what the API
// accepts from an athlete's manual move are judged by one piece of code.
import type { RunKind } from "../classify/types.ts";
import type { LocalDate } from "../time.ts";
import { busyNear, type ClassifiedRun, type PlanContext, runsNear } from "./context.ts";
import { NO_STRENGTH_DAYS_BEFORE_RACE, phaseOf, sessionsForWeek } from "./phases.ts";
import { dayTime, span, weekdayLong, weekdayShort } from "./wording.ts";

const HOUR_MS = 3_600_000;
/** R3: the evidence's "3 hours is the practical minimum" between a run and a session. */
export const MIN_RUN_GAP_MS = 3 * HOUR_MS;
/** Robineau et al. (2016) via the evidence: 6 h between sessions optimises both. */
export const PREFERRED_RUN_GAP_MS = 6 * HOUR_MS;
/** R4 */
export const MIN_SESSION_SPACING_MS = 48 * HOUR_MS;

export type RuleId = "R1" | "R2" | "R3" | "R4" | "R5" | "R6";

export interface Violation {
  rule: RuleId;
  /** a sentence for the athlete: "R3: starts 1 h 30 min after the 07:00 run "Easy run" ends (3 h minimum)" */
  message: string;
  /** the run the session collides with (R1-R3) */
  run?: { start: string; title: string; kind: RunKind };
  /** the strength session it comes too close to (R4) */
  session?: { start: string };
}

/** Session start times a run or another session forbids: every start s with lo < s < hi. */
export interface Blocker {
  lo: number;
  hi: number;
  rule: "R2" | "R3" | "R4" | "R5";
  run?: ClassifiedRun;
  sessionStartMs?: number;
  /** the athlete's busy time it keeps a session out of (R5) */
  busy?: [number, number];
}

/** R2 and R3 blockers for a session lasting `durMs` that starts between fromMs and toMs. */
export function runBlockers(ctx: PlanContext, fromMs: number, toMs: number, durMs: number): Blocker[] {
  const out: Blocker[] = [];
  const margin = Math.max(MIN_RUN_GAP_MS, ctx.qualityBufferMs) + durMs;
  for (const r of runsNear(ctx, fromMs, toMs, margin)) {
    out.push({ lo: r.startMs - MIN_RUN_GAP_MS - durMs, hi: r.endMs + MIN_RUN_GAP_MS, rule: "R3", run: r });
    // The session must end qualityBuffer before the quality run starts, whenever the run starts after the session does.
    if (r.kind === "quality")
      out.push({ lo: r.startMs - ctx.qualityBufferMs - durMs, hi: r.startMs + 1, rule: "R2", run: r });
  }
  return out;
}

/**
 * R5 blockers from the athlete's busy times: a session lasting `durMs` that starts
 * between fromMs and toMs may not overlap one (it may end as one starts, or start
 * as one ends). Busy times belong with availability: the athlete is not free then.
 */
export function busyBlockers(ctx: PlanContext, fromMs: number, toMs: number, durMs: number): Blocker[] {
  if (ctx.busy.length === 0) return [];
  return busyNear(ctx, fromMs, toMs + durMs).map((b) => ({
    lo: b[0] - durMs,
    hi: b[1],
    rule: "R5" as const,
    busy: b,
  }));
}

/** "Wed 17:00-20:00"; "Wed 22:00-Thu 06:00" across midnight; "2026-12-07 00:00 to 2026-12-14 00:00" for a day or more */
export function busySpan(ctx: PlanContext, b: readonly [number, number]): string {
  const { clock } = ctx;
  if (b[1] - b[0] >= 24 * HOUR_MS) {
    return `${clock.localDate(b[0])} ${clock.localTime(b[0])} to ${clock.localDate(b[1])} ${clock.localTime(b[1])}`;
  }
  const sameDay = clock.localDate(b[0]) === clock.localDate(b[1] - 1);
  return `${dayTime(b[0], clock)}-${sameDay ? clock.localTime(b[1]) : dayTime(b[1], clock)}`;
}

/** R4 blockers around sessions starting at `startsMs`. */
export function spacingBlockers(startsMs: readonly number[]): Blocker[] {
  return startsMs.map((s) => ({
    lo: s - MIN_SESSION_SPACING_MS,
    hi: s + MIN_SESSION_SPACING_MS,
    rule: "R4" as const,
    sessionStartMs: s,
  }));
}

export function firstBlocker(blockers: readonly Blocker[], startMs: number): Blocker | undefined {
  for (const b of blockers) if (b.lo < startMs && startMs < b.hi) return b;
  return undefined;
}

/** The instant spans of `date` the athlete is available in (R5), empty on a blackout date. */
export function availableSpans(ctx: PlanContext, date: LocalDate): Array<[number, number]> {
  if (ctx.blackouts.has(date)) return [];
  const ws = ctx.windows[ctx.calendar(date).weekday] ?? [];
  return ws.map(([from, to]) => [ctx.clock.instant(date, from), ctx.clock.instant(date, to)]);
}

/** The first rule that keeps every session off `date` (dateViolations without the sentences), or null. */
export function dateRule(ctx: PlanContext, date: LocalDate): RuleId | null {
  const cal = ctx.calendar(date);
  if (ctx.dayOf(date).kind === "quality") return "R1";
  if (ctx.blackouts.has(date) || (ctx.windows[cal.weekday] ?? []).length === 0) return "R5";
  return cal.preRace ? "R6" : null;
}

/** Why no session may go on `date` at all: R1 quality day, R5 blackout or no window, R6 pre-race days. */
export function dateViolations(ctx: PlanContext, date: LocalDate): Violation[] {
  const out: Violation[] = [];
  const day = ctx.dayOf(date);
  if (day.kind === "quality") {
    const q = ctx.runsOn(date).find((r) => r.kind === "quality");
    out.push({
      rule: "R1",
      message: `R1: ${weekdayLong(date)} is a quality day${q ? ` (${describeRun(q)})` : ""}; strength goes on easy days`,
      ...(q ? { run: runRef(ctx, q) } : {}),
    });
  }
  if (ctx.blackouts.has(date)) out.push({ rule: "R5", message: `R5: ${date} is one of your blackout dates` });
  else if ((ctx.windows[ctx.calendar(date).weekday] ?? []).length === 0) {
    out.push({ rule: "R5", message: `R5: you are not available on ${weekdayLong(date)}s` });
  }
  const race = ctx.input.athlete.raceDate ?? null;
  if (ctx.calendar(date).preRace) {
    out.push({
      rule: "R6",
      message: `R6: ${date} is within ${NO_STRENGTH_DAYS_BEFORE_RACE} days of your race on ${race}; no strength then`,
    });
  }
  return out;
}

export interface SessionTimes {
  /** ISO 8601 with offset */
  start: string;
  end: string;
}

/**
 * Every hard rule a session at `candidate` breaks, each naming the rule and the run
 * or session it collides with; empty when the time is legal. `otherSessions` are
 * the plan's other sessions (without the one being moved); the athlete's logged
 * strength in the context counts too. With them, R6 also checks the week's quota.
 */
export function checkSession(
  candidate: SessionTimes,
  ctx: PlanContext,
  otherSessions: ReadonlyArray<{ start: string }> = [],
): Violation[] {
  const others = [
    ...otherSessions.map((s) => Date.parse(s.start)),
    ...ctx.strengthDone.map((s) => s.startMs),
  ];
  return sessionViolations(ctx, Date.parse(candidate.start), Date.parse(candidate.end), others);
}

/**
 * checkSession on instants. `others` null leaves out the rules about other
 * sessions (R4 and the week's count in R6): for judging a session on its own.
 */
export function sessionViolations(
  ctx: PlanContext,
  startMs: number,
  endMs: number,
  others: readonly number[] | null,
): Violation[] {
  const durMs = endMs - startMs;
  const date = ctx.clock.localDate(startMs);
  const out = dateViolations(ctx, date);

  // R2, first half: never before a quality run on the same day (R1 already refuses the day; name the run too).
  const sameDayQuality = ctx.runsOn(date).filter((r) => r.kind === "quality" && r.startMs >= startMs);
  for (const r of sameDayQuality) {
    out.push({
      rule: "R2",
      message: `R2: comes before the ${describeRun(r)} on the same day`,
      run: runRef(ctx, r),
    });
  }
  for (const b of runBlockers(ctx, startMs, startMs, durMs)) {
    if (!(b.lo < startMs && startMs < b.hi) || !b.run) continue;
    const r = b.run;
    if (b.rule === "R2") {
      if (sameDayQuality.includes(r)) continue;
      out.push({
        rule: "R2",
        message: `R2: ends ${span(r.startMs - endMs)} before the ${dayTime(r.startMs, ctx.clock)} ${describeRun(r)} (needs ${span(ctx.qualityBufferMs)})`,
        run: runRef(ctx, r),
      });
    } else {
      out.push({ rule: "R3", message: `R3: ${describeGap(ctx, startMs, endMs, r)}`, run: runRef(ctx, r) });
    }
  }

  if (!ctx.blackouts.has(date) && !fitsAvailability(ctx, date, startMs, endMs)) {
    const ws = ctx.windows[ctx.calendar(date).weekday] ?? [];
    if (ws.length > 0) {
      out.push({
        rule: "R5",
        message: `R5: ${weekdayShort(date)} ${ctx.clock.localTime(startMs)}-${ctx.clock.localTime(endMs)} is outside your availability (${ws.map(([f, t]) => `${hhmm(f)}-${hhmm(t)}`).join(", ")})`,
      });
    }
  }

  for (const b of busyNear(ctx, startMs, endMs)) {
    out.push({ rule: "R5", message: `R5: you are busy ${busySpan(ctx, b)}` });
  }

  if (others === null) return out;
  for (const b of spacingBlockers(others)) {
    if (b.lo < startMs && startMs < b.hi && b.sessionStartMs !== undefined) {
      out.push({
        rule: "R4",
        message: `R4: starts ${span(startMs - b.sessionStartMs)} ${startMs >= b.sessionStartMs ? "after" : "before"} the strength session on ${dayTime(b.sessionStartMs, ctx.clock)} (48 h minimum)`,
        session: { start: ctx.clock.iso(b.sessionStartMs) },
      });
    }
  }

  if (others.length > 0) {
    const monday = ctx.calendar(date).monday;
    const race = ctx.input.athlete.raceDate ?? null;
    const quota = sessionsForWeek(monday, race, ctx.input.athlete.sessionsPerWeek);
    const inWeek = others.filter((ms) => ctx.calendar(ctx.clock.localDate(ms)).monday === monday).length;
    if (inWeek >= quota) {
      out.push({
        rule: "R6",
        message:
          quota === 0
            ? `R6: the week of ${monday} holds no strength (${phaseOf(monday, race)}, race week)`
            : `R6: the week of ${monday} already has its ${quota} session${quota === 1 ? "" : "s"} (${phaseOf(monday, race)} phase)`,
      });
    }
  }
  return out;
}

export function fitsAvailability(ctx: PlanContext, date: LocalDate, startMs: number, endMs: number): boolean {
  return availableSpans(ctx, date).some(([a, b]) => a <= startMs && endMs <= b);
}

/** "quality run "6x800m" at 18:00" */
export function describeRun(r: ClassifiedRun): string {
  return `${r.kind} run "${r.title}" at ${r.time}`;
}

function describeGap(ctx: PlanContext, startMs: number, endMs: number, r: ClassifiedRun): string {
  if (r.endMs <= startMs) {
    return `starts ${span(startMs - r.endMs)} after the ${describeRun(r)} ends (${weekdayShort(r.date)}; 3 h minimum)`;
  }
  if (endMs <= r.startMs) {
    return `ends ${span(r.startMs - endMs)} before the ${describeRun(r)} (${weekdayShort(r.date)}; 3 h minimum)`;
  }
  return `overlaps the ${describeRun(r)} (${weekdayShort(r.date)}, until ${ctx.clock.localTime(r.endMs)})`;
}

function runRef(ctx: PlanContext, r: ClassifiedRun): { start: string; title: string; kind: RunKind } {
  return { start: ctx.clock.iso(r.startMs), title: r.title, kind: r.kind };
}

export const hhmm = (minuteOfDay: number): string =>
  `${String(Math.floor(minuteOfDay / 60)).padStart(2, "0")}:${String(minuteOfDay % 60).padStart(2, "0")}`;
