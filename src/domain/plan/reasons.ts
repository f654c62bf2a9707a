// The sentences a plan carries: why a session sits where it does, and why a week
// could not hold all its sessions. They name days, local times and runs, because
// the athlete reads them in an email and a push message.
import { addDays, eachDate, isoWeekday, type LocalDate } from "../time.ts";
import type { FixedStrength, PlanContext } from "./context.ts";
import type { SessionLetter } from "./input.ts";
import { NO_STRENGTH_DAYS_BEFORE_RACE, phaseOf } from "./phases.ts";
import {
  availableSpans,
  type Blocker,
  busyBlockers,
  busySpan,
  dateRule,
  firstBlocker,
  hhmm,
  runBlockers,
  spacingBlockers,
} from "./rules.ts";
import { learningEnds, type SessionContent } from "./sessions.ts";
import { GRID_MS, type Slot } from "./slots.ts";
import { dayTime, span, weekdayLong, weekdayShort } from "./wording.ts";

const DAY_MS = 86_400_000;

/** One week as the planner saw it. */
export interface WeekFacts {
  monday: LocalDate;
  quota: number;
  /** sessions still to place after the fixed ones */
  need: number;
  chosen: Slot[];
  fixed: FixedStrength[];
}

export function describePlacement(
  ctx: PlanContext,
  slot: Slot,
  week: WeekFacts,
  extra: {
    content: SessionContent;
    letter: SessionLetter;
    previous: SessionLetter | null;
    learningFrom: LocalDate | null;
  },
): string[] {
  const { clock } = ctx;
  const f = slot.facts;
  const a = ctx.input.athlete;
  const out: string[] = [slot.rest ? "rest day: no easy day fits this week" : "easy day"];
  const onDay = (date: LocalDate) => (date === slot.date ? "" : ` on ${weekdayShort(date)}`);
  if (f.prevRun && slot.startMs - f.prevRun.endMs < DAY_MS) {
    out.push(
      `${span(slot.startMs - f.prevRun.endMs)} after the ${f.prevRun.time} run${onDay(f.prevRun.date)} ends`,
    );
  }
  const nextQuality = ctx.runs.find((r) => r.kind === "quality" && r.startMs >= slot.endMs);
  if (f.nextRun && f.nextRun !== nextQuality && f.nextRun.startMs - slot.endMs < DAY_MS) {
    out.push(
      `${span(f.nextRun.startMs - slot.endMs)} before the ${f.nextRun.time} run${onDay(f.nextRun.date)}`,
    );
  }
  if (!f.gap6) out.push("under the 6 h optimum between run and strength (3 h is the minimum)");
  if (nextQuality && nextQuality.startMs - slot.endMs < 2 * DAY_MS) {
    out.push(
      `ends ${span(nextQuality.startMs - slot.endMs)} before the ${dayTime(nextQuality.startMs, clock)} quality run (at least ${span(ctx.qualityBufferMs)})`,
    );
  }
  if (f.timing)
    out.push(
      a.strengthTiming === "before-run" ? "before the day's run, as you prefer" : "after the day's run",
    );
  else if (f.afternoon) out.push("in the afternoon or evening");
  if (f.preferredDay) out.push("one of your preferred days");
  if (f.beforeLongRun) out.push("the day before the long run: no better day fits");
  if (slot.kept) out.push("kept where it was planned");

  const weekStarts = [...week.fixed.map((x) => x.startMs), ...week.chosen.map((x) => x.startMs)]
    .filter((ms) => ms < slot.startMs)
    .sort((x, y) => x - y);
  const before = weekStarts[weekStarts.length - 1];
  if (before !== undefined) {
    const date = clock.localDate(before);
    const days = Math.round(
      (Date.parse(`${slot.date}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / DAY_MS,
    );
    out.push(`${days} day${days === 1 ? "" : "s"} after ${weekdayLong(date)}'s session`);
  }
  if (extra.previous === null) out.push(`${extra.letter} starts the A/B alternation`);
  else if (extra.previous !== extra.letter)
    out.push(`${extra.letter} alternates with the previous ${extra.previous}`);
  else if (!slot.kept) out.push(`${extra.letter} again, after a kept ${extra.previous}`);

  out.push(`${extra.content.summary} (${week.quota} session${week.quota === 1 ? "" : "s"} this week)`);
  const done = week.fixed.filter((x) => x.origin === "done");
  if (done.length > 0) {
    out.push(
      `${done.length} already done this week (${done.map((x) => dayTime(x.startMs, clock)).join(", ")})`,
    );
  }
  if (extra.learningFrom !== null && extra.content.summary.startsWith("learning")) {
    out.push(`new to lifting: light loads until ${learningEnds(extra.learningFrom)}`);
  }
  return out;
}

/** Why a week holds fewer sessions than its phase asks: each day of the week and what ruled it out. */
export function describeShortfall(
  ctx: PlanContext,
  week: WeekFacts,
  allStartsMs: readonly number[],
  opts: { durMsFor: (date: LocalDate) => number },
): string {
  const { clock, input } = ctx;
  const phase = phaseOf(week.monday, input.athlete.raceDate ?? null);
  const outside: LocalDate[] = [];
  const past: LocalDate[] = [];
  const phrases: Array<{ date: LocalDate; text: string }> = [];
  const spacing = spacingBlockers(allStartsMs);
  for (const date of eachDate(week.monday, addDays(week.monday, 6))) {
    if (date < input.from || date > input.to) {
      outside.push(date);
      continue;
    }
    if (clock.instant(addDays(date, 1), 0) <= ctx.nowMs) {
      past.push(date);
      continue;
    }
    const here = [...week.fixed, ...week.chosen].find((s) => clock.localDate(s.startMs) === date);
    if (here) {
      phrases.push({ date, text: `has a session at ${clock.localTime(here.startMs)}` });
      continue;
    }
    const rule = dateRule(ctx, date);
    if (rule) {
      phrases.push({ date, text: shortDateReason(ctx, date, rule) });
      continue;
    }
    phrases.push({ date, text: slotsReason(ctx, date, opts.durMsFor(date), spacing) });
  }
  const parts: string[] = [];
  if (past.length > 0) parts.push(`${dayRange(past)} already past`);
  if (outside.length > 0) parts.push(`${dayRange(outside)} outside the plan (${input.from} to ${input.to})`);
  // Consecutive days ruled out the same way read as one: "Wed-Sun not available".
  for (let i = 0; i < phrases.length; ) {
    const first = phrases[i] as { date: LocalDate; text: string };
    let j = i + 1;
    while (j < phrases.length && (phrases[j] as { text: string }).text === first.text) j++;
    const run = phrases.slice(i, j).map((p) => p.date);
    parts.push(`${dayRange(run)} ${first.text}`);
    i = j;
  }
  const done = week.fixed.length > 0 ? `, ${week.fixed.length} already done or planned` : "";
  return `no slot left this week that keeps every rule (the ${phase} phase asks for ${week.quota}${done}): ${parts.join("; ")}`;
}

function shortDateReason(ctx: PlanContext, date: LocalDate, rule: string): string {
  if (rule === "R1") {
    const q = ctx.runsOn(date).find((r) => r.kind === "quality");
    return q ? `quality ("${q.title}" at ${q.time})` : "quality";
  }
  if (rule === "R5") return ctx.blackouts.has(date) ? "blackout" : "not available";
  return `within ${NO_STRENGTH_DAYS_BEFORE_RACE} days of the race`;
}

/** What blocks every candidate slot of an otherwise usable day, named run by run. */
function slotsReason(ctx: PlanContext, date: LocalDate, durMs: number, spacing: readonly Blocker[]): string {
  const spans = availableSpans(ctx, date);
  const windows = (ctx.windows[isoWeekday(date)] ?? []).map(([f, t]) => `${hhmm(f)}-${hhmm(t)}`).join(", ");
  const clear = new Set<string>();
  const buffer = new Set<string>();
  const spaced = new Set<string>();
  const busy = new Set<string>();
  let tooLate = false;
  let fits = false;
  for (const [a, b] of spans) {
    const blockers = [...runBlockers(ctx, a, b, durMs), ...spacing, ...busyBlockers(ctx, a, b, durMs)];
    for (let s = a; s + durMs <= b; s += GRID_MS) {
      fits = true;
      if (s < ctx.nowMs) {
        tooLate = true;
        continue;
      }
      const blocker = firstBlocker(blockers, s);
      if (!blocker) continue;
      if (blocker.rule === "R3" && blocker.run) clear.add(blocker.run.time);
      if (blocker.rule === "R2" && blocker.run) buffer.add(dayTime(blocker.run.startMs, ctx.clock));
      if (blocker.rule === "R4" && blocker.sessionStartMs !== undefined) {
        spaced.add(dayTime(blocker.sessionStartMs, ctx.clock));
      }
      if (blocker.rule === "R5" && blocker.busy) busy.add(busySpan(ctx, blocker.busy));
    }
  }
  if (!fits) return `has no ${span(durMs)} inside your availability (${windows})`;
  const needs: string[] = [];
  if (clear.size > 0)
    needs.push(`3 h clear of the run${clear.size > 1 ? "s" : ""} at ${[...clear].join(" and ")}`);
  if (buffer.size > 0) {
    needs.push(`${span(ctx.qualityBufferMs)} before the quality run on ${[...buffer].join(" and ")}`);
  }
  if (spaced.size > 0)
    needs.push(`48 h from the session${spaced.size > 1 ? "s" : ""} on ${[...spaced].join(" and ")}`);
  if (busy.size > 0)
    needs.push(`clear of your busy time${busy.size > 1 ? "s" : ""} ${[...busy].join(" and ")}`);
  if (tooLate) needs.push("after now");
  return `has no ${span(durMs)} in ${windows} that is ${needs.join(" and ")}`;
}

function dayRange(dates: readonly LocalDate[]): string {
  const first = dates[0] as LocalDate;
  const last = dates[dates.length - 1] as LocalDate;
  return first === last ? weekdayShort(first) : `${weekdayShort(first)}-${weekdayShort(last)}`;
}
