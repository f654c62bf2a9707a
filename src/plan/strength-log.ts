// The strength log: the sets an athlete did in a planned session, typed in
// (POST /api/sessions/{key}/log) or read from a Garmin / .FIT strength activity,
// stored per session and read back per exercise (GET /api/strength-log). Logging
// a session marks it done; the re-plan that follows reads the log, so the next
// session's loads follow from it (src/domain/plan/loads.ts).
import { z } from "zod";
import type { Athlete } from "../db/repos/athletes.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { latestPlan, type StoredSession } from "../db/repos/plans.ts";
import { saveStrengthLog, strengthLogsOf } from "../db/repos/strength-logs.ts";
import type { StoredLoggedExercise } from "../db/schema/strength.ts";
import type { Exercise } from "../domain/plan/input.ts";
import { LoggedSetSchema } from "../domain/plan/input.ts";
import { readStoredSettings } from "../domain/settings.ts";
import { type Lift, liftOf } from "../domain/strength/lifts.ts";
import { KG_PER_LB, type Units } from "../domain/strength/loadable.ts";
import { localDate } from "../domain/time.ts";
import type { RecordedStrength } from "../integrations/fit/strength-sets.ts";
import { type GarminExercise, garminExercise } from "../integrations/garmin-training/exercises.ts";
import { queueFollowUps } from "../workers/outbox.ts";
import type { ReplanCause } from "./cause.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { markSession } from "./mark-session.ts";
import { sessionView } from "./session-view.ts";
import { replanFollowUp, sessionOf } from "./store-override.ts";
import { letterOf } from "./stored-session.ts";
import { when } from "./wording.ts";

export type LogSource = "api" | "garmin" | "fit";

const weight = LoggedSetSchema.shape.weightKg;
const setBody = z
  .object({
    reps: LoggedSetSchema.shape.reps,
    weightKg: weight.optional(),
    weightLb: z.number().min(0).max(2200).optional(),
    repsInReserve: LoggedSetSchema.shape.repsInReserve,
  })
  .strict()
  .refine((s) => (s.weightKg === undefined) !== (s.weightLb === undefined), {
    message: "give the weight once: weightKg or weightLb, by your units setting",
  });

/** POST /api/sessions/{key}/log: per exercise, the sets done. */
export const logBodySchema = z
  .object({
    exercises: z
      .array(
        z
          .object({
            name: z
              .string()
              .trim()
              .min(1)
              .max(120)
              .regex(/^\P{Cc}*$/u, "must not contain control characters"),
            sets: z.array(setBody).min(1).max(50),
          })
          .strict(),
      )
      .min(1)
      .max(20),
  })
  .strict();
export type LogBody = z.output<typeof logBodySchema>;

/** Kilograms kept to a milligram: 185 lb reads back as 185 lb, not 184.9. */
const kg = (value: number) => Math.round(value * 1e6) / 1e6;

/** A set as the athlete's unit writes it. */
export function setInUnits(s: StoredLoggedExercise["sets"][number], units: Units) {
  const w =
    units === "lb"
      ? { weightLb: Math.round((s.weightKg / KG_PER_LB) * 10) / 10 }
      : { weightKg: Math.round(s.weightKg * 1000) / 1000 };
  return { reps: s.reps, ...w, ...(s.repsInReserve !== undefined ? { repsInReserve: s.repsInReserve } : {}) };
}

const unitsOf = (athlete: Athlete): Units => readStoredSettings(athlete.settings).units ?? "kg";

