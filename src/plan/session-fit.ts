// A planned session as a .FIT workout file (GET /api/sessions/{key}.fit), for
// athletes who copy it to their watch's Garmin/NewFiles folder. The FIT encoder
// (and with it @garmin/fitsdk, about 14 MB resident) is imported on the first
// file asked for, not at start (bench/rss.ts).
import type { Database } from "../db/client.ts";
import { latestPlan } from "../db/repos/plans.ts";
import { localDate } from "../domain/time.ts";
import { exerciseSteps } from "../integrations/garmin-training/exercises.ts";
import { PlanError } from "./errors.ts";
import { exercisesOf } from "./exercises.ts";

export async function sessionFitFile(
  db: Database,
  athlete: { id: number; timezone: string },
  sessionKey: string,
  now: Date,
): Promise<{ file: Uint8Array; filename: string }> {
  const plan = await latestPlan(db, athlete.id);
  const s = plan?.sessions.find((x) => x.sessionKey === sessionKey);
  if (!s) throw new PlanError("not_found", "no session with this key in your current plan");
  const date = localDate(s.startAt.getTime(), athlete.timezone);
  const { encodeFitWorkout } = await import("../integrations/fit/workout.ts");
  const file = encodeFitWorkout({
    name: `Strength ${s.session} ${date.slice(5)}`,
    steps: exerciseSteps(exercisesOf(s.exercises)),
    createdAt: now,
  });
  return { file, filename: `runstrong-${date}-strength-${s.session.toLowerCase()}.fit` };
}
