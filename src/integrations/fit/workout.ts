// A planned session as a FIT workout file, for athletes who copy it to their
// watch (Garmin/NewFiles). Encoded with @garmin/fitsdk's Encoder. Layout as the
// FIT SDK's workout examples (test/fixtures/fit/sdk_workout_*.fit): FILE_ID of type
// workout, one WORKOUT, then the steps; a repeat is a step after the steps it
// repeats (durationType repeatUntilStepsCmplt, durationValue = the index to go
// back to, targetValue = how many times). Strength steps: durationType reps,
// exerciseCategory by name, exerciseName as the category table's number,
// exerciseWeight in kg; time durations are milliseconds.
import { Encoder, type FileIdMesg, Profile, type WorkoutMesg, type WorkoutStepMesg } from "@garmin/fitsdk";
import type { ExerciseStep, GarminExercise } from "../garmin-training/exercises.ts";

export interface FitWorkoutInput {
  name: string;
  steps: ExerciseStep[];
  /** the file's creation time (FIT time_created) */
  createdAt: Date;
}

/** "STANDING_CALF_RAISE" → "standingCalfRaise": the FIT profile's spelling of Garmin's names. */
export function camelOf(screaming: string): string {
  return screaming.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The FIT numbers of an exercise: its category's enum value and its name in that category's table. */
export function fitExercise(g: GarminExercise): { category: string; name: number } | null {
  const category = camelOf(g.category);
  const categories = Profile.types.exerciseCategory ?? {};
  if (!Object.values(categories).includes(category)) return null;
  const table = Profile.types[`${category}ExerciseName`] ?? {};
  const name = camelOf(g.name);
  const entry = Object.entries(table).find(([, v]) => v === name);
  return entry ? { category, name: Number(entry[0]) } : null;
}

/** FIT caps a workout step's name at 16 bytes on many watches: keep them short. */
const short = (s: string, n: number) => (s.length > n ? s.slice(0, n) : s);

function mesgNum(name: string): number {
  const n = Profile.MesgNum[name];
  if (n === undefined) throw new Error(`the FIT profile has no message ${name}`);
  return n;
}

export function encodeFitWorkout(input: FitWorkoutInput): Uint8Array {
  const steps: WorkoutStepMesg[] = [];
  for (const s of input.steps) {
    const first = steps.length;
    const ex = s.garmin ? fitExercise(s.garmin) : null;
    steps.push({
      messageIndex: steps.length,
      wktStepName: short(s.title, 32),
      durationType: s.reps !== null ? "reps" : "open",
      ...(s.reps !== null ? { durationValue: s.reps } : {}),
      targetType: "open",
      intensity: "active",
      notes: short(`${s.repsText}, ${s.loadText}`, 50),
      ...(ex
        ? { exerciseCategory: ex.category as WorkoutStepMesg["exerciseCategory"], exerciseName: ex.name }
        : {}),
      ...(s.weightKg !== null ? { exerciseWeight: s.weightKg, weightDisplayUnit: "kilogram" } : {}),
    });
    if (s.sets > 1) {
      steps.push({
        messageIndex: steps.length,
        durationType: "time",
        durationValue: s.restSeconds * 1000,
        targetType: "open",
        intensity: "rest",
      });
      steps.push({
        messageIndex: steps.length,
        durationType: "repeatUntilStepsCmplt",
        durationValue: first,
        targetType: "open",
        targetValue: s.sets,
      });
    }
  }
  const fileId: FileIdMesg = {
    type: "workout",
    manufacturer: "development",
    product: 0,
    timeCreated: input.createdAt,
    serialNumber: 1,
  };
  const workout: WorkoutMesg = {
    wktName: short(input.name, 32),
    sport: "training",
    subSport: "strengthTraining",
    numValidSteps: steps.length,
  };
  const encoder = new Encoder();
  encoder.onMesg(mesgNum("FILE_ID"), fileId);
  encoder.onMesg(mesgNum("WORKOUT"), workout);
  for (const step of steps) encoder.onMesg(mesgNum("WORKOUT_STEP"), step);
  return encoder.close();
}
