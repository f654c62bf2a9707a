// The inbox sweep of every provider (`requeue-strava-inbox`, `requeue-garmin-inbox`):
// Postgres, not Redis, says what still needs doing. Every stored event still
// "received" gets a job again unless one is on its way (waiting, delayed,
// running): a job that failed outside the handler (a database error, stalled
// twice), one that completed against a row a restored database brought back, or
// one Redis lost (restarted empty, flushed). Each provider is one InboxSweep:
// which rows, which job, its id, its cursor.
import { getAppState, setAppState } from "../db/repos/app-state.ts";
import {
  countInboxRequeue,
  giveUpInboxEvent,
  type InboxEvent,
  type PendingInboxEvent,
  pendingInboxEvents,
} from "../db/repos/webhook-inbox.ts";
import type { Logger } from "../observability/logger.ts";
import type { WorkerDeps } from "./context.ts";
import { JOBS } from "./jobs.ts";
import type { Queues } from "./queues.ts";

/** An event tried this often (404 waits and re-queues together) ends as failed instead of looping. */
export const SWEEP_GIVE_UP_ATTEMPTS = 10;

/** One provider's inbox as the sweep sees it. */
export interface InboxSweep {
  provider: InboxEvent["provider"];
  /** how logs name it: "Strava" */
  label: string;
  /** the job that handles one row; the sweep looks for it in this job's queue */
  job: "strava-event" | "garmin-event";
  jobId: (queues: Pick<Queues, "installId">, eventId: number) => string;
  /** adds the rows' jobs (one addBulk); ids already queued are left alone */
  enqueue: (queues: Queues, eventIds: readonly number[]) => Promise<void>;
  /** app_state key: the last inbox id the previous sweep looked at (0: start from the oldest) */
  cursorKey: string;
  /** rows looked at per sweep; the cursor takes the next ones on the next run */
  page: number;
}

export interface SweepResult {
  looked: number;
  inFlight: number;
  requeued: number;
  gaveUp: number;
}

const IN_FLIGHT = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

export async function sweepInbox(
  inbox: InboxSweep,
  deps: Pick<WorkerDeps, "db" | "queues">,
  o: { before: Date; logger: Pick<Logger, "info" | "warn">; limit?: number },
): Promise<SweepResult> {
  const rows = await nextPage(inbox, deps, o.before, o.limit ?? inbox.page);
  const queue = deps.queues[JOBS[inbox.job].queue];
  const states = await Promise.all(rows.map((r) => queue.getJobState(inbox.jobId(deps.queues, r.id))));
  const again = new Map<string, number[]>();
  let inFlight = 0;
  let gaveUp = 0;
  for (const [i, row] of rows.entries()) {
    const state = states[i] ?? "unknown";
    if (IN_FLIGHT.has(state)) {
      inFlight++;
      continue;
    }
    let why = "its job was gone";
    if (state === "failed" || state === "completed") {
      // BullMQ ignores an add under the id of a job it still keeps: remove it first.
      const job = await queue.getJob(inbox.jobId(deps.queues, row.id));
      why =
        state === "failed"
          ? `its job failed: ${(job?.failedReason ?? "no reason recorded").slice(0, 200)}`
          : "its job completed without handling it";
      try {
        await job?.remove();
      } catch (err) {
        o.logger.warn(
          { eventId: row.id, err: err instanceof Error ? err.message : String(err) },
          `could not remove a finished ${inbox.label} event job; trying again next sweep`,
        );
        continue;
      }
    }
    if (row.attempts >= SWEEP_GIVE_UP_ATTEMPTS) {
      if (await giveUpInboxEvent(deps.db, row.id, `given up after ${row.attempts} tries; last, ${why}`))
        gaveUp++;
      continue;
    }
    const note = `re-queued by the inbox sweep: ${why}`;
    again.set(note, [...(again.get(note) ?? []), row.id]);
  }
  const ids = [...again.values()].flat();
  await inbox.enqueue(deps.queues, ids);
  for (const [note, group] of again) await countInboxRequeue(deps.db, group, note);
  const result = { looked: rows.length, inFlight, requeued: ids.length, gaveUp };
  if (ids.length > 0 || gaveUp > 0) o.logger.info(result, `swept the ${inbox.label} inbox`);
  return result;
}

/**
 * The next `limit` pending rows after the stored cursor, wrapping round to the
 * oldest when the end is reached, and the cursor moved past them.
 */
async function nextPage(
  inbox: InboxSweep,
  deps: Pick<WorkerDeps, "db">,
  before: Date,
  limit: number,
): Promise<PendingInboxEvent[]> {
  const stored = await getAppState(deps.db, inbox.cursorKey);
  const cursor = typeof stored === "number" && Number.isSafeInteger(stored) && stored > 0 ? stored : 0;
  const { provider } = inbox;
  const rows = await pendingInboxEvents(deps.db, { provider, before, afterId: cursor, limit });
  let next = rows.length === limit ? (rows.at(-1)?.id ?? 0) : 0;
  if (rows.length < limit && cursor > 0) {
    const wanted = limit - rows.length;
    const head = await pendingInboxEvents(deps.db, {
      provider,
      before,
      afterId: 0,
      throughId: cursor,
      limit: wanted,
    });
    rows.push(...head);
    if (head.length === wanted) next = head.at(-1)?.id ?? 0;
  }
  if (next !== cursor) await setAppState(deps.db, inbox.cursorKey, next);
  return rows;
}