/** The body's sets in kilograms; a weight in the other unit than the athlete's setting is refused. */
function exercisesInKg(body: LogBody, units: Units): StoredLoggedExercise[] {
  const problems: { field: string; message: string }[] = [];
  const out = body.exercises.map((e, i) => ({
    name: e.name,
    sets: e.sets.map((s, j) => {
      const given = units === "lb" ? s.weightLb : s.weightKg;
      if (given === undefined)
        problems.push({
          field: `exercises.${i}.sets.${j}`,
          message: `your units setting is ${units}: give weight${units === "lb" ? "Lb" : "Kg"}`,
        });
      const weightKg = kg(units === "lb" ? (given ?? 0) * KG_PER_LB : (given ?? 0));
      return {
        reps: s.reps,
        weightKg,
        ...(s.repsInReserve !== undefined ? { repsInReserve: s.repsInReserve } : {}),
      };
    }),
  }));
  if (problems.length > 0)
    throw new PlanError("invalid_input", problems.map((p) => `${p.field}: ${p.message}`).join("; "), {
      fields: problems,
    });
  return out;
}

/**
 * Stores the log of one session and marks it done (a new plan version whose diff
 * says so), or, when it was done already, asks for the re-plan the new sets call
 * for. A second log of the same session replaces the first.
 */
async function storeLog(
  deps: PlanDeps,
  athlete: Athlete,
  session: StoredSession,
  exercises: StoredLoggedExercise[],
  source: LogSource,
) {
  const tz = athlete.timezone;
  const now = deps.now();
  const date = localDate(session.startAt.getTime(), tz);
  if (date > localDate(now.getTime(), tz)) {
    throw new PlanError(
      "conflict",
      `Strength ${letterOf(session)} on ${when(session.startAt.getTime(), tz)} is still ahead; log it once you have done it`,
    );
  }
  await saveStrengthLog(
    deps.db,
    athlete.id,
    { sessionKey: session.sessionKey, date, session: letterOf(session), source, exercises },
    now,
  );
  const cause: ReplanCause = { type: "strength-log", source };
  if (session.status !== "done") {
    return markSession(deps, athlete, session.sessionKey, "done", {
      cause,
      because: source === "api" ? "you logged its sets" : "your watch recorded its sets",
    });
  }
  const followUps = await addFollowUps(deps.db, athlete.id, [replanFollowUp(cause)]);
  await queueFollowUps(deps, followUps);
  const plan = await latestPlan(deps.db, athlete.id);
  return { version: plan?.version ?? 0, session: sessionView(session, tz), changes: [] };
}

/** POST /api/sessions/{key}/log. */
export async function logSession(deps: PlanDeps, athlete: Athlete, key: string, body: LogBody) {
  const units = unitsOf(athlete);
  const exercises = exercisesInKg(body, units);
  const { session } = await sessionOf(deps, athlete.id, key);
  const result = await storeLog(deps, athlete, session, exercises, "api");
  return {
    ...result,
    log: {
      date: localDate(session.startAt.getTime(), athlete.timezone),
      units,
      exercises: exercises.map((e) => ({ name: e.name, sets: e.sets.map((s) => setInUnits(s, units)) })),
    },
  };
}

export interface StrengthHistory {
  units: Units;
  exercises: Array<{
    name: string;
    /** the lift it loads (one-rep max, progression), or null for a drill or another exercise */
    lift: Lift | null;
    sessions: Array<{
      date: string;
      session: string | null;
      source: LogSource;
      sets: Array<ReturnType<typeof setInUnits>>;
    }>;
  }>;
}

/** GET /api/strength-log: every logged session, per exercise, oldest first, in the athlete's unit. */
export async function strengthHistory(
  deps: Pick<PlanDeps, "db">,
  athlete: Athlete,
): Promise<StrengthHistory> {
  const units = unitsOf(athlete);
  const byName = new Map<string, StrengthHistory["exercises"][number]>();
  for (const log of await strengthLogsOf(deps.db, athlete.id)) {
    for (const e of log.exercises) {
      const key = e.name.trim().toLowerCase();
      let entry = byName.get(key);
      if (!entry) {
        entry = { name: e.name, lift: liftOf(e.name), sessions: [] };
        byName.set(key, entry);
      }
      entry.sessions.push({
        date: log.date,
        session: log.session,
        source: log.source,
        sets: e.sets.map((s) => setInUnits(s, units)),
      });
    }
  }
  return { units, exercises: [...byName.values()] };
}

