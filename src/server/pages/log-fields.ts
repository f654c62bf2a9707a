// The fields of /plan's "Done — record sets" form, read and written one way: per
// exercise its name (ex-<i>-name, hidden), per set its reps and load
// (ex-<i>-set-<j>-reps / -load) in the athlete's unit. Reading turns the form into
// the body POST /api/sessions/:key/log takes, checked by that route's own schema
// (logBodySchema), so the page and the API store the same rows for the same sets;
// each refusal is kept under the name of the field it is about.
import type { StoredLoggedExercise } from "../../db/schema/strength.ts";
import type { Exercise } from "../../domain/plan/input.ts";
import { KG_PER_LB, type Units } from "../../domain/strength/loadable.ts";
import { type LogBody, logBodySchema, setInUnits } from "../../plan/strength-log.ts";

/** What the form shows: each exercise's sets as the athlete typed them (or the prefill). */
export interface LogFormValues {
  exercises: Array<{ name: string; sets: Array<{ reps: string; load: string }> }>;
}

/** A refusal of the whole form, not of one field (too many exercises, none at all). */
export const FORM_ERROR = "_form";

export const nameField = (i: number) => `ex-${i}-name`;
export const repsField = (i: number, j: number) => `ex-${i}-set-${j}-reps`;
export const loadField = (i: number, j: number) => `ex-${i}-set-${j}-load`;

// One past the schema's limits, so that a longer form is refused by the schema, not cut short.
const MAX_EXERCISES = 21;
const MAX_SETS = 51;

/** Control characters never go back into the page: the browser would show them as boxes. */
const printable = (s: string) => s.replace(/\p{Cc}/gu, "");

/** The first whole number of a planned "8-10 each leg": what "Done" with no change records. */
function plannedReps(reps: string): string {
  return /\d+/.exec(reps)?.[0] ?? "0";
}

/** Kilograms as the athlete's unit writes them: pounds to 0.1, kilograms to the gram. */
export function loadInUnits(kg: number, units: Units): string {
  return units === "lb"
    ? String(Math.round((kg / KG_PER_LB) * 10) / 10)
    : String(Math.round(kg * 1000) / 1000);
}

/** The form as the plan prescribes the session: its sets, the first of its reps, its load (0 when none is set). */
export function prefillFromPlan(exercises: readonly Exercise[], units: Units): LogFormValues {
  return {
    exercises: exercises.map((e) => ({
      name: e.name,
      sets: Array.from({ length: e.sets }, () => ({
        reps: plannedReps(e.reps),
        load: e.loadKg !== undefined ? loadInUnits(e.loadKg, units) : "0",
      })),
    })),
  };
}

/** The form as the session was logged, to change it. */
export function prefillFromLog(exercises: readonly StoredLoggedExercise[], units: Units): LogFormValues {
  return {
    exercises: exercises.map((e) => ({
      name: e.name,
      sets: e.sets.map((s) => {
        const shown = setInUnits(s, units);
        return { reps: String(s.reps), load: String(shown.weightLb ?? shown.weightKg ?? 0) };
      }),
    })),
  };
}

export interface ReadLogForm {
  values: LogFormValues;
  /** field name → the refusal's words; empty when `body` is set */
  errors: Record<string, string>;
  body: LogBody | null;
}

const NUMBER = /^-?\d+(\.\d+)?$/;

/** The form's fields as POST /api/sessions/:key/log's body, or each field's refusal. */
export function readLogForm(form: Record<string, unknown>, units: Units): ReadLogForm {
  const text = (name: string) => {
    const v = form[name];
    return typeof v === "string" ? v : undefined;
  };
  const errors: Record<string, string> = {};
  const typed: Array<{ name: string; sets: Array<{ reps: string; load: string }> }> = [];
  for (let i = 0; i < MAX_EXERCISES; i++) {
    const name = text(nameField(i));
    if (name === undefined) break;
    const sets: Array<{ reps: string; load: string }> = [];
    for (let j = 0; j < MAX_SETS; j++) {
      const reps = text(repsField(i, j));
      if (reps === undefined) break;
      sets.push({ reps, load: text(loadField(i, j)) ?? "" });
    }
    typed.push({ name, sets });
  }
  const weightKey = units === "lb" ? "weightLb" : "weightKg";
  const candidate = {
    exercises: typed.map((e, i) => ({
      name: e.name,
      sets: e.sets.map((s, j) => {
        const reps = s.reps.trim();
        const load = s.load.trim();
        if (!NUMBER.test(reps)) errors[repsField(i, j)] = "give the reps as a whole number, such as 8";
        if (!NUMBER.test(load))
          errors[loadField(i, j)] =
            `give the load in ${units} as a number, such as ${units === "lb" ? 135 : 60}; 0 for bodyweight`;
        return { reps: Number(reps), [weightKey]: Number(load) };
      }),
    })),
  };
  const values: LogFormValues = {
    exercises: typed.map((e) => ({
      name: printable(e.name),
      sets: e.sets.map((s) => ({ reps: printable(s.reps), load: printable(s.load) })),
    })),
  };
  const parsed = logBodySchema.safeParse(candidate);
  if (parsed.success && Object.keys(errors).length === 0) return { values, errors, body: parsed.data };
  for (const issue of parsed.success ? [] : parsed.error.issues) {
    const field = fieldOf(issue.path);
    errors[field] ??= issue.message;
  }
  return { values, errors, body: null };
}

/** The form field a schema issue is about: exercises.1.sets.2.weightKg → ex-1-set-2-load. */
function fieldOf(path: readonly PropertyKey[]): string {
  const [top, i, part, j, leaf] = path;
  if (top !== "exercises" || typeof i !== "number") return FORM_ERROR;
  if (part === "name") return nameField(i);
  if (part !== "sets" || typeof j !== "number") return nameField(i);
  if (leaf === "reps") return repsField(i, j);
  return loadField(i, j);
}

/** The refusals in one line for the page's alert: "Back squat, set 2 load: Too small: …". */
export function errorSummary(values: LogFormValues, errors: Record<string, string>): string {
  const out: string[] = [];
  if (errors[FORM_ERROR]) out.push(errors[FORM_ERROR]);
  values.exercises.forEach((e, i) => {
    const exercise = e.name || `Exercise ${i + 1}`;
    const own = errors[nameField(i)];
    if (own) out.push(`${exercise}: ${own}`);
    e.sets.forEach((_, j) => {
      for (const [field, what] of [
        [repsField(i, j), "reps"],
        [loadField(i, j), "load"],
      ] as const) {
        const message = errors[field];
        if (message) out.push(`${exercise}, set ${j + 1} ${what}: ${message}`);
      }
    });
  });
  return out.join("; ");
}
