// Loads in kilograms for the planned exercises, from the athlete's one-rep maxes
// and the strength log (contracts/cli.md, "Loads, logs and busy times").
//
// For each loaded exercise of a session, in this order:
// - form-learning weeks (a new lifter's first 4) carry no load: the weeks are for
//   technique at 12-15 light reps, and a max estimated before them means little;
// - when the lift was last logged under the same prescription (same phase), the
//   log decides (strength/progression.ts): one increment up, hold, or one down;
// - in race-specific weeks (sharpening, taper) the load holds instead of
//   building, and the taper keeps it at most at the top of its 70-75 % of 1RM;
// - otherwise (no log yet, or a new phase with new reps) the load is the bottom
//   of the phase's percentage range of the current one-rep max (settings or
//   Epley from the log, the most recent evidence winning): start conservative,
//   let the log raise it;
// - a load never rises after a session with missed reps or a set to failure;
// - after 3 weeks without a logged session, the first week back is one lighter
//   week at 90 % (the evidence: gains fade after 4-6 weeks without lifting).
// Every load is rounded down to a whole multiple of the athlete's increment
// (strength/loadable.ts), and every load says why in the session's reasons.
// Sessions after the next one show the same load until a new log says otherwise:
// the plan does not pretend to know how sessions not yet lifted will go.
import { LIFTS, type Lift, liftOf } from "../strength/lifts.ts";
import { formatWeight, incrementsKg, loadableDown, stepsDown } from "../strength/loadable.ts";
import { bestOfDay, type LoggedSet, type MaxEstimate, nextEstimate } from "../strength/one-rep-max.ts";
import { judgeDay, type LiftProgress, type Prescribed, progressLift } from "../strength/progression.ts";
import { daysBetween, type LocalDate, mondayOf } from "../time.ts";
import type { PlanContext } from "./context.ts";
import type { Exercise, Phase, PlannedSession, StrengthLogEntry } from "./input.ts";
import { phaseOf } from "./phases.ts";
import { type Prescription, prescriptionFor, sessionContent } from "./sessions.ts";
import { weekdayLong, weekdayShort } from "./wording.ts";
import { dateOfDay, dayNumber, weekdayOfDay } from "./zone-clock.ts";

/** A lighter week after this many days without a logged session. */
export const EASE_BACK_AFTER_DAYS = 21;
export const EASE_BACK_FACTOR = 0.9;

/**
 * The percentage range of one-rep max per phase and lift. The squat and the
 * deadlift take the range their `load` text prints; the single-leg and calf
 * lifts a step lighter, as their texts ("moderate", "heavy dumbbells") and
 * higher reps ask.
 */
export const PERCENT_OF_MAX: Record<Phase, Record<Lift, readonly [number, number]>> = {
  base: {
    backSquat: [65, 70],
    romanianDeadlift: [65, 70],
    bulgarianSplitSquat: [60, 65],
    stepUp: [60, 65],
    calfRaise: [60, 65],
    singleLegCalfRaise: [55, 60],
  },
  build: {
    backSquat: [75, 85],
    romanianDeadlift: [75, 85],
    bulgarianSplitSquat: [70, 80],
    stepUp: [70, 80],
    calfRaise: [70, 75],
    singleLegCalfRaise: [65, 70],
  },
  sharpening: {
    backSquat: [85, 85],
    romanianDeadlift: [85, 85],
    bulgarianSplitSquat: [75, 80],
    stepUp: [75, 80],
    calfRaise: [75, 80],
    singleLegCalfRaise: [70, 75],
  },
  taper: {
    backSquat: [70, 75],
    romanianDeadlift: [70, 75],
    bulgarianSplitSquat: [55, 60],
    stepUp: [55, 60],
    calfRaise: [55, 60],
    singleLegCalfRaise: [55, 60],
  },
};

const PRESCRIPTIONS: readonly Prescription[] = ["form", "base", "build", "sharpening", "taper"];
const LIFT_INDEX = Object.fromEntries(LIFTS.map((l, i) => [l, i])) as Record<Lift, number>;

const RACE_SPECIFIC: ReadonlySet<Prescription> = new Set(["sharpening", "taper"]);

