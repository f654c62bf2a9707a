// From what is stored about an athlete to the planner's input: pure, so the
// window and the merging of done and planned runs are unit tested on their own.
import type { StoredActivity as ActivityRow } from "../db/repos/activity-rows.ts";
import type { StoredSession } from "../db/repos/plans.ts";
import type { Classification, RunKind } from "../domain/classify/types.ts";
import type {
  BusyInterval,
  CurrentPlanSession,
  PlanInput,
  PlanRunInput,
  SessionLetter,
  StrengthLogEntry,
} from "../domain/plan/input.ts";
import { expandRunTemplate } from "../domain/plan/run-template.ts";
import { runTemplateOf, type StoredSettings } from "../domain/settings.ts";
import { addDays, type LocalDate, localDate, mondayOf } from "../domain/time.ts";

const DAY_MS = 86_400_000;

/** What the builder reads of a stored activity. */
export type StoredActivity = Pick<
  ActivityRow,
  "name" | "sport" | "startAt" | "elapsedS" | "kind" | "subtype" | "confidence" | "reasons" | "kindOverride"
>;

export type StoredPlanSession = Pick<
  StoredSession,
  "sessionKey" | "session" | "startAt" | "endAt" | "status"
>;

/** A run from the athlete's imported running-plan calendar (planned_runs). */
export interface StoredPlannedRun {
  startAt: Date;
  durationMin: number;
  title: string;
}

export interface ReplanData {
  now: Date;
  timezone: string;
  settings: StoredSettings;
  /** activities from at least a week before the window to now */
  activities: StoredActivity[];
  currentSessions: StoredPlanSession[];
  horizonDays: number;
  /** imported planned runs around the window; from their first to their last date they replace the template */
  plannedRuns?: StoredPlannedRun[];
  /** the athlete's logged sessions, oldest first (strength_logs) */
  strengthLog?: StrengthLogEntry[];
  /** busy times from the athlete's own calendar around the window */
  busy?: Array<{ startAt: Date; endAt: Date }>;
}

export interface PlanWindow {
  from: LocalDate;
  to: LocalDate;
  today: LocalDate;
}

/**
 * The window is whole Monday-Sunday weeks: from this week's Monday (days before
 * now are classified and reported, sessions already past stay fixed for the 48 h
 * spacing) to the Sunday of the week holding the horizon's last day, so R6's
 * weekly count is always judged on a whole week.
 */
export function planWindow(now: Date, timezone: string, horizonDays: number): PlanWindow {
  const today = localDate(now.getTime(), timezone);
  return { today, from: mondayOf(today), to: addDays(mondayOf(addDays(today, horizonDays - 1)), 6) };
}

/** Reads for the activities table: which instants to load for a window. */
export function activityRange(window: PlanWindow): { from: Date; to: Date } {
  return {
    from: new Date(Date.parse(`${addDays(window.from, -7)}T00:00:00Z`) - DAY_MS),
    to: new Date(Date.parse(`${addDays(window.to, 1)}T00:00:00Z`) + DAY_MS),
  };
}

const RUN_KINDS = new Set(["easy", "quality"]);
const isRunKind = (kind: string | null): kind is RunKind => kind !== null && RUN_KINDS.has(kind);

function storedClassification(a: StoredActivity): Classification | undefined {
  if (!isRunKind(a.kind)) return undefined;
  return {
    kind: a.kind,
    subtype: a.subtype,
    confidence: a.confidence ?? 0.5,
    reasons: a.reasons ?? [],
  };
}

const minutes = (seconds: number) => Math.max(1, Math.round(seconds / 60));

