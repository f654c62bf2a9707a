// planStrength: the `runstrong plan` engine. Days are classified in the athlete's
// zone; sessions are placed week by week (Monday-Sunday, in order, so each week
// sees the sessions of the weeks before it for R4). What already happened or lies
// outside the range is fixed: logged strength (which completes the nearest planned
// session of its week less than 48 h away), planned sessions before `now` (the
// past is reported, not re-planned) and planned sessions outside from..to. Fixed
// sessions count toward their week's quota and R4 spacing.
import type { LocalDate } from "../time.ts";
import { type FixedStrength, type PlanContext, planContextOf } from "./context.ts";
import { matchSessions } from "./diff.ts";
import type {
  PlanInput,
  PlannedDay,
  PlannedSession,
  PlanOutput,
  SessionLetter,
  UnplacedSession,
} from "./input.ts";
import { applyLoads } from "./loads.ts";
import { sessionsForWeek } from "./phases.ts";
import { describePlacement, describeShortfall, type WeekFacts } from "./reasons.ts";
import { dateRule, MIN_SESSION_SPACING_MS, sessionViolations, spacingBlockers } from "./rules.ts";
import { prescriptionFor, sessionContent, sessionMinutes } from "./sessions.ts";
import { daySlots, type Slot } from "./slots.ts";
import { chooseWeek } from "./week-search.ts";

const DAY_MS = 86_400_000;
/** The rules a run can break: what new data may reveal about a session already past. */
const RUN_RULES = new Set(["R1", "R2", "R3"]);
/** A current-plan session given without `end` is taken to last this long. */
const DEFAULT_SESSION_MS = 45 * 60_000;

interface MovablePlan {
  startMs: number;
  date: LocalDate;
  letter: SessionLetter;
  key?: string;
}

export function planStrength(input: PlanInput): PlanOutput {
  return planWithContext(planContextOf(input));
}

/**
 * planStrength on a prepared context, for callers that also check or diff against
 * it. In phases: the days' verdicts; the current plan split into fixed and movable;
 * each week's sessions chosen; letters alternated along time; sessions written with
 * their content, reasons and loads; the weeks that fell short; keys carried over.
 */
export function planWithContext(ctx: PlanContext): PlanOutput {
  const dates = datesOf(ctx);
  const days: PlannedDay[] = dates.map((date) => {
    const d = ctx.dayOf(date);
    return { date, kind: d.kind, reasons: d.reasons };
  });
  const { fixed, movable } = splitCurrentPlan(ctx);
  const content = contentOf(ctx);
  const weeks = placeWeeks(ctx, dates, fixed, movable, content);
  const placed = weeks.flatMap((w) => w.chosen);
  const letters = alternateLetters(fixed, placed, movable);
  const sessions = writeSessions(ctx, fixed, weeks, letters, content);
  applyLoads(ctx, sessions, content.learningFrom);
  const unplaced = shortfalls(ctx, weeks, [...fixed.map((f) => f.startMs), ...placed.map((p) => p.startMs)], {
    letters,
    content,
  });
  carryKeys(ctx, sessions, new Set(fixed.map((f) => f.key)));
  return { days, sessions, unplaced };
}

/** Every date of the plan, from..to. */
function datesOf(ctx: PlanContext): LocalDate[] {
  const dates: LocalDate[] = [];
  for (let d = ctx.input.from; d <= ctx.input.to; d = ctx.calendar(d).next) dates.push(d);
  return dates;
}

interface SessionContent {
  /** where a new athlete's learning weeks start; null for a trained one */
  learningFrom: LocalDate | null;
  contentFor: (date: LocalDate, letter: SessionLetter) => ReturnType<typeof sessionContent>;
  durMsOn: (date: LocalDate) => number;
}

