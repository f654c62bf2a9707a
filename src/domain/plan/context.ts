// Everything the rules need to judge a session time, computed once per plan: the
// runs with their classification and instants, each day's kind, the athlete's
// windows. The planner, checkSession (the API refusing a manual move) and the
// plan diff all judge against the same PlanContext, so they cannot disagree.
import { classifyDay } from "../classify/day.ts";
import { classifyPlannedRun } from "../classify/planned.ts";
import type { Classification, DayClassification, RunKind, RunSubtype } from "../classify/types.ts";
import { type LocalDate, parseTime } from "../time.ts";
import {
  type Phase,
  type PlanInput,
  type PlanRun,
  type ResolvedPlanInput,
  type SessionLetter,
  withDefaults,
} from "./input.ts";
import { NO_STRENGTH_DAYS_BEFORE_RACE, phaseOf } from "./phases.ts";
import { dateOfDay, dayNumber, weekdayOfDay, type ZoneClock, zoneClock } from "./zone-clock.ts";

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface ClassifiedRun {
  startMs: number;
  endMs: number;
  /** athlete-local date and "HH:MM" of the start */
  date: LocalDate;
  time: string;
  kind: RunKind;
  subtype: RunSubtype | null;
  title: string;
  classification: Classification;
}

/** A strength session that already happened (logged) or is planned, as an instant span. */
export interface FixedSession {
  startMs: number;
  endMs: number;
  session: SessionLetter | null;
}

/** A strength session the week search works around: logged, past, or outside the plan's range. */
export interface FixedStrength {
  startMs: number;
  endMs: number;
  date: LocalDate;
  /** the Monday of its week */
  week: LocalDate;
  letter: SessionLetter | null;
  origin: "done" | "past" | "outside";
  key?: string;
}

/** Calendar facts about one local date, computed once per plan (time.ts's string arithmetic adds up in a season). */
export interface CalendarDay {
  date: LocalDate;
  /** ISO weekday, 1 = Monday */
  weekday: number;
  monday: LocalDate;
  next: LocalDate;
  /** local midnight that starts the day, and the one that ends it */
  startMs: number;
  endMs: number;
  phase: Phase;
  /** race day or one of the 5 days before it */
  preRace: boolean;
}

export interface PlanContext {
  input: ResolvedPlanInput;
  clock: ZoneClock;
  nowMs: number;
  qualityBufferMs: number;
  /** easy and quality runs only, in start order */
  runs: ClassifiedRun[];
  longestRunMs: number;
  /** merged local windows [fromMin, toMin) per ISO weekday (index 1-7) */
  windows: Array<Array<[number, number]>>;
  blackouts: Set<LocalDate>;
  /** strength the athlete logged, in start order */
  strengthDone: FixedSession[];
  /** the athlete's busy times as merged [startMs, endMs) spans, in order: no session may overlap one */
  busy: Array<[number, number]>;
  /** the day's classification (cached; dates outside the plan are classified on demand) */
  dayOf(date: LocalDate): DayClassification;
  runsOn(date: LocalDate): ClassifiedRun[];
  calendar(date: LocalDate): CalendarDay;
}

/**
 * The classification planStrength uses for a run: the input's own `kind` wins, then
 * a caller's classification, then the title. `byTitle` memoises classifyPlannedRun:
 * a season repeats a handful of titles.
 */
export function classifyPlanRun(
  run: PlanRun,
  byTitleCache: Map<string, Classification> = new Map(),
): Classification {
  let byTitle = run.classification;
  if (!byTitle) {
    const key = `${run.durationMin}\u0000${run.title ?? ""}`;
    byTitle = byTitleCache.get(key);
    if (!byTitle) {
      byTitle = classifyPlannedRun(run.title ?? "", run.durationMin);
      byTitleCache.set(key, byTitle);
    }
  }
  if (!run.kind || byTitle.kind === run.kind) {
    return run.kind
      ? { ...byTitle, confidence: 1, reasons: [`marked ${run.kind} in the plan`, ...byTitle.reasons] }
      : byTitle;
  }
  return {
    kind: run.kind,
    subtype: run.kind === "easy" ? "easy" : "workout",
    confidence: 1,
    reasons: [`marked ${run.kind} in the plan`],
  };
}

