// The lifts a session loads and the exercise names the planner prints for them
// (plan/sessions.ts). Box jumps, hops and bounding are plyometrics: bodyweight,
// no one-rep max, no load. "Calf raise" (the form weeks) and "Heavy calf raise"
// are the same lift at different loads.

export const LIFTS = [
  "backSquat",
  "romanianDeadlift",
  "bulgarianSplitSquat",
  "stepUp",
  "calfRaise",
  "singleLegCalfRaise",
] as const;

export type Lift = (typeof LIFTS)[number];

const BY_NAME: ReadonlyMap<string, Lift> = new Map([
  ["back squat", "backSquat"],
  ["romanian deadlift", "romanianDeadlift"],
  ["bulgarian split squat", "bulgarianSplitSquat"],
  ["step-up", "stepUp"],
  ["calf raise", "calfRaise"],
  ["heavy calf raise", "calfRaise"],
  ["single-leg calf raise", "singleLegCalfRaise"],
]);

/**
 * The lift an exercise name stands for, or null (a plyometric drill, or a name the
 * planner does not print). Case and surrounding spaces do not matter: a logged
 * "back squat" is the planner's "Back squat".
 */
export function liftOf(exerciseName: string): Lift | null {
  return BY_NAME.get(exerciseName.trim().toLowerCase()) ?? null;
}
