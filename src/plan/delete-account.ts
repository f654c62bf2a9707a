// Deleting an athlete's account and everything stored about them, at their
// request. In this order:
// 1. the providers are told: Strava's deauthorize, Garmin's registration delete
//    (intervals.icu has nothing to revoke: its API key is simply forgotten);
// 2. every row naming the athlete goes in one transaction (eraseAthlete: every
//    athlete_id table, found from the schema, the webhook inbox rows naming their
//    Strava owner id or Garmin user id, then the athlete);
// 3. their per-athlete schedules and their jobs still waiting or delayed leave
//    Redis (best effort, the first QUEUED_JOBS_SCANNED of each queue: a job missed,
//    or already running, finds no athlete and ends without doing anything; a
//    re-plan fails once, unretried).
// A provider that cannot be told (5xx, 429, a timeout) does not block the
// deletion: the athlete asked for their data to go, and it goes; the answer names
// the providers they must revoke by hand (REVOKE_BY_HAND says where).

import { type Erasure, eraseAthlete } from "../db/repos/athlete-erasure.ts";
import { getConnectionForAthlete } from "../db/repos/connections.ts";
import { loggableError } from "../observability/errors.ts";
import {
  removeBusyCalendarImport,
  removeRollForward,
  removeRunningPlanImport,
} from "../workers/athlete-schedules.ts";
import { QUEUE_NAMES } from "../workers/jobs.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { type Revocation, revokeGarmin, revokeStrava } from "./provider-revocation.ts";

export interface AccountDeletion {
  /** what each connected provider made of the revocation */
  revocations: { strava?: Revocation; garmin?: Revocation };
  /** providers that could not be told: the athlete revokes runstrong there themselves */
  revokeByHand: ("strava" | "garmin")[];
  erasure: Erasure;
}

export async function deleteAccount(deps: PlanDeps, athleteId: number): Promise<AccountDeletion> {
  const log = deps.logger.child({ athleteId });
  const [strava, garmin] = await Promise.all([
    getConnectionForAthlete(deps.db, athleteId, "strava"),
    getConnectionForAthlete(deps.db, athleteId, "garmin"),
  ]);
  const revocations: AccountDeletion["revocations"] = {};
  if (strava) revocations.strava = await revokeStrava(deps, strava, log);
  if (garmin) revocations.garmin = await revokeGarmin(deps, garmin, log);

  const erasure = await eraseAthlete(deps.db, athleteId);
  if (!erasure.found) throw new PlanError("unknown_athlete", "this account no longer exists");
  await removeQueuedWork(deps, athleteId);

  const revokeByHand = (["strava", "garmin"] as const).filter((p) => revocations[p] === "unreachable");
  log.info(
    { revocations, revokeByHand, rows: erasure.rows, inboxEvents: erasure.inboxEvents },
    "account deleted at the athlete's request",
  );
  return { revocations, revokeByHand, erasure };
}

/** Waiting and delayed jobs read per queue when looking for the athlete's: enough for a small install's backlog. */
export const QUEUED_JOBS_SCANNED = 1_000;

/** The athlete's repeating jobs and queued ones: none may wake up for an athlete who is gone. */
async function removeQueuedWork(deps: PlanDeps, athleteId: number): Promise<void> {
  try {
    await removeRunningPlanImport(deps.queues, athleteId);
    await removeBusyCalendarImport(deps.queues, athleteId);
    await removeRollForward(deps.queues, athleteId);
    let removed = 0;
    for (const queue of QUEUE_NAMES.map((name) => deps.queues[name])) {
      const jobs = await queue.getJobs(["waiting", "delayed", "prioritized"], 0, QUEUED_JOBS_SCANNED - 1);
      for (const job of jobs)
        if ((job?.data as { athleteId?: unknown } | undefined)?.athleteId === athleteId) {
          // A job a worker took meanwhile is locked: it runs, finds no athlete and ends.
          await job.remove().then(
            () => removed++,
            () => undefined,
          );
        }
    }
    if (removed > 0) deps.logger.info({ athleteId, removed }, "queued jobs of a deleted athlete removed");
  } catch (err) {
    // Each of these jobs reads the athlete first and ends quietly when they are gone.
    deps.logger.warn(
      { athleteId, err: loggableError(err).message },
      "schedules or queued jobs of a deleted athlete not removed",
    );
  }
}
