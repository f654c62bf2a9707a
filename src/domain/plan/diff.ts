// What changed between two plans, in sentences the athlete gets by email and push.
//
// Identity: a session in the new plan continues one in the old plan when, in this
// order, (1) both carry the same `key` (the caller's id, e.g. the iCalendar UID),
// (2) they start at the same instant, (3) they fall in the same Monday-Sunday week
// with the same letter, nearest start first, (4) they fall in the same week,
// nearest start first. Anything left over was removed or added. Matching within
// the week follows R6: the week owns its sessions, so a session never "moves"
// into another week; it is removed there and added here.
import { formatWeight, type Units } from "../strength/loadable.ts";
import { type LocalDate, mondayOf } from "../time.ts";
import type { PlanContext } from "./context.ts";
import type { Exercise, Phase, SessionLetter } from "./input.ts";
import { phaseOf, sessionsForWeek } from "./phases.ts";
import { type RuleId, sessionViolations, type Violation } from "./rules.ts";
import { dayTime, weekdayLong } from "./wording.ts";
import type { ZoneClock } from "./zone-clock.ts";

export interface SessionRef {
  start: string;
  session: SessionLetter;
  end?: string;
  key?: string;
  phase?: Phase;
  exercises?: Exercise[];
  reasons?: string[];
}

export type ChangeType = "added" | "moved" | "removed" | "changed";

export interface PlanChange {
  type: ChangeType;
  /** the letter after the change (before it, for a removal) */
  session: SessionLetter;
  /** the Monday of the week the session belongs to */
  week: LocalDate;
  before?: { start: string; session: SessionLetter };
  after?: { start: string; end?: string; session: SessionLetter };
  /** the hard rule that forced a move or removal, when one did */
  rule?: RuleId;
  key?: string;
  /** "Strength A moved from Wed 18:00 to Thu 18:00: Wednesday's 07:00 run "Tempo 3x10 min" is a quality session" */
  sentence: string;
}

/** Pairs [oldIndex, newIndex] of sessions that are the same session across two plans (see the top of this file). */
export function matchSessions(
  old: readonly SessionRef[],
  next: readonly SessionRef[],
  clock: ZoneClock,
): Array<[number, number]> {
  const o = old.map((s) => ({ ms: Date.parse(s.start), s }));
  const n = next.map((s) => ({ ms: Date.parse(s.start), s }));
  const week = (ms: number) => mondayOf(clock.localDate(ms));
  const oWeek = o.map((x) => week(x.ms));
  const nWeek = n.map((x) => week(x.ms));
  const usedO = new Set<number>();
  const usedN = new Set<number>();
  const pairs: Array<[number, number]> = [];
  const take = (i: number, j: number) => {
    usedO.add(i);
    usedN.add(j);
    pairs.push([i, j]);
  };

  o.forEach((x, i) => {
    if (x.s.key === undefined) return;
    const j = n.findIndex((y, jj) => !usedN.has(jj) && y.s.key === x.s.key);
    if (j >= 0) take(i, j);
  });
  o.forEach((x, i) => {
    if (usedO.has(i)) return;
    const j = n.findIndex((y, jj) => !usedN.has(jj) && y.ms === x.ms);
    if (j >= 0) take(i, j);
  });
  for (const sameLetter of [true, false]) {
    const candidates: Array<[number, number, number]> = [];
    o.forEach((x, i) => {
      if (usedO.has(i)) return;
      n.forEach((y, j) => {
        if (usedN.has(j) || oWeek[i] !== nWeek[j]) return;
        if (sameLetter && x.s.session !== y.s.session) return;
        candidates.push([Math.abs(x.ms - y.ms), i, j]);
      });
    });
    candidates.sort((p, q) => p[0] - q[0] || p[1] - q[1] || p[2] - q[2]);
    for (const [, i, j] of candidates) if (!usedO.has(i) && !usedN.has(j)) take(i, j);
  }
  return pairs.sort((p, q) => p[1] - q[1]);
}

/**
 * The changes from `oldSessions` to `newSessions`, in time order, each with a
 * sentence. `ctx` is the context the new plan was made in: an old slot is judged
 * against it to name the rule and the run that forced a move.
 */
