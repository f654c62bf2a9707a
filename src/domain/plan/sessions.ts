// What a session holds. The exercises are the evidence's sample sessions (A:
// quad/push, B: hamstring/pull); the phase sets reps and load as its
// periodisation table does, and an athlete new to lifting first spends 4 weeks
// on 12-15 light reps ("Starting too heavy" in the evidence). Every session keeps
// 3-5 compound exercises of 2-4 sets, at least one single-leg exercise and 1-2
// plyometric drills, and fits 30-45 min with warm-up.
import { addDays, daysBetween, type LocalDate } from "../time.ts";
import type { Exercise, Phase, SessionLetter } from "./input.ts";

/** How a session is loaded: a training phase, or the new athlete's form-learning weeks. */
export type Prescription = Phase | "form";

export const LEARNING_WEEKS = 4;

export interface SessionContent {
  exercises: Exercise[];
  durationMin: number;
  /** one line for the session's reasons, e.g. "build phase: 3-6 heavy reps at 75-85% 1RM" */
  summary: string;
}

const ex = (name: string, sets: number, reps: string, load: string): Exercise => ({ name, sets, reps, load });

const CONTENT: Record<
  Prescription,
  Record<SessionLetter, Exercise[]> & { durationMin: number; summary: string }
> = {
  form: {
    durationMin: 40,
    summary: "learning form: 12-15 light reps before heavy loads start",
    A: [
      ex("Back squat", 3, "12-15", "light: learn the movement, 3+ reps in reserve"),
      ex("Bulgarian split squat", 3, "12 each leg", "bodyweight or light dumbbells"),
      ex("Calf raise", 3, "15", "bodyweight"),
      ex("Box jump", 2, "5", "low box, land softly"),
    ],
    B: [
      ex("Romanian deadlift", 3, "12-15", "light: learn the hip hinge, 3+ reps in reserve"),
      ex("Step-up", 3, "12 each leg", "bodyweight or light dumbbells"),
      ex("Single-leg calf raise", 3, "15 each leg", "bodyweight"),
      ex("Single-leg hop", 2, "6 each leg", "low and quiet"),
    ],
  },
  base: {
    durationMin: 45,
    summary: "base phase: 8-10 reps at a moderate load",
    A: [
      ex("Back squat", 3, "8-10", "moderate: 65-70% 1RM, 2-3 reps in reserve"),
      ex("Bulgarian split squat", 3, "8-10 each leg", "moderate dumbbells"),
      ex("Heavy calf raise", 3, "10", "moderate"),
      ex("Box jump", 3, "5", "bodyweight, land softly"),
    ],
    B: [
      ex("Romanian deadlift", 3, "8-10", "moderate: 65-70% 1RM, 2-3 reps in reserve"),
      ex("Step-up", 3, "10 each leg", "moderate dumbbells"),
      ex("Single-leg calf raise", 3, "10 each leg", "bodyweight or light dumbbell"),
      ex("Single-leg hop", 3, "8 each leg", "bodyweight"),
    ],
  },
  build: {
    durationMin: 45,
    summary: "build phase: 3-6 heavy reps at 75-85% 1RM",
    A: [
      ex("Back squat", 4, "5", "75-85% 1RM, 1-2 reps in reserve"),
      ex("Bulgarian split squat", 3, "6 each leg", "heavy dumbbells, 1-2 reps in reserve"),
      ex("Heavy calf raise", 3, "8-10", "heavy"),
      ex("Box jump", 3, "5", "bodyweight, explosive take-off"),
    ],
    B: [
      ex("Romanian deadlift", 4, "5", "75-85% 1RM, 1-2 reps in reserve"),
      ex("Step-up", 3, "6 each leg", "heavy dumbbells, 1-2 reps in reserve"),
      ex("Single-leg calf raise", 3, "10 each leg", "loaded"),
      ex("Single-leg hop", 3, "8 each leg", "bodyweight"),
    ],
  },
  sharpening: {
    durationMin: 40,
    summary: "sharpening phase: 3-5 heavy reps plus plyometrics",
    A: [
      ex("Back squat", 3, "3-5", "85% 1RM, fast on the way up"),
      ex("Bulgarian split squat", 3, "5 each leg", "heavy dumbbells"),
      ex("Heavy calf raise", 3, "6-8", "heavy"),
      ex("Box jump", 4, "5", "bodyweight, explosive take-off"),
      ex("Bounding", 3, "20-30 m", "bodyweight"),
    ],
    B: [
      ex("Romanian deadlift", 3, "3-5", "85% 1RM, fast on the way up"),
      ex("Step-up", 3, "5 each leg", "heavy dumbbells"),
      ex("Single-leg calf raise", 3, "8 each leg", "heavy"),
      ex("Single-leg hop", 3, "8 each leg", "bodyweight"),
      ex("Box jump", 3, "5", "bodyweight, explosive take-off"),
    ],
  },
  taper: {
    durationMin: 30,
    summary: "taper: a short, light session to keep the gains",
    A: [
      ex("Back squat", 2, "3", "70-75% 1RM, crisp"),
      ex("Bulgarian split squat", 2, "5 each leg", "light dumbbells"),
      ex("Box jump", 2, "3", "bodyweight"),
    ],
    B: [
      ex("Romanian deadlift", 2, "3", "70-75% 1RM, crisp"),
      ex("Step-up", 2, "5 each leg", "light dumbbells"),
      ex("Single-leg hop", 2, "5 each leg", "bodyweight"),
    ],
  },
};

/**
 * Which prescription a session on `date` follows. A new athlete learns form for the
 * first 4 weeks from `learningFrom` (their liftingSince); the taper stays a taper.
 */
export function prescriptionFor(phase: Phase, date: LocalDate, learningFrom: LocalDate | null): Prescription {
  if (learningFrom === null || phase === "taper") return phase;
  const d = daysBetween(learningFrom, date);
  return d < LEARNING_WEEKS * 7 ? "form" : phase;
}

export function sessionContent(letter: SessionLetter, prescription: Prescription): SessionContent {
  const c = CONTENT[prescription];
  return {
    exercises: c[letter].map((e) => ex(e.name, e.sets, e.reps, e.load)),
    durationMin: c.durationMin,
    summary: c.summary,
  };
}

/** A session's length in minutes; the same for A and B. */
export function sessionMinutes(prescription: Prescription): number {
  return CONTENT[prescription].durationMin;
}

/** The last date of the learning weeks, for a reason such as "light weeks until 2027-01-03". */
export function learningEnds(learningFrom: LocalDate): LocalDate {
  return addDays(learningFrom, LEARNING_WEEKS * 7 - 1);
}
