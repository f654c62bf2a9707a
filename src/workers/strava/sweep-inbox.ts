// The `requeue-strava-inbox` sweep: the one inbox sweep (src/workers/inbox-sweep.ts)
// over Strava's rows and `strava-event` jobs.
import type { Logger } from "../../observability/logger.ts";
import type { WorkerDeps } from "../context.ts";
import { type InboxSweep, type SweepResult, sweepInbox } from "../inbox-sweep.ts";
import { enqueueStravaEvents, stravaEventJobId } from "./event-jobs.ts";

export { SWEEP_GIVE_UP_ATTEMPTS } from "../inbox-sweep.ts";

/** app_state key of the Strava sweep's cursor (0: start from the oldest). */
export const SWEEP_CURSOR_KEY = "strava-inbox-sweep-cursor";

export const STRAVA_INBOX: InboxSweep = {
  provider: "strava",
  label: "Strava",
  job: "strava-event",
  jobId: stravaEventJobId,
  enqueue: enqueueStravaEvents,
  cursorKey: SWEEP_CURSOR_KEY,
  page: 1000,
};

export function sweepStravaInbox(
  deps: Pick<WorkerDeps, "db" | "queues">,
  o: { before: Date; logger: Pick<Logger, "info" | "warn">; limit?: number },
): Promise<SweepResult> {
  return sweepInbox(STRAVA_INBOX, deps, o);
}