export function diffPlans(
  oldSessions: readonly SessionRef[],
  newSessions: readonly SessionRef[],
  ctx: PlanContext,
): PlanChange[] {
  const pairs = matchSessions(oldSessions, newSessions, ctx.clock);
  const matchedO = new Set(pairs.map((p) => p[0]));
  const matchedN = new Set(pairs.map((p) => p[1]));
  const whyNot = refusalOf(ctx, newSessions);
  const changes: TimedChange[] = [
    ...pairs.flatMap(([i, j]) => {
      const change = pairedChange(ctx, oldSessions[i] as SessionRef, newSessions[j] as SessionRef, j, whyNot);
      return change ? [change] : [];
    }),
    ...oldSessions.flatMap((old, i) => (matchedO.has(i) ? [] : [removal(ctx, old, whyNot)])),
    ...newSessions.flatMap((s, j) => (matchedN.has(j) ? [] : [addition(ctx, s)])),
  ];
  return changes
    .sort((x, y) => x.at - y.at || x.type.localeCompare(y.type))
    .map(({ at: _at, ...change }) => change);
}

/** A change with the instant it is told in order of. */
type TimedChange = PlanChange & { at: number };

/** Why an old slot could not stay: the first rule it breaks among the new sessions (but `exceptNew`). */
type Refusal = (old: SessionRef, exceptNew: number | null) => Violation | undefined;

function refusalOf(ctx: PlanContext, newSessions: readonly SessionRef[]): Refusal {
  const newStarts = newSessions.map((s) => Date.parse(s.start));
  return (old, exceptNew) => {
    const startMs = Date.parse(old.start);
    const endMs = old.end ? Date.parse(old.end) : startMs + 45 * 60_000;
    const others = [
      ...newStarts.filter((_, j) => j !== exceptNew),
      ...ctx.strengthDone.map((d) => d.startMs),
    ];
    return sessionViolations(ctx, startMs, endMs, others)
      .filter((v) => !(v.rule === "R4" && v.session && Date.parse(v.session.start) === startMs))
      .sort((a, b) => a.rule.localeCompare(b.rule))[0];
  };
}

/**
 * A session in both plans (the new one at index `j`): moved, given the other
 * letter, given other loads, or given other exercises; null when it is the same.
 */
function pairedChange(
  ctx: PlanContext,
  before: SessionRef,
  after: SessionRef,
  j: number,
  whyNot: Refusal,
): TimedChange | null {
  const { clock } = ctx;
  const b = Date.parse(before.start);
  const a = Date.parse(after.start);
  const base = {
    session: after.session,
    week: mondayOf(clock.localDate(a)),
    before: { start: before.start, session: before.session },
    after: { start: after.start, session: after.session, ...(after.end ? { end: after.end } : {}) },
    ...((after.key ?? before.key) ? { key: after.key ?? before.key } : {}),
    at: a,
  };
  const name =
    before.session === after.session
      ? `Strength ${after.session}`
      : `Strength ${before.session} (now ${after.session})`;
  const loads = loadChanges(before, after, ctx.input.athlete.units);
  if (a !== b) {
    const v = whyNot(before, j);
    const why = v ? because(ctx, v) : betterSlot(after);
    return {
      ...base,
      type: "moved",
      ...(v ? { rule: v.rule } : {}),
      sentence: `${name} moved from ${dayTime(b, clock)} to ${dayTime(a, clock)}: ${why}${loads.length > 0 ? `; ${loads.join("; ")}` : ""}`,
    };
  }
  if (before.session !== after.session) {
    return {
      ...base,
      type: "changed",
      sentence: `Strength ${before.session} on ${dayTime(a, clock)} is now Strength ${after.session}, to keep A and B alternating`,
    };
  }
  if (loads.length > 0 && !contentChanged(withoutLoads(before), withoutLoads(after))) {
    return {
      ...base,
      type: "changed",
      sentence: `Strength ${after.session} on ${dayTime(a, clock)}: ${loads.join("; ")}`,
    };
  }
  if (contentChanged(before, after)) {
    const summary = after.reasons?.find((r) => / phase| taper|learning/.test(r));
    return {
      ...base,
      type: "changed",
      sentence: `Strength ${after.session} on ${dayTime(a, clock)} changed its exercises${summary ? `: ${summary}` : ""}`,
    };
  }
  return null;
}