interface JudgedDay {
  date: LocalDate;
  prescription: Prescription;
  progress: LiftProgress | null;
}

interface EvidenceDay {
  date: LocalDate;
  /** the estimate after this day (and the settings value, when dated on or before it) */
  estimate: MaxEstimate | null;
}

interface LiftHistory {
  judged: JudgedDay[];
  evidence: EvidenceDay[];
  setting: MaxEstimate | null;
}

/** How one load came about, for its sentence. */
interface LoadFacts {
  loadKg: number;
  sentence: string;
}

/**
 * Puts `loadKg` on the loaded exercises of every session and the why into its
 * reasons. Does nothing at all without `lifts` or `strengthLog` in the input, so an
 * input without them plans byte for byte as before.
 */
export function applyLoads(
  ctx: PlanContext,
  sessions: PlannedSession[],
  learningFrom: LocalDate | null,
): void {
  const { input, clock } = ctx;
  const hasLifts = LIFTS.some((l) => input.lifts[l] !== undefined);
  if (!hasLifts && input.strengthLog.length === 0) return;
  // Log dates lie mostly before the plan's range: their phase comes from the race date alone (per week, on
  // day numbers), not from the zone clock, which is fast only inside the range.
  const race = input.athlete.raceDate ?? null;
  const phaseByMonday = new Map<number, Phase>();
  const prescriptionOn = (date: LocalDate): Prescription => {
    const n = dayNumber(date);
    const monday = n - weekdayOfDay(n) + 1;
    let phase = phaseByMonday.get(monday);
    if (phase === undefined) {
      phase = phaseOf(dateOfDay(monday), race);
      phaseByMonday.set(monday, phase);
    }
    return learningFrom === null ? phase : prescriptionFor(phase, date, learningFrom);
  };
  const histories = liftHistories(ctx, prescriptionOn);
  const ease = easeBack(ctx, sessions);

  // Sessions after the last log share their lift's history: each distinct situation is worded once,
  // under a numeric key (lift, prescription, days of history before the session, wording flags).
  const memo = new Map<number, LoadFacts | null>();
  for (const s of sessions) {
    const date = clock.localDate(Date.parse(s.start));
    const day = dayNumber(date);
    const prescription = prescriptionOn(date);
    const lighter = ease !== null && day - dayNumber(ease.monday) < 7 && day >= dayNumber(ease.monday);
    const sentences: string[] = [];
    for (const e of s.exercises) {
      const lift = liftOf(e.name);
      if (lift === null || prescription === "form") continue;
      const h = histories.get(lift);
      const judged = h ? countBefore(h.judged, date) : 0;
      const last = h && judged > 0 ? (h.judged[judged - 1] as JudgedDay) : null;
      const evidence = h ? countBefore(h.evidence, date) : 0;
      const max = h ? maxOn(h, date, evidence) : null;
      const near = last?.progress ? day - dayNumber(last.progress.date) <= 7 : false;
      const flags = (max !== null && max === h?.setting ? 4 : 0) + (lighter ? 2 : 0) + (near ? 1 : 0);
      // Exact below 2^53 while both counts stay under 65,536 days (the schema allows 5,000); past that, no memo.
      const key =
        (((LIFT_INDEX[lift] * PRESCRIPTIONS.length + PRESCRIPTIONS.indexOf(prescription)) * 8 + flags) *
          65_536 +
          judged) *
          65_536 +
        evidence;
      const memoised = judged < 65_536 && evidence < 65_536;
      let facts = memoised ? memo.get(key) : undefined;
      if (facts === undefined) {
        facts = loadFor(ctx, e, lift, prescription, { max, last, near }, lighter ? ease : null);
        if (memoised) memo.set(key, facts);
      }
      if (facts === null) continue;
      // The exercises are this plan's own copies (sessionContent), so they take the load in place.
      e.loadKg = facts.loadKg;
      sentences.push(facts.sentence);
    }
    if (lighter && ease) s.reasons.push(ease.sentence);
    s.reasons.push(...sentences);
  }
}

