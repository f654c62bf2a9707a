// The sets of a strength activity as a watch records them: FIT `set` messages
// (FIT profile, message 225: repetitions, weight in kg, set_type active/rest,
// category and category_subtype, the number in that category's exercise-name
// table). Garmin writes them into strength-training activities; the rest
// periods between sets are `set` messages too, and are left out. Decoded with
// @garmin/fitsdk and validated with zod like every other outside input.
import { Decoder, Profile, Stream } from "@garmin/fitsdk";
import { z } from "zod";
import { ActivityParseError } from "../../domain/activity.ts";
import type { GarminExercise } from "../garmin-training/exercises.ts";

export interface RecordedSet {
  /** Garmin's category and exercise name ("SQUAT", "BARBELL_BACK_SQUAT"); null when the watch did not say */
  exercise: GarminExercise | null;
  reps: number;
  weightKg: number;
  startMs: number | null;
}

export interface RecordedStrength {
  /** the session's start */
  startMs: number;
  sets: RecordedSet[];
  /**
   * Reps in reserve for the whole session, from the effort the athlete rated on
   * the watch (session.workout_rpe, Borg CR10 x 10) as RIR = 10 - RPE (the
   * RIR-based RPE scale, Zourdos et al. 2016); null when not rated.
   */
  repsInReserve: number | null;
}

const enumList = z
  .union([z.array(z.union([z.string(), z.number()])), z.string(), z.number()])
  .transform((v) => (Array.isArray(v) ? v : [v]).map(String));
const numberList = z.union([z.array(z.number()), z.number()]).transform((v) => (Array.isArray(v) ? v : [v]));

const setSchema = z.object({
  setType: z.union([z.string(), z.number()]).transform(String).optional(),
  repetitions: z.number().int().nonnegative().optional(),
  weight: z.number().nonnegative().optional(),
  category: enumList.optional(),
  categorySubtype: numberList.optional(),
  startTime: z.date().optional(),
  timestamp: z.date().optional(),
});

const sessionSchema = z.object({
  startTime: z.date(),
  workoutRpe: z.number().min(0).max(100).optional(),
});

/** "barbellBackSquat" → "BARBELL_BACK_SQUAT": the Training API's spelling of the FIT profile's names. */
const screaming = (camel: string) => camel.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toUpperCase();

/** A set's exercise as Garmin names it, from the FIT category and the number in its name table. */
function exerciseOf(category: string | undefined, subtype: number | undefined): GarminExercise | null {
  if (category === undefined || /^\d+$/.test(category) || category === "unknown") return null;
  const table = Profile.types[`${category}ExerciseName`] ?? {};
  const name = subtype === undefined ? undefined : table[subtype];
  return {
    category: screaming(category),
    name: typeof name === "string" ? screaming(name) : screaming(category),
  };
}

/** The working sets of a FIT strength activity; throws ActivityParseError when it is no FIT activity. */
export function fitStrengthSets(bytes: Uint8Array): RecordedStrength {
  let messages: Record<string, unknown[] | undefined>;
  try {
    const decoder = new Decoder(Stream.fromBuffer(bytes));
    if (!decoder.isFIT()) throw new ActivityParseError("not a FIT file (no .FIT header)");
    messages = decoder.read({ convertDateTimesToDates: true, convertTypesToStrings: true })
      .messages as unknown as Record<string, unknown[] | undefined>;
  } catch (e) {
    if (e instanceof ActivityParseError) throw e;
    throw new ActivityParseError(`FIT decoding failed: ${e instanceof Error ? e.message : String(e)}`);
  }
  const session = (messages.sessionMesgs ?? [])
    .map((m) => sessionSchema.safeParse(m))
    .find((p) => p.success)?.data;
  if (!session)
    throw new ActivityParseError("no activity summary could be read: the file has no session message");
  const sets: RecordedSet[] = [];
  for (const raw of messages.setMesgs ?? []) {
    const parsed = setSchema.safeParse(raw);
    if (!parsed.success) continue;
    const s = parsed.data;
    // Rest periods are sets of their own; a set without counted reps (a timed hold) loads nothing.
    if (s.setType === "rest" || s.repetitions === undefined || s.repetitions === 0) continue;
    sets.push({
      exercise: exerciseOf(s.category?.[0], s.categorySubtype?.[0]),
      reps: s.repetitions,
      weightKg: s.weight ?? 0,
      startMs: (s.startTime ?? s.timestamp)?.getTime() ?? null,
    });
  }
  const rpe = session.workoutRpe;
  return {
    startMs: session.startTime.getTime(),
    sets,
    repsInReserve: rpe === undefined ? null : Math.max(0, Math.round(20 - rpe / 5) / 2),
  };
}
