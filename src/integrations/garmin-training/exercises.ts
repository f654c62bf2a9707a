// The planner's exercises as Garmin knows them, and a session as the steps a
// watch walks through. Shared by the Training API push and the .FIT download.
//
// Category and name pairs: Garmin's list is an appendix of the Training API that
// is not public; these pairs were cross-checked in several public catalogs and
// integrations, and each is in the FIT profile's exercise tables (@garmin/fitsdk
// 21.x Profile.types.*ExerciseName), whose camelCase names are the API's
// SCREAMING_SNAKE ones (test/unit/fit-workout.test.ts checks every pair there).
import type { Exercise } from "../../domain/plan/input.ts";

export interface GarminExercise {
  /** e.g. "SQUAT" */
  category: string;
  /** e.g. "BARBELL_BACK_SQUAT" */
  name: string;
}

const CATALOG: Record<string, GarminExercise> = {
  "back squat": { category: "SQUAT", name: "BARBELL_BACK_SQUAT" },
  "bulgarian split squat": { category: "LUNGE", name: "DUMBBELL_BULGARIAN_SPLIT_SQUAT" },
  "calf raise": { category: "CALF_RAISE", name: "STANDING_CALF_RAISE" },
  "heavy calf raise": { category: "CALF_RAISE", name: "STANDING_CALF_RAISE" },
  "single-leg calf raise": { category: "CALF_RAISE", name: "SINGLE_LEG_STANDING_CALF_RAISE" },
  "box jump": { category: "PLYO", name: "BOX_JUMP" },
  "romanian deadlift": { category: "DEADLIFT", name: "ROMANIAN_DEADLIFT" },
  "step-up": { category: "SQUAT", name: "STEP_UP" },
  // Garmin's tables have no single-leg hop nor bounding: the nearest plyometric
  // drill, with the planner's own name in the step's description.
  "single-leg hop": { category: "PLYO", name: "LATERAL_LEAP_AND_HOP" },
  bounding: { category: "PLYO", name: "LATERAL_LEAP_AND_HOP" },
};

/** Garmin's category and name for one of the planner's exercises, or null for a name it does not know. */
export function garminExercise(name: string): GarminExercise | null {
  return CATALOG[name.trim().toLowerCase()] ?? null;
}

/** Rest between sets: the evidence's 2-3 minutes (docs/DESIGN: session contents). */
export const REST_SECONDS = 120;

/** One exercise as a watch counts it: `sets` rounds of `reps` (null: until the lap key) then a rest. */
export interface ExerciseStep {
  /** the planner's name, e.g. "Bulgarian split squat" */
  title: string;
  garmin: GarminExercise | null;
  sets: number;
  /** whole reps per set; null when the prescription is not a count ("20-30 m") */
  reps: number | null;
  /** the prescription as written ("8-10 each leg"), for the description */
  repsText: string;
  /** kilograms, when the plan knows the load (issue 13's loadKg) */
  weightKg: number | null;
  /** the load as written ("moderate dumbbells") */
  loadText: string;
  restSeconds: number;
}

/**
 * Reps a watch can count: the low end of a range ("8-10" → 8, "12 each leg" → 12),
 * so a set ends where the prescription allows it to; a distance or time is not reps.
 */
export function repsOf(text: string): number | null {
  const m = /^\s*(\d+)(?:\s*-\s*\d+)?(\s+each\s+(?:leg|side|arm))?\s*$/i.exec(text);
  return m ? Number(m[1]) : null;
}

export function exerciseSteps(exercises: readonly Exercise[]): ExerciseStep[] {
  return exercises.map((e) => ({
    title: e.name,
    garmin: garminExercise(e.name),
    sets: Math.max(1, Math.round(e.sets)),
    reps: repsOf(e.reps),
    repsText: e.reps,
    weightKg: typeof e.loadKg === "number" && e.loadKg > 0 ? e.loadKg : null,
    loadText: e.load,
    restSeconds: REST_SECONDS,
  }));
}

/** "Back squat 4×5 @ 80 kg (75-85% 1RM)": one line per exercise, for descriptions. */
export function exerciseLine(step: ExerciseStep): string {
  const load = step.weightKg !== null ? ` @ ${step.weightKg} kg` : "";
  return `${step.title} ${step.sets}×${step.repsText}${load} (${step.loadText})`;
}
