// strava-backfill: on connect (and by `runstrong backfill`), the athlete's last
// weeks of activities. One paged list call per 100 activities; then each run is
// fetched in detail and stored through the same import path as a webhook's
// (storeFetchedActivity), while other activities (strength sessions among them,
// which complete planned ones) are stored from the summary the list gave: the
// details of a ride or a lifting session tell planning nothing more.
//
// Low priority twice over: the job has BACKFILL_PRIORITY on the strava queue, so
// webhook imports run first, and its calls use the budget's backfill lane, which
// stops well short of each rate window so webhooks still find room. A rate limit
// moves the job to delayed (withStravaWaits); when it runs again, or after a
// crash, it lists again and skips what is already stored, so it resumes where it
// stopped and stores nothing twice.

import { getAthlete } from "../../db/repos/athletes.ts";
import { type Connection, getConnectionForAthlete } from "../../db/repos/connections.ts";
import { activitiesBetween } from "../../db/repos/plan-inputs.ts";
import { fromStravaActivity } from "../../integrations/strava/activity.ts";
import type { FetchedActivity } from "../../integrations/strava/api.ts";
import { StravaNotFoundError } from "../../integrations/strava/errors.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import { BACKFILL_PRIORITY, type JobPayload } from "../jobs.ts";
import { enqueue, type Queues } from "../queues.ts";
import { requestReplan } from "../replan-trigger.ts";
import { stravaAsAthlete } from "./athlete-api.ts";
import { storeFetchedActivity } from "./import-activity.ts";
import { storeStravaZones } from "./zones.ts";

const DAY_MS = 86_400_000;
/** Activities per list page; Strava allows up to 200, 100 keeps each answer small. */
export const BACKFILL_PAGE_SIZE = 100;
export const DEFAULT_BACKFILL_WEEKS = 6;
export const MAX_BACKFILL_WEEKS = 52;

export interface BackfillProgress {
  done: number;
  total: number;
}

export type BackfillResult =
  | {
      status: "done";
      listed: number;
      /** stored by this run (details fetched for runs, summaries for the rest) */
      imported: number;
      /** already stored before this run: an earlier attempt or a webhook */
      alreadyStored: number;
      /** runs whose details were fetched */
      detailsFetched: number;
      /** listed, then gone (deleted or made private) before their details were fetched */
      vanished: number;
    }
  | { status: "skipped"; reason: string };

/**
 * Queues a backfill at low priority. One per athlete at a time: a second request
 * while one is waiting or running returns that job's id.
 */
export async function enqueueBackfill(
  queues: Queues,
  athleteId: number,
  weeks: number = DEFAULT_BACKFILL_WEEKS,
): Promise<string | undefined> {
  return enqueue(
    queues,
    "strava-backfill",
    { athleteId, weeks },
    { priority: BACKFILL_PRIORITY, deduplication: { id: backfillDedupeId(athleteId) } },
  );
}

export function backfillDedupeId(athleteId: number): string {
  return `strava-backfill-${athleteId}`;
}

const isRun = (f: FetchedActivity) => fromStravaActivity(f.activity).sport === "run";

async function listSince(
  strava: Awaited<ReturnType<typeof stravaAsAthlete>>,
  afterS: number,
): Promise<FetchedActivity[]> {
  const all: FetchedActivity[] = [];
  for (let page = 1; ; page++) {
    const items = await strava.call((api, token) =>
      api.listAthleteActivities(token, { after: afterS, page, perPage: BACKFILL_PAGE_SIZE }),
    );
    all.push(...items);
    if (items.length < BACKFILL_PAGE_SIZE) return all;
  }
}

async function storedStravaIds(deps: WorkerDeps, connection: Connection, from: Date, to: Date) {
  const rows = await activitiesBetween(deps.db, connection.athleteId, from, to);
  return new Set(rows.filter((r) => r.provider === "strava").map((r) => r.externalId));
}

export async function backfillStrava(
  payload: JobPayload<"strava-backfill">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<BackfillResult> {
  const log = ctx.logger.child({ athleteId: payload.athleteId });
  const connection = await getConnectionForAthlete(deps.db, payload.athleteId, "strava");
  if (connection?.status !== "active") {
    const reason = connection ? `the Strava connection is ${connection.status}` : "no Strava connection";
    log.info({ reason }, "backfill skipped");
    return { status: "skipped", reason };
  }
  const job = await deps.queues.strava.getJob(ctx.jobId);
  const report = async (p: BackfillProgress) => {
    await job?.updateProgress(p);
  };

  const strava = await stravaAsAthlete(deps, connection, { lane: "backfill", logger: log });
  // Runs are classified as they are stored, against the zones: have them first.
  const athlete = await getAthlete(deps.db, connection.athleteId);
  if (athlete && !athlete.hrZones) await storeStravaZones(deps, connection, strava, log);

  const now = deps.now();
  const since = new Date(now.getTime() - payload.weeks * 7 * DAY_MS);
  const listed = await listSince(strava, Math.floor(since.getTime() / 1000));
  // A day's margin on each side: the list filters by start, and so does the read.
  const stored = await storedStravaIds(
    deps,
    connection,
    new Date(since.getTime() - DAY_MS),
    new Date(now.getTime() + DAY_MS),
  );
  const todo = listed.filter((f) => !stored.has(f.activity.id));
  const total = listed.length;
  let done = total - todo.length;
  await report({ done, total });
  log.info({ listed: total, todo: todo.length, weeks: payload.weeks }, "backfill listed");

  let imported = 0;
  let detailsFetched = 0;
  let vanished = 0;
  for (const summary of todo) {
    let fetched = summary;
    if (isRun(summary)) {
      try {
        fetched = await strava.call((api, token) => api.getActivity(token, summary.activity.id));
        detailsFetched++;
      } catch (err) {
        if (!(err instanceof StravaNotFoundError)) throw err;
        vanished++;
        done++;
        await report({ done, total });
        continue;
      }
    }
    const result = await storeFetchedActivity(deps.db, connection, fetched, deps.now());
    if (result.status === "disconnected") {
      // Deauthorized meanwhile: its wipe owns the athlete's data now.
      log.info({ imported }, "backfill stopped: the connection was revoked");
      return { status: "skipped", reason: "the Strava connection was revoked during the backfill" };
    }
    if (result.status === "imported") imported++;
    done++;
    await report({ done, total });
  }

  await requestReplan(
    deps.queues,
    connection.athleteId,
    { type: "backfill", provider: "strava", activities: imported },
    deps.config.replan.debounceMs,
  );
  const result = {
    status: "done" as const,
    listed: total,
    imported,
    alreadyStored: total - todo.length,
    detailsFetched,
    vanished,
  };
  log.info(result, "backfill done");
  return result;
}
