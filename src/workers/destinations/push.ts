// The push job: one destination of one athlete brought in line with the current
// plan. Every run compares what the destination holds (workout_pushes) with the
// plan's future sessions, so it is safe to repeat, a later run makes good what an
// earlier one missed, and linking pushes everything at once: future sessions not
// there yet (or changed) are created or updated in place; sessions the plan
// dropped (or the athlete skipped) are deleted there while they are still ahead.
import { UnrecoverableError } from "bullmq";
import { getAthlete } from "../../db/repos/athletes.ts";
import { latestPlan } from "../../db/repos/plans.ts";
import {
  activePushes,
  type DestinationName,
  recordDeleted,
  recordPush,
  setDestinationState,
  withPushLock,
} from "../../db/repos/workout-pushes.ts";
import { DestinationError } from "../../integrations/destination-error.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import type { JobPayload } from "../jobs.ts";
import {
  type BoundDestination,
  contentHash,
  isNotReady,
  type PushedRef,
  type SessionToPush,
  sessionToPush,
  type WorkoutDestination,
} from "./destination.ts";

export interface PushResult {
  destination: DestinationName;
  skipped?: string;
  upserted: number;
  deleted: number;
}

async function reconcile(
  name: DestinationName,
  dest: BoundDestination,
  athleteId: number,
  timezone: string,
  deps: WorkerDeps,
): Promise<{ upserted: number; deleted: number }> {
  const now = deps.now().getTime();
  const plan = await latestPlan(deps.db, athleteId);
  const inPlan = new Map((plan?.sessions ?? []).map((s) => [s.sessionKey, s]));
  const wanted = (plan?.sessions ?? [])
    .filter((s) => s.status === "planned" && s.startAt.getTime() > now)
    .map((s) => sessionToPush(s, timezone));
  const held = new Map((await activePushes(deps.db, athleteId, name)).map((p) => [p.sessionKey, p]));

  const changed = wanted.filter((s) => {
    const p = held.get(s.key);
    return p?.status !== "sent" || p.contentHash !== contentHash(name, s);
  });
  const record = (s: SessionToPush, ref: PushedRef, status: "pending" | "sent") =>
    recordPush(deps.db, {
      athleteId,
      destination: name,
      sessionKey: s.key,
      externalId: ref.externalId,
      scheduleId: ref.scheduleId,
      startAt: s.startAt,
      contentHash: status === "sent" ? contentHash(name, s) : null,
      sequence: s.sequence,
      status,
    });
  if (dest.upsertMany && changed.length > 0) {
    const refs = await dest.upsertMany(changed);
    for (const s of changed)
      await record(s, refs.get(s.key) ?? { externalId: null, scheduleId: null }, "sent");
  } else {
    for (const s of changed) {
      const ref = await dest.upsert(s, held.get(s.key) ?? null, (partial) => record(s, partial, "pending"));
      await record(s, ref, "sent");
    }
  }

  const wantedKeys = new Set(wanted.map((s) => s.key));
  let deleted = 0;
  for (const p of held.values()) {
    if (wantedKeys.has(p.sessionKey)) continue;
    // What is behind us stays as it was: a past session, or one the athlete did.
    if (p.startAt && p.startAt.getTime() <= now) continue;
    if (inPlan.get(p.sessionKey)?.status === "done") continue;
    await dest.remove(p);
    await recordDeleted(deps.db, athleteId, name, p.sessionKey);
    deleted++;
  }
  return { upserted: changed.length, deleted };
}

/**
 * Runs one push. A destination that cannot be used (not linked, access revoked,
 * permission missing) is skipped and its state says why; a failure marks it
 * failing and retries with backoff (429 waits for the window when it is given)
 * without touching any other destination or the plan.
 */
export async function pushWorkouts(
  destinations: readonly WorkoutDestination[],
  payload: JobPayload<"push-workouts">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<PushResult> {
  const name = payload.destination;
  const destination = destinations.find((d) => d.name === name);
  if (!destination) throw new UnrecoverableError(`no workout destination "${name}"`);
  const athlete = await getAthlete(deps.db, payload.athleteId);
  if (!athlete) return { destination: name, skipped: "athlete deleted", upserted: 0, deleted: 0 };
  const log = ctx.logger.child({ athleteId: athlete.id, destination: name });

  const bound = await destination.bind(athlete.id, deps);
  if (isNotReady(bound)) {
    if (bound.state === "revoked")
      await setDestinationState(deps.db, athlete.id, name, "revoked", bound.reason, deps.now());
    log.info({ state: bound.state }, "workout destination skipped");
    return { destination: name, skipped: bound.reason, upserted: 0, deleted: 0 };
  }
  try {
    const done = await withPushLock(deps.db, athlete.id, name, () =>
      reconcile(name, bound, athlete.id, athlete.timezone, deps),
    );
    await setDestinationState(deps.db, athlete.id, name, "ok", null, deps.now());
    log.info(done, "workouts pushed");
    return { destination: name, ...done };
  } catch (err) {
    if (!(err instanceof DestinationError)) throw err;
    const revoked = err.code === "revoked" || err.code === "permission_missing";
    await setDestinationState(
      deps.db,
      athlete.id,
      name,
      revoked ? "revoked" : "failing",
      err.message,
      deps.now(),
    );
    log.warn({ code: err.code, err: err.message }, "workout push failed");
    if (revoked) throw new UnrecoverableError(err.message);
    if (err.code === "rate_limited" && err.retryAtMs !== null && ctx.delayUntil)
      throw await ctx.delayUntil(err.retryAtMs);
    // "rejected": our request or their answer; the next plan change tries again.
    if (err.code === "rejected") throw new UnrecoverableError(err.message);
    throw err;
  }
}
