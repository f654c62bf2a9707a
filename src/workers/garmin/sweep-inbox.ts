// The `requeue-garmin-inbox` sweep, as Strava's (src/workers/strava/sweep-inbox.ts):
// Postgres, not Redis, says what still needs doing. A Garmin item stored and
// still "received" a while later gets its job again unless one is on its way: a
// job that failed outside the handler, one that completed against a row a
// restored database brought back, or one Redis lost. An item tried too often ends
// as failed. Oldest first, a page at a time (Garmin items are few next to Strava's).

import { pendingGarminEvents } from "../../db/repos/garmin-inbox.ts";
import { countInboxRequeue, giveUpInboxEvent } from "../../db/repos/webhook-inbox.ts";
import type { Logger } from "../../observability/logger.ts";
import type { WorkerDeps } from "../context.ts";
import { enqueueGarminEvents, garminEventJobId } from "./event-jobs.ts";

export const GARMIN_SWEEP_PAGE = 500;
export const GARMIN_SWEEP_GIVE_UP_ATTEMPTS = 10;

const IN_FLIGHT = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

export async function sweepGarminInbox(
  deps: Pick<WorkerDeps, "db" | "queues">,
  o: { before: Date; logger: Pick<Logger, "info" | "warn">; limit?: number },
): Promise<{ looked: number; inFlight: number; requeued: number; gaveUp: number }> {
  const rows = await pendingGarminEvents(deps.db, { before: o.before, limit: o.limit ?? GARMIN_SWEEP_PAGE });
  const queue = deps.queues.garmin;
  const again: number[] = [];
  let inFlight = 0;
  let gaveUp = 0;
  for (const row of rows) {
    const id = garminEventJobId(deps.queues, row.id);
    const state = await queue.getJobState(id);
    if (IN_FLIGHT.has(state)) {
      inFlight++;
      continue;
    }
    if (state === "failed" || state === "completed") {
      // BullMQ ignores an add under the id of a job it still keeps: remove it first.
      try {
        await (await queue.getJob(id))?.remove();
      } catch (err) {
        o.logger.warn(
          { eventId: row.id, err: err instanceof Error ? err.message : String(err) },
          "could not remove a finished Garmin event job; trying again next sweep",
        );
        continue;
      }
    }
    if (row.attempts >= GARMIN_SWEEP_GIVE_UP_ATTEMPTS) {
      if (await giveUpInboxEvent(deps.db, row.id, `given up after ${row.attempts} tries (job ${state})`))
        gaveUp++;
      continue;
    }
    again.push(row.id);
  }
  await enqueueGarminEvents(deps.queues, again);
  await countInboxRequeue(deps.db, again, "re-queued by the Garmin inbox sweep");
  const result = { looked: rows.length, inFlight, requeued: again.length, gaveUp };
  if (again.length > 0 || gaveUp > 0) o.logger.info(result, "swept the Garmin inbox");
  return result;
}
