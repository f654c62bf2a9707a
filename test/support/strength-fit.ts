// A strength activity's .FIT file as a Garmin watch records it, for tests: built
// with @garmin/fitsdk's Encoder, set by set (working sets and the rests between).
import {
  type ActivityMesg,
  Encoder,
  type FileIdMesg,
  Profile,
  type SessionMesg,
  type SetMesg,
} from "@garmin/fitsdk";
import { fitExercise } from "../../src/integrations/fit/workout.ts";
import { type GarminExercise, garminExercise } from "../../src/integrations/garmin-training/exercises.ts";

const mesgNum = (name: string) => Profile.MesgNum[name] as number;

export interface FitSet {
  exercise: GarminExercise;
  reps: number;
  weightKg: number;
}

/**
 * A strength activity as a Garmin watch records it: FILE_ID (activity), one
 * `set` message per set with a rest `set` after each, the SESSION (training /
 * strengthTraining, with the effort the athlete rated) and the ACTIVITY.
 */
export function strengthFit(start: Date, sets: FitSet[], workoutRpe?: number): Uint8Array {
  const encoder = new Encoder();
  const fileId: FileIdMesg = {
    type: "activity",
    manufacturer: "garmin",
    product: 3113,
    serialNumber: 3_400_000_001,
    timeCreated: start,
  };
  encoder.onMesg(mesgNum("FILE_ID"), fileId);
  let t = start.getTime();
  let index = 0;
  for (const s of sets) {
    const ex = fitExercise(s.exercise);
    const active: SetMesg = {
      timestamp: new Date(t + 40_000),
      startTime: new Date(t),
      duration: 40,
      setType: "active",
      repetitions: s.reps,
      weight: s.weightKg,
      ...(ex
        ? { category: [ex.category as NonNullable<SetMesg["category"]>[number]], categorySubtype: [ex.name] }
        : {}),
      messageIndex: index++,
    };
    encoder.onMesg(mesgNum("SET"), active);
    t += 40_000;
    const rest: SetMesg = {
      timestamp: new Date(t + 120_000),
      startTime: new Date(t),
      duration: 120,
      setType: "rest",
      messageIndex: index++,
    };
    encoder.onMesg(mesgNum("SET"), rest);
    t += 120_000;
  }
  const end = new Date(t);
  const elapsed = (t - start.getTime()) / 1000;
  const session: SessionMesg = {
    timestamp: end,
    startTime: start,
    sport: "training",
    subSport: "strengthTraining",
    totalElapsedTime: elapsed,
    totalTimerTime: elapsed,
    ...(workoutRpe !== undefined ? { workoutRpe } : {}),
  };
  encoder.onMesg(mesgNum("SESSION"), session);
  const activity: ActivityMesg = {
    timestamp: end,
    numSessions: 1,
    type: "manual",
    // Berlin in December: UTC+1.
    localTimestamp: Math.round(end.getTime() / 1000) - 631_065_600 + 3600,
  };
  encoder.onMesg(mesgNum("ACTIVITY"), activity);
  return encoder.close();
}

export const pair = (name: string): GarminExercise => {
  const g = garminExercise(name);
  if (!g) throw new Error(`no Garmin exercise for ${name}`);
  return g;
};
export const times = (n: number, set: FitSet): FitSet[] => Array.from({ length: n }, () => set);
