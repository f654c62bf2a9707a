// The `requeue-garmin-inbox` sweep: the one inbox sweep (src/workers/inbox-sweep.ts)
// over Garmin's rows and `garmin-event` jobs, with its own cursor, so Garmin items
// that stay stuck cannot hide the ones behind them either.
import type { Logger } from "../../observability/logger.ts";
import type { WorkerDeps } from "../context.ts";
import { type InboxSweep, type SweepResult, sweepInbox } from "../inbox-sweep.ts";
import { enqueueGarminEvents, garminEventJobId } from "./event-jobs.ts";

/** app_state key of the Garmin sweep's cursor (0: start from the oldest). */
export const GARMIN_SWEEP_CURSOR_KEY = "garmin-inbox-sweep-cursor";

export const GARMIN_INBOX: InboxSweep = {
  provider: "garmin",
  label: "Garmin",
  job: "garmin-event",
  jobId: garminEventJobId,
  enqueue: enqueueGarminEvents,
  cursorKey: GARMIN_SWEEP_CURSOR_KEY,
  // Garmin items are few next to Strava's.
  page: 500,
};

export function sweepGarminInbox(
  deps: Pick<WorkerDeps, "db" | "queues">,
  o: { before: Date; logger: Pick<Logger, "info" | "warn">; limit?: number },
): Promise<SweepResult> {
  return sweepInbox(GARMIN_INBOX, deps, o);
}
