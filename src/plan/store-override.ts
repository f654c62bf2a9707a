// What the session overrides share: finding the session in the current plan, the
// planner's view of the week, and storing the changed plan as a new version whose
// cause says what the athlete did, with the re-plan that fits the rest around it.
import type { Athlete } from "../db/repos/athletes.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { PlanChangedError, storeOverrideVersion } from "../db/repos/overrides.ts";
import { latestPlan, type StoredPlan, type StoredSession } from "../db/repos/plans.ts";
import { planContextOf } from "../domain/plan/context.ts";
import type { PlanChange } from "../domain/plan/diff.ts";
import { type FollowUp, queueFollowUps } from "../workers/outbox.ts";
import type { ReplanCause } from "./cause.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { loadPlanInput } from "./load-input.ts";

/** The re-plan an override calls for, stored in the override's own transaction. */
export const replanFollowUp = (cause: ReplanCause): FollowUp => ({ type: "replan", cause });

/** The PlanContext the re-plan worker would build right now: the same input, so the same verdicts. */
export async function planContextFor(deps: PlanDeps, athlete: Athlete, plan: StoredPlan, now: Date) {
  const { input, window } = await loadPlanInput(deps.db, athlete, plan.sessions, now);
  return { ctx: planContextOf(input), window };
}

/** The athlete's current plan and its session `key`; another athlete's session reads as absent. */
export async function sessionOf(deps: PlanDeps, athleteId: number, key: string) {
  const plan = await latestPlan(deps.db, athleteId);
  const session = plan?.sessions.find((s) => s.sessionKey === key);
  if (!plan || !session) throw new PlanError("not_found", `no session ${key} in your current plan`);
  return { plan, session };
}

/**
 * Stores the latest plan with `changed` in place of its session, on top of that
 * version only, and the re-plan that follows in the same transaction.
 */
export async function storeOverride(
  deps: PlanDeps,
  athleteId: number,
  plan: StoredPlan,
  changed: StoredSession,
  cause: ReplanCause,
  diff: PlanChange[],
) {
  const sessions = plan.sessions.map((s) => (s.sessionKey === changed.sessionKey ? changed : s));
  try {
    const { stored, followUps } = await deps.db.transaction(async (tx) => ({
      stored: await storeOverrideVersion(tx, plan.version, {
        athleteId,
        windowFrom: plan.windowFrom,
        windowTo: plan.windowTo,
        cause,
        diff,
        unplaced: plan.unplaced,
        sessions,
      }),
      followUps: await addFollowUps(tx, athleteId, [replanFollowUp(cause)]),
    }));
    await queueFollowUps(deps, followUps);
    return stored;
  } catch (err) {
    if (err instanceof PlanChangedError)
      throw new PlanError("conflict", "your plan changed a moment ago; look at it again and retry");
    throw err;
  }
}
