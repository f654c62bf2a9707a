// A session as a .FIT workout decodes with Garmin's own Decoder back into the
// same exercises, sets, reps and weights; and every exercise the planner writes
// has a Garmin category and name that the FIT profile knows.
import { Decoder, Stream, type WorkoutStepMesg } from "@garmin/fitsdk";
import { describe, expect, it } from "vitest";
import type { Exercise, Phase, SessionLetter } from "../../src/domain/plan/input.ts";
import { sessionContent } from "../../src/domain/plan/sessions.ts";
import { encodeFitWorkout, fitExercise } from "../../src/integrations/fit/workout.ts";
import { exerciseSteps, garminExercise, repsOf } from "../../src/integrations/garmin-training/exercises.ts";

interface Decoded {
  category: string | undefined;
  name: number | undefined;
  sets: number;
  reps: number | null;
  weightKg: number | null;
}

/** Reads the steps back the way a watch walks them: a repeat step closes the exercise it points at. */
function exercisesIn(steps: WorkoutStepMesg[]): Decoded[] {
  const out: Decoded[] = [];
  const byIndex = new Map<number, Decoded>();
  for (const s of steps) {
    if (s.durationType === "repeatUntilStepsCmplt") {
      const target = byIndex.get(Number(s.durationValue));
      if (target) target.sets = Number(s.targetValue);
      continue;
    }
    if (s.intensity === "rest") continue;
    const d: Decoded = {
      category: s.exerciseCategory as string | undefined,
      name: s.exerciseName as number | undefined,
      sets: 1,
      reps: s.durationType === "reps" ? Number(s.durationValue) : null,
      weightKg: s.exerciseWeight === undefined ? null : Number(s.exerciseWeight),
    };
    out.push(d);
    byIndex.set(Number(s.messageIndex), d);
  }
  return out;
}

function decode(bytes: Uint8Array) {
  const decoder = new Decoder(Stream.fromByteArray(Array.from(bytes)));
  expect(decoder.isFIT()).toBe(true);
  expect(decoder.checkIntegrity()).toBe(true);
  const { messages, errors } = decoder.read();
  expect(errors).toEqual([]);
  return messages;
}

describe(".FIT workout", () => {
  it("decodes back into the same exercises, sets, reps and weights", () => {
    const exercises: Exercise[] = [
      { name: "Back squat", sets: 4, reps: "5", load: "75-85% 1RM", loadKg: 82.5 },
      { name: "Bulgarian split squat", sets: 3, reps: "6 each leg", load: "heavy dumbbells", loadKg: 16 },
      { name: "Heavy calf raise", sets: 3, reps: "8-10", load: "heavy" },
      { name: "Box jump", sets: 3, reps: "5", load: "bodyweight" },
      { name: "Single-leg hop", sets: 1, reps: "8 each leg", load: "bodyweight" },
    ];
    const bytes = encodeFitWorkout({
      name: "Strength A",
      steps: exerciseSteps(exercises),
      createdAt: new Date("2026-12-07T04:00:00Z"),
    });
    const messages = decode(bytes);
    expect(messages.fileIdMesgs?.[0]?.type).toBe("workout");
    expect(messages.workoutMesgs?.[0]).toMatchObject({
      wktName: "Strength A",
      sport: "training",
      subSport: "strengthTraining",
      numValidSteps: messages.workoutStepMesgs?.length,
    });
    expect(exercisesIn(messages.workoutStepMesgs ?? [])).toEqual([
      // Numbers: the FIT profile's squat, lunge, calfRaise and plyo tables.
      { category: "squat", name: 6, sets: 4, reps: 5, weightKg: 82.5 },
      { category: "lunge", name: 18, sets: 3, reps: 6, weightKg: 16 },
      { category: "calfRaise", name: 18, sets: 3, reps: 8, weightKg: null },
      { category: "plyo", name: 33, sets: 3, reps: 5, weightKg: null },
      { category: "plyo", name: 17, sets: 1, reps: 8, weightKg: null },
    ]);
    // A rest of 2 minutes (in ms) follows each set of a repeated exercise.
    const rests = (messages.workoutStepMesgs ?? []).filter((s) => s.intensity === "rest");
    expect(rests).toHaveLength(4);
    for (const r of rests) expect(r).toMatchObject({ durationType: "time", durationValue: 120_000 });
  });

  it("keeps a prescription that is not a count as an open step", () => {
    const bytes = encodeFitWorkout({
      name: "Strength A",
      steps: exerciseSteps([{ name: "Bounding", sets: 3, reps: "20-30 m", load: "bodyweight" }]),
      createdAt: new Date("2026-12-07T04:00:00Z"),
    });
    expect(exercisesIn(decode(bytes).workoutStepMesgs ?? [])).toEqual([
      { category: "plyo", name: 17, sets: 3, reps: null, weightKg: null },
    ]);
  });
});

describe("Garmin exercise names", () => {
  const phases: ("form" | Phase)[] = ["form", "base", "build", "sharpening", "taper"];
  const letters: SessionLetter[] = ["A", "B"];
  const names = new Set(
    phases.flatMap((p) => letters.flatMap((l) => sessionContent(l, p).exercises.map((e) => e.name))),
  );

  it.each([...names])("%s has a category and name the FIT profile knows", (name) => {
    const garmin = garminExercise(name);
    expect(garmin).not.toBeNull();
    expect(fitExercise(garmin ?? { category: "", name: "" })).not.toBeNull();
  });

  it("reads reps a watch can count", () => {
    expect(repsOf("5")).toBe(5);
    expect(repsOf("8-10")).toBe(8);
    expect(repsOf("12 each leg")).toBe(12);
    expect(repsOf("8-10 each leg")).toBe(8);
    expect(repsOf("20-30 m")).toBeNull();
  });
});