// The planner's exercise names (domain/plan/sessions.ts), for recorded sets whose
// exercise the session being logged does not hold. Where two share Garmin's
// exercise, the first names it ("Calf raise" and "Heavy calf raise" are one lift).
const PLANNER_EXERCISES = [
  "Back squat",
  "Romanian deadlift",
  "Bulgarian split squat",
  "Step-up",
  "Heavy calf raise",
  "Calf raise",
  "Single-leg calf raise",
  "Box jump",
  "Single-leg hop",
  "Bounding",
];
const pairKey = (g: GarminExercise) => `${g.category}/${g.name}`;
const PLANNER_BY_GARMIN = new Map<string, string>();
for (const name of PLANNER_EXERCISES) {
  const g = garminExercise(name);
  if (g && !PLANNER_BY_GARMIN.has(pairKey(g))) PLANNER_BY_GARMIN.set(pairKey(g), name);
}

/** Garmin's spelling kept for an exercise the planner does not know: "GOBLET_SQUAT" → "Goblet squat". */
const garminName = (g: GarminExercise) => {
  const words = g.name.toLowerCase().replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
};

/**
 * Recorded sets as logged exercises, in the order first done: each set's Garmin
 * exercise is named as the session being logged names it, else as the planner
 * does, else by Garmin's own name; the session's reps in reserve (from the rated
 * effort) go on every set when the athlete rated it.
 */
export function loggedExercisesOf(
  recorded: Pick<RecordedStrength, "sets" | "repsInReserve">,
  planned: readonly Pick<Exercise, "name">[],
): StoredLoggedExercise[] {
  const inSession = new Map<string, string>();
  for (const e of planned) {
    const g = garminExercise(e.name);
    if (g && !inSession.has(pairKey(g))) inSession.set(pairKey(g), e.name);
  }
  const out = new Map<string, StoredLoggedExercise>();
  for (const s of recorded.sets) {
    const name = s.exercise
      ? (inSession.get(pairKey(s.exercise)) ??
        PLANNER_BY_GARMIN.get(pairKey(s.exercise)) ??
        garminName(s.exercise))
      : "Unknown exercise";
    let entry = out.get(name);
    if (!entry) {
      entry = { name, sets: [] };
      out.set(name, entry);
    }
    entry.sets.push({
      reps: s.reps,
      weightKg: kg(s.weightKg),
      ...(recorded.repsInReserve !== null ? { repsInReserve: recorded.repsInReserve } : {}),
    });
  }
  return [...out.values()];
}

/**
 * A Garmin or .FIT strength activity's sets as the log of the planned session on
 * its day (the nearest in time when there are two), which is then marked done.
 * Nothing is logged when no session was planned that day or no set was recorded.
 */
export async function logRecordedStrength(
  deps: PlanDeps,
  athlete: Athlete,
  recorded: RecordedStrength,
  source: Exclude<LogSource, "api">,
): Promise<{ logged: true; sessionKey: string; version: number } | { logged: false; reason: string }> {
  if (recorded.sets.length === 0) return { logged: false, reason: "no sets recorded" };
  const tz = athlete.timezone;
  const day = localDate(recorded.startMs, tz);
  const plan = await latestPlan(deps.db, athlete.id);
  const session = (plan?.sessions ?? [])
    .filter((s) => localDate(s.startAt.getTime(), tz) === day)
    .sort(
      (a, b) =>
        Math.abs(a.startAt.getTime() - recorded.startMs) - Math.abs(b.startAt.getTime() - recorded.startMs),
    )[0];
  if (!session) return { logged: false, reason: `no session planned on ${day}` };
  const result = await storeLog(
    deps,
    athlete,
    session,
    loggedExercisesOf(recorded, session.exercises),
    source,
  );
  return { logged: true, sessionKey: session.sessionKey, version: result.version };
}