/** The week the athlete comes back in after 3 weeks or more without a logged session. */
function easeBack(
  ctx: PlanContext,
  sessions: readonly PlannedSession[],
): { monday: LocalDate; lastDate: LocalDate; sentence: string } | null {
  const { clock, input } = ctx;
  const today = clock.localDate(ctx.nowMs);
  let last: LocalDate | null = null;
  for (const e of input.strengthLog) if (e.date <= today && (last === null || e.date > last)) last = e.date;
  for (const d of ctx.strengthDone) {
    const date = clock.localDate(d.startMs);
    if (d.startMs <= ctx.nowMs && (last === null || date > last)) last = date;
  }
  if (last === null) return null;
  const first = sessions.find((s) => Date.parse(s.start) >= ctx.nowMs);
  if (!first) return null;
  const firstDate = clock.localDate(Date.parse(first.start));
  const days = daysBetween(last, firstDate);
  if (days < EASE_BACK_AFTER_DAYS) return null;
  const weeks = Math.floor(days / 7);
  return {
    monday: mondayOf(firstDate),
    lastDate: last,
    sentence: `easing back in: no strength logged for ${weeks} weeks (last on ${last}), so this is one lighter week at ${Math.round(EASE_BACK_FACTOR * 100)}% of the usual loads`,
  };
}

/** Per lift: the days it was judged on (progression) and the one-rep max after each day with evidence. */
function liftHistories(
  ctx: PlanContext,
  prescriptionOn: (date: LocalDate) => Prescription,
): Map<Lift, LiftHistory> {
  const { input } = ctx;
  // Oldest first; entries of one date keep the input's order.
  const entries = input.strengthLog.map((e, i) => ({ e, i }));
  let sorted = true;
  for (let k = 1; k < entries.length && sorted; k++) {
    sorted =
      (entries[k - 1] as { e: StrengthLogEntry }).e.date <= (entries[k] as { e: StrengthLogEntry }).e.date;
  }
  if (!sorted) entries.sort((x, y) => (x.e.date < y.e.date ? -1 : x.e.date > y.e.date ? 1 : x.i - y.i));
  const liftByName = new Map<string, Lift | null>();
  const setsByLift = (e: StrengthLogEntry): Map<Lift, LoggedSet[]> => {
    const byLift = new Map<Lift, LoggedSet[]>();
    for (const x of e.exercises) {
      let lift = liftByName.get(x.name);
      if (lift === undefined) {
        lift = liftOf(x.name);
        liftByName.set(x.name, lift);
      }
      if (lift === null) continue;
      const sets = byLift.get(lift);
      if (sets) sets.push(...x.sets);
      else byLift.set(lift, [...x.sets]);
    }
    return byLift;
  };

  // Every plan date is on or after `from`, so of the days before it only those back to where each
  // lift's state stops depending on older ones count: its latest day with an estimate (the most
  // recent evidence wins) and its latest judged day that missed nothing (the miss count is 0 there).
  // A year of log then costs what its last weeks cost.
  let start = entries.length;
  while (start > 0 && (entries[start - 1] as { e: StrengthLogEntry }).e.date >= input.from) start--;
  const present = new Set<Lift>();
  for (const { e } of entries)
    for (const x of e.exercises) {
      let lift = liftByName.get(x.name);
      if (lift === undefined) {
        lift = liftOf(x.name);
        liftByName.set(x.name, lift);
      }
      if (lift !== null) present.add(lift);
    }
  const needEstimate = new Set(present);
  const needProgress = new Set(present);
  while (start > 0 && (needEstimate.size > 0 || needProgress.size > 0)) {
    const e = (entries[start - 1] as { e: StrengthLogEntry }).e;
    for (const [lift, sets] of setsByLift(e)) {
      if (needEstimate.has(lift) && bestOfDay(e.date, sets) !== null) needEstimate.delete(lift);
      if (!needProgress.has(lift)) continue;
      const p = prescriptionOn(e.date);
      const prescribed = p === "form" ? null : prescribedFor(lift, p);
      const judged = prescribed ? judgeDay({ date: e.date, sets, prescribed }) : null;
      if (judged && judged.verdict !== "missed-reps" && judged.verdict !== "to-failure")
        needProgress.delete(lift);
    }
    start--;
  }

  const days = new Map<Lift, Array<{ date: LocalDate; sets: LoggedSet[] }>>();
  for (let k = start; k < entries.length; k++) {
    const e = (entries[k] as { e: StrengthLogEntry }).e;
    for (const [lift, sets] of setsByLift(e)) {
      const list = days.get(lift);
      if (list) list.push({ date: e.date, sets });
      else days.set(lift, [{ date: e.date, sets }]);
    }
  }

  const out = new Map<Lift, LiftHistory>();
  for (const lift of LIFTS) {
    const own = input.lifts[lift];
    const setting: MaxEstimate | null = own ? { oneRepMaxKg: own.oneRepMaxKg, date: own.date ?? null } : null;
    const logged = days.get(lift) ?? [];

    const judgedDays: Array<{ date: LocalDate; sets: LoggedSet[]; prescribed: Prescribed; p: Prescription }> =
      [];
    for (const d of logged) {
      const p = prescriptionOn(d.date);
      const prescribed = p === "form" ? null : prescribedFor(lift, p);
      if (prescribed) judgedDays.push({ date: d.date, sets: d.sets, prescribed, p });
    }
    const progress = progressLift(judgedDays);
    const judged = judgedDays.map((d, i) => ({
      date: d.date,
      prescription: d.p,
      progress: progress[i] ?? null,
    }));

    const evidence: EvidenceDay[] = [];
    let estimate: MaxEstimate | null = setting && setting.date === null ? setting : null;
    let settingApplied = estimate !== null;
    for (const d of logged) {
      if (setting && !settingApplied && setting.date !== null && setting.date < d.date) {
        estimate = setting;
        settingApplied = true;
      }
      estimate = nextEstimate(estimate, bestOfDay(d.date, d.sets));
      // A dated setting from the same day counts after that day's sets: the athlete entered what they found.
      if (setting && !settingApplied && setting.date === d.date) {
        estimate = setting;
        settingApplied = true;
      }
      evidence.push({ date: d.date, estimate });
    }
    out.set(lift, { judged, evidence, setting });
  }
  return out;
}

