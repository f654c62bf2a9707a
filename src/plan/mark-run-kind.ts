import type { Athlete } from "../db/repos/athletes.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { activityOfAthlete, setKindOverride } from "../db/repos/overrides.ts";
import { queueFollowUps } from "../workers/outbox.ts";
import { type ActivityView, activityView } from "./activity-view.ts";
import type { ReplanCause } from "./cause.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { replanFollowUp } from "./store-override.ts";
import { when } from "./wording.ts";

/** Stores the athlete's verdict on one of their runs and re-plans when it changed. */
export async function markRunKind(
  deps: PlanDeps,
  athlete: Athlete,
  activityId: number,
  kind: "easy" | "quality" | null,
): Promise<ActivityView> {
  const activity = await activityOfAthlete(deps.db, athlete.id, activityId);
  if (!activity) throw new PlanError("not_found", `you have no activity ${activityId}`);
  if (activity.sport !== "run")
    throw new PlanError(
      "conflict",
      `activity ${activityId} is not a run (${activity.sport}); only runs are easy or quality`,
    );
  if (activity.kindOverride === kind) return activityView(activity, athlete.timezone);
  const run = `the run "${activity.name}" (${when(activity.startAt.getTime(), athlete.timezone)})`;
  const cause: ReplanCause = {
    type: "override",
    what: kind ? `marked ${run} as ${kind}` : `cleared your mark on ${run}`,
  };
  const stored = await deps.db.transaction(async (tx) => {
    const updated = await setKindOverride(tx, athlete.id, activityId, kind, deps.now());
    if (!updated) return null;
    return { updated, followUps: await addFollowUps(tx, athlete.id, [replanFollowUp(cause)]) };
  });
  if (!stored) throw new PlanError("not_found", `you have no activity ${activityId}`);
  await queueFollowUps(deps, stored.followUps);
  return activityView(stored.updated, athlete.timezone);
}