export function buildPlanInput(data: ReplanData): { input: PlanInput; window: PlanWindow } {
  const window = planWindow(data.now, data.timezone, data.horizonDays);
  const tz = data.timezone;
  const runs: PlanRunInput[] = [];
  const strengthDone: NonNullable<PlanInput["strengthDone"]> = [];
  const ranOn = new Set<LocalDate>();

  for (const a of data.activities) {
    const kind = a.kindOverride ?? a.kind;
    if (kind === "strength") {
      strengthDone.push({ start: a.startAt.toISOString(), durationMin: minutes(a.elapsedS) });
      continue;
    }
    if (a.sport !== "run" || (kind !== null && !RUN_KINDS.has(kind))) continue;
    const classification = storedClassification(a);
    runs.push({
      start: a.startAt.toISOString(),
      durationMin: minutes(a.elapsedS),
      title: a.name,
      ...(a.kindOverride === "easy" || a.kindOverride === "quality" ? { kind: a.kindOverride } : {}),
      ...(classification ? { classification } : {}),
    });
    ranOn.add(localDate(a.startAt.getTime(), tz));
  }

  // The weekly template stands in for days to come, except on the dates an imported
  // running plan spans: there its entries are the plan, and a date without one is a
  // rest day. Each entry is classified from its title, like a template run's.
  // Today keeps only the planned runs still ahead, and none once a run is recorded:
  // the real run replaces the plan.
  const nowMs = data.now.getTime();
  const imported = (data.plannedRuns ?? []).map((p) => ({
    date: localDate(p.startAt.getTime(), tz),
    run: {
      start: p.startAt.toISOString(),
      durationMin: p.durationMin,
      title: p.title,
    } satisfies PlanRunInput,
  }));
  const importedDates = imported.map((p) => p.date).sort();
  const [firstImported, lastImported] = [importedDates[0], importedDates[importedDates.length - 1]];
  const byImport = (date: LocalDate) =>
    firstImported !== undefined &&
    lastImported !== undefined &&
    date >= firstImported &&
    date <= lastImported;
  const ahead = [
    ...expandRunTemplate(runTemplateOf(data.settings), window.today, window.to, tz)
      .map((run) => ({ date: localDate(Date.parse(run.start), tz), run }))
      .filter((p) => !byImport(p.date)),
    ...imported.filter((p) => p.date >= window.today && p.date <= window.to),
  ].sort((a, b) => Date.parse(a.run.start) - Date.parse(b.run.start));
  for (const { date, run } of ahead) {
    if (date === window.today && (ranOn.has(date) || Date.parse(run.start) <= nowMs)) continue;
    runs.push(run);
  }

  // A session the athlete marked done is strength done, fixed where it happened, not
  // a session the planner may move; unless a logged strength activity within half a
  // day already stands for it (the athlete did both: logged it and ticked it off).
  const letters = (s: StoredPlanSession): s is StoredPlanSession & { session: SessionLetter } =>
    s.session === "A" || s.session === "B";
  const logged = strengthDone.map((d) => Date.parse(d.start));
  for (const s of data.currentSessions) {
    if (s.status !== "done" || !letters(s)) continue;
    if (logged.some((t) => Math.abs(t - s.startAt.getTime()) < 12 * 3_600_000)) continue;
    strengthDone.push({
      start: s.startAt.toISOString(),
      durationMin: minutes((s.endAt.getTime() - s.startAt.getTime()) / 1000),
      session: s.session,
    });
  }

  const currentPlan: CurrentPlanSession[] = data.currentSessions
    .filter(letters)
    .filter((s) => s.status === "planned")
    .map((s) => ({
      start: s.startAt.toISOString(),
      end: s.endAt.toISOString(),
      session: s.session,
      key: s.sessionKey,
    }));

  // Stored one-rep maxes are the contract's top-level `lifts`, not an athlete field.
  const {
    runTemplate: _t,
    notifications: _n,
    runningPlanIcsUrl: _u,
    busyCalendarIcsUrl: _b,
    lifts,
    ...athlete
  } = data.settings;
  const busy: BusyInterval[] = (data.busy ?? []).map((b) => ({
    start: b.startAt.toISOString(),
    end: b.endAt.toISOString(),
  }));
  // Added only when there is something: an athlete without them plans exactly as before.
  const strength = {
    ...(lifts && Object.keys(lifts).length > 0 ? { lifts } : {}),
    ...(data.strengthLog && data.strengthLog.length > 0 ? { strengthLog: data.strengthLog } : {}),
    ...(busy.length > 0 ? { busy } : {}),
  };
  return {
    window,
    input: {
      now: data.now.toISOString(),
      from: window.from,
      to: window.to,
      athlete: { ...athlete, timezone: tz },
      runs,
      strengthDone,
      currentPlan,
      ...strength,
    },
  };
}