/** Each prescription's sets and fewest reps per lift ("8-10" -> 8, "6 each leg" -> 6), from sessions.ts once. */
const PRESCRIBED: ReadonlyMap<Prescription, ReadonlyMap<Lift, Prescribed>> = new Map(
  (["form", "base", "build", "sharpening", "taper"] as const).map((p) => {
    const byLift = new Map<Lift, Prescribed>();
    for (const letter of ["A", "B"] as const) {
      for (const e of sessionContent(letter, p).exercises) {
        const lift = liftOf(e.name);
        const minReps = Number.parseInt(e.reps, 10);
        if (lift !== null && !byLift.has(lift) && Number.isFinite(minReps))
          byLift.set(lift, { sets: e.sets, minReps });
      }
    }
    return [p, byLift];
  }),
);

function prescribedFor(lift: Lift, p: Prescription): Prescribed | null {
  return PRESCRIBED.get(p)?.get(lift) ?? null;
}

/** How many elements of a date-sorted list are dated before `date`. */
function countBefore(list: readonly { date: LocalDate }[], date: LocalDate): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((list[mid] as { date: LocalDate }).date < date) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The one-rep max known on `date` (`before` evidence days precede it): the log's, or the settings value when newer. */
function maxOn(h: LiftHistory, date: LocalDate, before: number): MaxEstimate | null {
  const day = before > 0 ? (h.evidence[before - 1] as EvidenceDay) : null;
  if (day === null) return h.setting;
  if (h.setting && h.setting.date !== null && h.setting.date > day.date && h.setting.date < date)
    return h.setting;
  return day.estimate;
}