/** An old session with no match: completed by logged strength, pushed out by a rule, or beyond the week's quota. */
function removal(ctx: PlanContext, old: SessionRef, whyNot: Refusal): TimedChange {
  const { clock } = ctx;
  const ms = Date.parse(old.start);
  const week = mondayOf(clock.localDate(ms));
  const done = ctx.strengthDone.find((d) => mondayOf(clock.localDate(d.startMs)) === week);
  const v = whyNot(old, null);
  const race = ctx.input.athlete.raceDate ?? null;
  const quota = sessionsForWeek(week, race, ctx.input.athlete.sessionsPerWeek);
  const why = done
    ? `completed by the strength session you logged on ${dayTime(done.startMs, clock)}`
    : v && v.rule !== "R6"
      ? `${because(ctx, v)}, and no other slot that week keeps every rule`
      : `the ${phaseOf(week, race)} phase asks for ${quota} session${quota === 1 ? "" : "s"} that week`;
  return {
    type: "removed",
    session: old.session,
    week,
    before: { start: old.start, session: old.session },
    ...(v && !done ? { rule: v.rule } : {}),
    ...(old.key ? { key: old.key } : {}),
    sentence: `Strength ${old.session} on ${dayTime(ms, clock)} removed: ${why}`,
    at: ms,
  };
}

/** A new session with no match, with its first two reasons. */
function addition(ctx: PlanContext, s: SessionRef): TimedChange {
  const ms = Date.parse(s.start);
  const why = s.reasons?.slice(0, 2).join(", ");
  return {
    type: "added",
    session: s.session,
    week: mondayOf(ctx.clock.localDate(ms)),
    after: { start: s.start, session: s.session, ...(s.end ? { end: s.end } : {}) },
    ...(s.key ? { key: s.key } : {}),
    sentence: `Strength ${s.session} added on ${dayTime(ms, ctx.clock)}${why ? `: ${why}` : ""}`,
    at: ms,
  };
}

/** A violation as the second half of a sentence: "Wednesday's 07:00 run "Tempo 3x10 min" is a quality session". */
function because(ctx: PlanContext, v: Violation): string {
  if ((v.rule === "R1" || v.rule === "R2") && v.run && v.run.kind === "quality") {
    const ms = Date.parse(v.run.start);
    const day = `${weekdayLong(ctx.clock.localDate(ms))}'s ${ctx.clock.localTime(ms)} run "${v.run.title}"`;
    return v.rule === "R1"
      ? `${day} is a quality session`
      : `${day} is a quality session, and strength must end ${ctx.input.athlete.qualityBufferHours} h before it`;
  }
  return v.message.replace(/^R\d: /, "");
}

function betterSlot(after: SessionRef): string {
  const why = after.reasons?.slice(0, 2).join(", ");
  return why ? `the new time fits better (${why})` : "the new time fits better";
}

function contentChanged(x: SessionRef, y: SessionRef): boolean {
  if (x.phase !== undefined && y.phase !== undefined && x.phase !== y.phase) return true;
  if (x.exercises && y.exercises) return JSON.stringify(x.exercises) !== JSON.stringify(y.exercises);
  return false;
}

/**
 * The load changes between two versions of a session, one phrase per exercise whose
 * `loadKg` differs: the new session's own reason for it when it gives one ("Back
 * squat 4 x 5 at 82.5 kg, up from 80 kg: last Monday's sets left 2 reps in
 * reserve"), else the plain change. Empty when the exercises are not the same list.
 */
function loadChanges(x: SessionRef, y: SessionRef, units: Units): string[] {
  const xs = x.exercises;
  const ys = y.exercises;
  if (!xs || !ys || xs.length !== ys.length) return [];
  const out: string[] = [];
  ys.forEach((e, i) => {
    const old = xs[i] as Exercise;
    if (old.name !== e.name || old.loadKg === e.loadKg) return;
    const head = `${e.name} ${e.sets} x ${e.reps} at `;
    const own = e.loadKg !== undefined ? y.reasons?.find((r) => r.startsWith(head)) : undefined;
    if (own) out.push(own);
    else if (e.loadKg === undefined)
      out.push(`${e.name} no longer has a load in kilograms (was ${formatWeight(old.loadKg ?? 0, units)})`);
    else if (old.loadKg === undefined) out.push(`${head}${formatWeight(e.loadKg, units)}`);
    else out.push(`${head}${formatWeight(e.loadKg, units)} (was ${formatWeight(old.loadKg, units)})`);
  });
  return out;
}

function withoutLoads(x: SessionRef): SessionRef {
  return x.exercises ? { ...x, exercises: x.exercises.map(({ loadKg: _kg, ...e }) => e) } : x;
}