export function planContextOf(raw: PlanInput): PlanContext {
  const tz = raw.athlete.timezone;
  // The clock is fast over the plan's range plus margins for runs and the quality buffer on either side.
  const spanFrom = Date.parse(`${raw.from}T00:00:00Z`) - 4 * DAY_MS;
  const spanTo = Date.parse(`${raw.to}T00:00:00Z`) + 5 * DAY_MS;
  const clock = zoneClock(tz, spanFrom, spanTo);
  const input = withDefaults(raw, (from) => clock.iso(clock.instant(from, 0)));
  const a = input.athlete;

  const runs: ClassifiedRun[] = [];
  const byTitle = new Map<string, Classification>();
  for (const run of input.runs) {
    const classification = classifyPlanRun(run, byTitle);
    if (classification.kind !== "easy" && classification.kind !== "quality") continue;
    const startMs = Date.parse(run.start);
    runs.push({
      startMs,
      endMs: startMs + run.durationMin * 60_000,
      date: clock.localDate(startMs),
      time: clock.localTime(startMs),
      kind: classification.kind,
      subtype: classification.subtype,
      title: run.title ?? (classification.subtype ? `${classification.subtype} run` : "run"),
      classification,
    });
  }
  runs.sort((x, y) => x.startMs - y.startMs || x.endMs - y.endMs);

  const byDate = new Map<LocalDate, ClassifiedRun[]>();
  for (const r of runs) {
    const list = byDate.get(r.date);
    if (list) list.push(r);
    else byDate.set(r.date, [r]);
  }
  const days = new Map<LocalDate, DayClassification>();
  const runsOn = (date: LocalDate): ClassifiedRun[] => byDate.get(date) ?? [];
  const dayOf = (date: LocalDate): DayClassification => {
    let d = days.get(date);
    if (!d) {
      d = classifyDay(
        date,
        runsOn(date).map((r) => ({
          classification: r.classification,
          title: r.title,
          start: clock.iso(r.startMs),
        })),
      );
      days.set(date, d);
    }
    return d;
  };

  const calendarDays = new Map<LocalDate, CalendarDay>();
  const race = a.raceDate ?? null;
  const raceDay = race === null ? null : dayNumber(race);
  const phases = new Map<LocalDate, Phase>();
  const calendar = (date: LocalDate): CalendarDay => {
    let c = calendarDays.get(date);
    if (!c) {
      const n = dayNumber(date);
      const weekday = weekdayOfDay(n);
      const monday = dateOfDay(n - weekday + 1);
      const next = dateOfDay(n + 1);
      let phase = phases.get(monday);
      if (!phase) {
        phase = phaseOf(monday, race);
        phases.set(monday, phase);
      }
      c = {
        date,
        weekday,
        monday,
        next,
        startMs: clock.instant(date, 0),
        endMs: clock.instant(next, 0),
        phase,
        preRace: raceDay !== null && raceDay - n >= 0 && raceDay - n <= NO_STRENGTH_DAYS_BEFORE_RACE,
      };
      calendarDays.set(date, c);
    }
    return c;
  };

  const windows: Array<Array<[number, number]>> = [[], [], [], [], [], [], [], []];
  for (const w of a.availability) windows[w.weekday]?.push([parseTime(w.from), parseTime(w.to)]);
  for (let wd = 1; wd <= 7; wd++) windows[wd] = mergeWindows(windows[wd] ?? []);

  const strengthDone = input.strengthDone
    .map((s) => {
      const startMs = Date.parse(s.start);
      return { startMs, endMs: startMs + s.durationMin * 60_000, session: s.session ?? null };
    })
    .sort((x, y) => x.startMs - y.startMs);

  const busy = mergeWindows(
    input.busy.map((b): [number, number] => [Date.parse(b.start), Date.parse(b.end)]),
  );

  return {
    input,
    clock,
    nowMs: Date.parse(input.now),
    qualityBufferMs: a.qualityBufferHours * HOUR_MS,
    runs,
    longestRunMs: runs.reduce((m, r) => Math.max(m, r.endMs - r.startMs), 0),
    windows,
    blackouts: new Set(a.blackouts),
    strengthDone,
    busy,
    dayOf,
    runsOn,
    calendar,
  };
}

/** Spans that overlap or touch become one (availability windows, busy times). */
function mergeWindows(ws: Array<[number, number]>): Array<[number, number]> {
  const sorted = [...ws].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const out: Array<[number, number]> = [];
  for (const w of sorted) {
    const last = out[out.length - 1];
    if (last && w[0] <= last[1]) last[1] = Math.max(last[1], w[1]);
    else out.push([w[0], w[1]]);
  }
  return out;
}

/** Runs whose span comes within `marginMs` of [fromMs, toMs], in start order. */
export function runsNear(ctx: PlanContext, fromMs: number, toMs: number, marginMs: number): ClassifiedRun[] {
  const runs = ctx.runs;
  const lo = fromMs - marginMs - ctx.longestRunMs;
  let i = 0;
  let j = runs.length;
  while (i < j) {
    const mid = (i + j) >> 1;
    if ((runs[mid] as ClassifiedRun).startMs < lo) i = mid + 1;
    else j = mid;
  }
  const out: ClassifiedRun[] = [];
  for (; i < runs.length; i++) {
    const r = runs[i] as ClassifiedRun;
    if (r.startMs >= toMs + marginMs) break;
    if (r.endMs > fromMs - marginMs) out.push(r);
  }
  return out;
}

/** Busy spans that overlap [fromMs, toMs), in order. */
export function busyNear(ctx: PlanContext, fromMs: number, toMs: number): Array<[number, number]> {
  const busy = ctx.busy;
  let i = 0;
  let j = busy.length;
  while (i < j) {
    const mid = (i + j) >> 1;
    if ((busy[mid] as [number, number])[1] <= fromMs) i = mid + 1;
    else j = mid;
  }
  const out: Array<[number, number]> = [];
  for (; i < busy.length; i++) {
    const b = busy[i] as [number, number];
    if (b[0] >= toMs) break;
    out.push(b);
  }
  return out;
}