function loadFor(
  ctx: PlanContext,
  e: Exercise,
  lift: Lift,
  prescription: Phase,
  known: { max: MaxEstimate | null; last: JudgedDay | null; near: boolean },
  ease: { lastDate: LocalDate } | null,
): LoadFacts | null {
  const a = ctx.input.athlete;
  const inc = a.loadIncrementKg;
  const units = a.units;
  const [lo, hi] = PERCENT_OF_MAX[prescription][lift];
  const { max, last, near } = known;
  const prog = last?.progress ?? null;
  const race = RACE_SPECIFIC.has(prescription);

  let steps: number;
  let cause: string;
  if (prog && last && (last.prescription === prescription || race)) {
    const when = whenLogged(prog.date, near);
    const held = race && prog.step > 0;
    steps = stepsDown(prog.weightKg, inc) + (held ? 0 : prog.step);
    cause = held
      ? `race-specific weeks keep the load rather than build it (${when} left ${reps(prog.minReserve)} in reserve)`
      : verdictCause(prog, when);
  } else if (max) {
    steps = stepsDown((max.oneRepMaxKg * lo) / 100, inc);
    const fromMax = `${lo}% of your one-rep max of ${formatWeight(max.oneRepMaxKg, units)} (${maxSource(max, units)})`;
    cause = prog ? `the ${prescription} phase starts at ${fromMax}` : fromMax;
  } else if (prog) {
    steps = stepsDown(prog.weightKg, inc);
    cause = `no one-rep max to start the ${prescription} phase from, so the load of ${whenLogged(prog.date, near)} holds`;
  } else {
    return null;
  }

  if (prescription === "taper" && max) {
    const ceiling = stepsDown((max.oneRepMaxKg * hi) / 100, inc);
    if (steps > ceiling) {
      steps = ceiling;
      cause = `the taper keeps it light, at most ${hi}% of your one-rep max of ${formatWeight(max.oneRepMaxKg, units)}`;
    }
  }
  if (prog && (prog.verdict === "missed-reps" || prog.verdict === "to-failure")) {
    const lastSteps = stepsDown(prog.weightKg, inc);
    if (steps > lastSteps) {
      steps = lastSteps;
      cause = `not above the load of ${whenLogged(prog.date, near)}, which ${prog.verdict === "missed-reps" ? "missed prescribed reps" : "went to failure"}`;
    }
  }
  const usual = incrementsKg(Math.max(0, steps), inc);
  const loadKg = ease ? loadableDown(usual * EASE_BACK_FACTOR, inc) : usual;
  if (ease) {
    cause = `one lighter week at ${Math.round(EASE_BACK_FACTOR * 100)}% of ${formatWeight(usual, units)}, after no strength logged since ${ease.lastDate}`;
  }
  const head = `${e.name} ${e.sets} x ${e.reps} at ${formatWeight(loadKg, units)}`;
  if (!prog) return { loadKg, sentence: `${head}: ${cause}` };
  const change =
    loadKg > prog.weightKg + 1e-6
      ? `, up from ${formatWeight(prog.weightKg, units)}`
      : loadKg < prog.weightKg - 1e-6
        ? `, down from ${formatWeight(prog.weightKg, units)}`
        : ", as last time";
  return { loadKg, sentence: `${head}${change}: ${cause}` };
}

/** "last Monday's sets" within a week of the session, "the sets of Mon 2026-11-30" before that. */
function whenLogged(logDate: LocalDate, near: boolean): string {
  return near ? `last ${weekdayLong(logDate)}'s sets` : `the sets of ${weekdayShort(logDate)} ${logDate}`;
}

function reps(n: number | null): string {
  return n === 1 ? "1 rep" : `${n ?? 0} reps`;
}

function verdictCause(p: LiftProgress, when: string): string {
  switch (p.verdict) {
    case "reserve":
      return `${when} left ${reps(p.minReserve)} in reserve`;
    case "one-in-reserve":
      return `${when} left only 1 rep in reserve; it rises once they leave 2`;
    case "reserve-unknown":
      return `${when} were logged without reps in reserve; it rises once they show 2`;
    default: {
      const what = p.verdict === "missed-reps" ? "missed prescribed reps" : "went to failure";
      return p.step < 0
        ? `two sessions in a row missed reps or went to failure (${p.previousMissDate} and ${p.date})`
        : `${when} ${what}; a second time in a row takes it down one step`;
    }
  }
}

function maxSource(max: MaxEstimate | null, units: "kg" | "lb"): string {
  if (!max?.set) return max?.date ? `your setting of ${max.date}` : "your setting";
  const s = max.set;
  const reserve = s.repsInReserve !== undefined ? ` with ${reps(s.repsInReserve)} in reserve` : "";
  return `Epley, from ${formatWeight(s.weightKg, units)} x ${s.reps}${reserve} on ${max.date}`;
}