/** What a session on a date holds and how long it lasts: its phase's prescription, or the learning weeks'. */
function contentOf(ctx: PlanContext): SessionContent {
  const a = ctx.input.athlete;
  // A new athlete's learning weeks run from liftingSince; without it, from their first logged session or the plan.
  const firstDone = ctx.strengthDone[0];
  const learningFrom =
    a.strengthExperience === "new"
      ? (a.liftingSince ?? (firstDone ? ctx.clock.localDate(firstDone.startMs) : ctx.input.from))
      : null;
  const prescriptionOn = (date: LocalDate) => prescriptionFor(ctx.calendar(date).phase, date, learningFrom);
  return {
    learningFrom,
    contentFor: (date, letter) => sessionContent(letter, prescriptionOn(date)),
    durMsOn: (date) => sessionMinutes(prescriptionOn(date)) * 60_000,
  };
}

/**
 * Each week not wholly past, in order, gets its quota less its fixed sessions,
 * chosen among the slots its days allow, spaced from the fixed sessions and from
 * those already chosen in the weeks before (R4).
 */
function placeWeeks(
  ctx: PlanContext,
  dates: readonly LocalDate[],
  fixed: readonly FixedStrength[],
  movable: readonly MovablePlan[],
  content: SessionContent,
): WeekFacts[] {
  const race = ctx.input.athlete.raceDate ?? null;
  const placed: Slot[] = [];
  const weeks: WeekFacts[] = [];
  const byWeek = new Map<LocalDate, LocalDate[]>();
  for (const d of dates) {
    const monday = ctx.calendar(d).monday;
    const list = byWeek.get(monday);
    if (list) list.push(d);
    else byWeek.set(monday, [d]);
  }
  for (const [monday, weekDates] of byWeek) {
    const lastDate = weekDates[weekDates.length - 1] as LocalDate;
    // A week wholly before `now` is history: nothing to place, nothing to report missing.
    if (ctx.calendar(lastDate).endMs <= ctx.nowMs) continue;
    const quota = sessionsForWeek(monday, race, ctx.input.athlete.sessionsPerWeek);
    const weekFixed = fixed.filter((f) => f.week === monday);
    const need = quota - weekFixed.length;
    if (need <= 0) continue;

    const lo = ctx.calendar(monday).startMs - 3 * DAY_MS;
    const hi = lo + 13 * DAY_MS;
    const spacing = spacingBlockers(
      [...fixed.map((f) => f.startMs), ...placed.map((p) => p.startMs)].filter((ms) => ms > lo && ms < hi),
    );
    const reps: Slot[] = [];
    for (const date of weekDates) {
      if (dateRule(ctx, date) !== null) continue;
      const durMs = content.durMsOn(date);
      const plannedStarts = movable.filter((m) => m.date === date).map((m) => m.startMs);
      reps.push(...daySlots(ctx, { date, durMs, plannedStarts, spacing }));
    }
    reps.sort((x, y) => x.startMs - y.startMs);
    const chosen = chooseWeek(
      reps,
      need,
      weekFixed.map((f) => ctx.calendar(f.date).weekday - 1),
    );
    placed.push(...chosen);
    weeks.push({ monday, quota, need, chosen, fixed: weekFixed });
  }
  return weeks;
}

interface Letters {
  letterAt: Map<number, SessionLetter>;
  /** the letter of the last session of the chain that starts before `ms` */
  lastLetterBefore: (ms: number) => SessionLetter | null;
}

