// A planned session as a Training API V2 workout. Shape: Garmin's Training API V2
// document (workoutportal/workout/v2 body: segments[].steps[], WorkoutRepeatStep
// with REPEAT_UNTIL_STEPS_CMPLT and nested steps, REPS and FIXED_REST durations,
// exerciseCategory/exerciseName, weightValue in kg), as a production app posts it
// (test/fixtures/garmin/training_api_v2_strength_adapt2life_fixture.json) and as
// the v1 strength example lays out a repeat (…_v1_strength_convex-wearables.json).
import { type ExerciseStep, exerciseLine } from "./exercises.ts";

/** Garmin caps workoutProvider and workoutSourceId at 20 characters, a description at 1024. */
const PROVIDER = "runstrong";
const DESCRIPTION_MAX = 1024;

export interface SessionWorkout {
  /** "Strength A", the name the watch lists */
  name: string;
  /** the phase and why, first line of the description */
  summary: string;
  steps: ExerciseStep[];
}

export interface GarminWorkoutStep {
  type: "WorkoutStep";
  stepOrder: number;
  intensity: "ACTIVE" | "REST";
  description: string | null;
  durationType: "REPS" | "FIXED_REST" | "OPEN";
  durationValue: number | null;
  exerciseCategory: string | null;
  exerciseName: string | null;
  weightValue: number | null;
  weightDisplayUnit: "KILOGRAM" | null;
}

export interface GarminRepeatStep {
  type: "WorkoutRepeatStep";
  stepOrder: number;
  repeatType: "REPEAT_UNTIL_STEPS_CMPLT";
  repeatValue: number;
  skipLastRestStep: boolean;
  steps: GarminWorkoutStep[];
}

export interface GarminWorkout {
  workoutName: string;
  description: string;
  sport: "STRENGTH_TRAINING";
  workoutProvider: string;
  workoutSourceId: string;
  segments: {
    segmentOrder: number;
    sport: "STRENGTH_TRAINING";
    steps: (GarminWorkoutStep | GarminRepeatStep)[];
  }[];
}

export function garminWorkout(session: SessionWorkout): GarminWorkout {
  let order = 0;
  const steps = session.steps.map((s): GarminRepeatStep => {
    const repeatOrder = ++order;
    const work: GarminWorkoutStep = {
      type: "WorkoutStep",
      stepOrder: ++order,
      intensity: "ACTIVE",
      description: `${s.title}: ${s.repsText}, ${s.loadText}`.slice(0, 512),
      // A prescription that is not a count ("20-30 m") ends with the lap key.
      durationType: s.reps !== null ? "REPS" : "OPEN",
      durationValue: s.reps,
      exerciseCategory: s.garmin?.category ?? null,
      exerciseName: s.garmin?.name ?? null,
      weightValue: s.weightKg,
      weightDisplayUnit: s.weightKg !== null ? "KILOGRAM" : null,
    };
    const rest: GarminWorkoutStep = {
      type: "WorkoutStep",
      stepOrder: ++order,
      intensity: "REST",
      description: null,
      durationType: "FIXED_REST",
      durationValue: s.restSeconds,
      exerciseCategory: null,
      exerciseName: null,
      weightValue: null,
      weightDisplayUnit: null,
    };
    return {
      type: "WorkoutRepeatStep",
      stepOrder: repeatOrder,
      repeatType: "REPEAT_UNTIL_STEPS_CMPLT",
      repeatValue: s.sets,
      skipLastRestStep: true,
      steps: [work, rest],
    };
  });
  return {
    workoutName: session.name,
    description: [session.summary, ...session.steps.map(exerciseLine)].join("\n").slice(0, DESCRIPTION_MAX),
    sport: "STRENGTH_TRAINING",
    workoutProvider: PROVIDER,
    workoutSourceId: PROVIDER,
    segments: [{ segmentOrder: 1, sport: "STRENGTH_TRAINING", steps }],
  };
}