/** A/B alternation in time order across everything; a session already in the calendar keeps its letter. */
function alternateLetters(
  fixed: readonly FixedStrength[],
  placed: readonly Slot[],
  movable: readonly MovablePlan[],
): Letters {
  const movableAt = new Map(movable.map((m) => [m.startMs, m]));
  const timeline = [
    ...fixed.map((f) => ({ startMs: f.startMs, own: f.letter })),
    ...placed.map((p) => ({
      startMs: p.startMs,
      own: p.kept ? (movableAt.get(p.startMs)?.letter ?? null) : null,
    })),
  ].sort((x, y) => x.startMs - y.startMs);
  const letterAt = new Map<number, SessionLetter>();
  // Logged strength of unknown letter (it completed no planned session) stays out of the chain.
  const unknownDone = new Set(
    fixed.filter((f) => f.origin === "done" && f.letter === null).map((f) => f.startMs),
  );
  const chainStarts: number[] = [];
  const chainLetters: SessionLetter[] = [];
  let prev: SessionLetter | null = null;
  for (const t of timeline) {
    if (unknownDone.has(t.startMs)) continue;
    const letter: SessionLetter = t.own ?? (prev === "A" ? "B" : "A");
    letterAt.set(t.startMs, letter);
    chainStarts.push(t.startMs);
    chainLetters.push(letter);
    prev = letter;
  }
  const lastLetterBefore = (ms: number): SessionLetter | null => {
    let lo = 0;
    let hi = chainStarts.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((chainStarts[mid] as number) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? (chainLetters[lo - 1] as SessionLetter) : null;
  };
  return { letterAt, lastLetterBefore };
}

/** The sessions in time order: past ones kept as planned, then each week's chosen slots with their reasons. */
function writeSessions(
  ctx: PlanContext,
  fixed: readonly FixedStrength[],
  weeks: readonly WeekFacts[],
  { letterAt, lastLetterBefore }: Letters,
  { contentFor, learningFrom }: SessionContent,
): PlannedSession[] {
  const { clock } = ctx;
  const sessions: PlannedSession[] = [];
  for (const f of fixed) {
    if (f.origin !== "past") continue;
    const letter = letterAt.get(f.startMs) ?? "A";
    const c = contentFor(f.date, letter);
    sessions.push({
      start: clock.iso(f.startMs),
      end: clock.iso(f.endMs),
      session: letter,
      phase: ctx.calendar(f.date).phase,
      exercises: c.exercises,
      reasons: ["already under way or past: kept as planned", c.summary],
      ...(f.key !== undefined ? { key: f.key } : {}),
    });
  }
  for (const w of weeks) {
    for (const slot of w.chosen) {
      const letter = letterAt.get(slot.startMs) ?? "A";
      const c = contentFor(slot.date, letter);
      sessions.push({
        start: clock.iso(slot.startMs),
        end: clock.iso(slot.startMs + c.durationMin * 60_000),
        session: letter,
        phase: ctx.calendar(w.monday).phase,
        exercises: c.exercises,
        reasons: describePlacement(ctx, slot, w, {
          content: c,
          letter,
          previous: lastLetterBefore(slot.startMs),
          learningFrom,
        }),
      });
    }
  }
  sessions.sort((x, y) => Date.parse(x.start) - Date.parse(y.start));
  return sessions;
}

/** The sessions each week could not hold, lettered on from the week's last, with the week's reason. */
function shortfalls(
  ctx: PlanContext,
  weeks: readonly WeekFacts[],
  taken: readonly number[],
  { letters, content }: { letters: Letters; content: SessionContent },
): UnplacedSession[] {
  const unplaced: UnplacedSession[] = [];
  for (const w of weeks) {
    const missing = w.need - w.chosen.length;
    if (missing <= 0) continue;
    const reason = describeShortfall(ctx, w, taken, { durMsFor: content.durMsOn });
    let letter = letters.lastLetterBefore(ctx.calendar(w.monday).startMs + 7 * DAY_MS);
    for (let i = 0; i < missing; i++) {
      letter = letter === "A" ? "B" : "A";
      unplaced.push({ week: w.monday, session: letter, reason });
    }
  }
  return unplaced;
}

/**
 * Sorts the current plan into what the week search works around (fixed) and what
 * it may keep or move (movable), after logged strength has completed the nearest
 * planned session of its week.
 */
function splitCurrentPlan(ctx: PlanContext): { fixed: FixedStrength[]; movable: MovablePlan[] } {
  const { input, clock } = ctx;
  const weekOf = (ms: number): LocalDate => ctx.calendar(clock.localDate(ms)).monday;
  const seen = new Set<number>();
  const planned = input.currentPlan
    .map((p) => {
      const startMs = Date.parse(p.start);
      return {
        startMs,
        endMs: p.end ? Date.parse(p.end) : Number.NaN,
        date: clock.localDate(startMs),
        week: weekOf(startMs),
        letter: p.session,
        key: p.key,
        completed: false,
      };
    })
    .filter((p) => !seen.has(p.startMs) && seen.add(p.startMs))
    .sort((x, y) => x.startMs - y.startMs);

  const fixed: FixedStrength[] = [];
  for (const d of ctx.strengthDone) {
    const week = weekOf(d.startMs);
    let match: (typeof planned)[number] | undefined;
    for (const p of planned) {
      // Only a planned session that could not coexist with the logged one (R4) is one it stood in for; a plan
      // made after the log already kept 48 h from it, so re-planning does not eat its own sessions.
      const apart = Math.abs(p.startMs - d.startMs);
      if (p.completed || p.week !== week || apart >= MIN_SESSION_SPACING_MS) continue;
      if (!match || apart < Math.abs(match.startMs - d.startMs)) match = p;
    }
    if (match) match.completed = true;
    fixed.push({
      startMs: d.startMs,
      endMs: d.endMs,
      date: clock.localDate(d.startMs),
      week,
      letter: d.session ?? match?.letter ?? null,
      origin: "done",
      ...(match?.key !== undefined ? { key: match.key } : {}),
    });
  }

  const movable: MovablePlan[] = [];
  for (const p of planned) {
    if (p.completed) continue;
    const inRange = p.date >= input.from && p.date <= input.to;
    const key = p.key !== undefined ? { key: p.key } : {};
    if (!inRange) {
      const endMs = Number.isNaN(p.endMs) ? p.startMs + DEFAULT_SESSION_MS : p.endMs;
      fixed.push({
        startMs: p.startMs,
        endMs,
        date: p.date,
        week: p.week,
        letter: p.letter,
        origin: "outside",
        ...key,
      });
    } else if (p.startMs < ctx.nowMs) {
      const endMs = Number.isNaN(p.endMs) ? p.startMs + DEFAULT_SESSION_MS : p.endMs;
      // History is not re-planned, but a past session that a run since logged shows broke R1-R3 (the day
      // turned out quality, a run went right next to it) is dropped, not defended. Settings changed since
      // (availability, blackouts, race date) do not rewrite it.
      const broken = sessionViolations(ctx, p.startMs, endMs, null).some((v) => RUN_RULES.has(v.rule));
      if (!broken) {
        fixed.push({
          startMs: p.startMs,
          endMs,
          date: p.date,
          week: p.week,
          letter: p.letter,
          origin: "past",
          ...key,
        });
      }
    } else {
      movable.push({ startMs: p.startMs, date: p.date, letter: p.letter, ...key });
    }
  }
  fixed.sort((x, y) => x.startMs - y.startMs);
  return { fixed, movable };
}

/**
 * Gives each new session the key of the current-plan session it continues (see
 * diff.ts for the matching). Keys held by fixed sessions (past, outside the range,
 * completed by logged strength) stay with them.
 */
function carryKeys(
  ctx: PlanContext,
  sessions: PlannedSession[],
  heldKeys: ReadonlySet<string | undefined>,
): void {
  const keyed = ctx.input.currentPlan.filter((p) => p.key !== undefined && !heldKeys.has(p.key));
  if (keyed.length === 0) return;
  const fresh = sessions.filter((s) => s.key === undefined);
  for (const [o, n] of matchSessions(keyed, fresh, ctx.clock)) {
    const key = keyed[o]?.key;
    const target = fresh[n];
    if (key !== undefined && target && !sessions.some((s) => s.key === key)) target.key = key;
  }
}
