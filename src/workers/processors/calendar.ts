import { UnrecoverableError } from "bullmq";
import { getAthlete } from "../../db/repos/athletes.ts";
import { deleteBusyIntervals, replaceBusyIntervals } from "../../db/repos/busy-intervals.ts";
import { deletePlannedRuns, replacePlannedRuns } from "../../db/repos/planned-runs.ts";
import { readStoredSettings } from "../../domain/settings.ts";
import { addDays, localDate } from "../../domain/time.ts";
import { busyTimesFromIcs } from "../../integrations/calendar/busy-times.ts";
import {
  FeedFetchError,
  type FeedFetchOptions,
  fetchCalendarFeed,
} from "../../integrations/calendar/fetch-feed.ts";
import { RunningPlanParseError, runningPlanFromIcs } from "../../integrations/calendar/running-plan.ts";
import { removeBusyCalendarImport, removeRunningPlanImport } from "../athlete-schedules.ts";
import type { JobContext, QueueProcessor, WorkerDeps } from "../context.ts";
import type { JobPayload } from "../jobs.ts";
import { requestReplan } from "../replan-trigger.ts";

/** How far ahead entries are kept: well past the re-plan window (14 days to the next Sunday). */
export const RUNNING_PLAN_IMPORT_DAYS = 42;

/**
 * Imports the athlete's running-plan calendar: fetch, read the entries from today
 * on (athlete-local), replace the stored ones, and re-plan when they changed. A
 * feed that cannot be read keeps the previous import (a plan app's outage should
 * not turn the plan back into the template); a URL that will never work (404, not
 * a calendar) fails without retries until the 6-hourly schedule tries again.
 * The URL is never logged: private calendar links carry their secret in it.
 * `feed` is for tests (a stand-in DNS resolver); the queue passes nothing.
 */
export async function importRunningPlan(
  payload: JobPayload<"import-running-plan">,
  deps: WorkerDeps,
  ctx: JobContext,
  feed: FeedFetchOptions = {},
): Promise<{ entries: number; changed: boolean; superseded?: true }> {
  const log = ctx.logger.child({ athleteId: payload.athleteId });
  const athlete = await getAthlete(deps.db, payload.athleteId);
  if (!athlete) {
    await removeRunningPlanImport(deps.queues, payload.athleteId);
    return { entries: 0, changed: false };
  }
  const url = readStoredSettings(athlete.settings).runningPlanIcsUrl;
  if (!url) {
    // The URL was cleared after this job was queued: no feed, no imported runs.
    await removeRunningPlanImport(deps.queues, athlete.id);
    const removed = await deletePlannedRuns(deps.db, athlete.id, "ics");
    if (removed > 0)
      await requestReplan(
        deps.queues,
        athlete.id,
        { type: "running-plan", entries: 0 },
        deps.config.replan.debounceMs,
      );
    return { entries: 0, changed: removed > 0 };
  }

  let text: string;
  try {
    text = await fetchCalendarFeed(url, { allowPrivate: deps.config.outbound.allowPrivate, ...feed });
  } catch (err) {
    if (!(err instanceof FeedFetchError)) throw err;
    log.warn(
      { err: err.message, status: err.status, permanent: err.permanent },
      "running-plan feed not fetched",
    );
    if (err.permanent) throw new UnrecoverableError(`running-plan feed: ${err.message}`);
    throw err;
  }
  const now = deps.now();
  const today = localDate(now.getTime(), athlete.timezone);
  let plan: ReturnType<typeof runningPlanFromIcs>;
  try {
    plan = runningPlanFromIcs(text, {
      timezone: athlete.timezone,
      from: today,
      to: addDays(today, RUNNING_PLAN_IMPORT_DAYS - 1),
    });
  } catch (err) {
    if (!(err instanceof RunningPlanParseError)) throw err;
    log.warn({ err: err.message }, "running-plan feed not readable");
    throw new UnrecoverableError(`running-plan feed: ${err.message}`);
  }
  // The repeat limit was reached: what was read is stored, and the athlete's log says what was not.
  if (plan.warnings.length > 0) log.warn({ warnings: plan.warnings }, "running-plan feed not fully read");

  const stored = await replacePlannedRuns(
    deps.db,
    athlete.id,
    "ics",
    plan.entries.map((e) => ({
      uid: e.uid,
      startAt: new Date(e.startMs),
      durationMin: e.durationMin,
      title: e.title,
    })),
    now,
    url,
  );
  if (stored.superseded) {
    // The URL was cleared or replaced while this import fetched: its runs are not
    // the athlete's any more (a new URL has an import of its own queued).
    log.info("running-plan import superseded: the URL changed while the feed was fetched");
    return { entries: 0, changed: false, superseded: true };
  }
  if (stored.changed) {
    await requestReplan(
      deps.queues,
      athlete.id,
      { type: "running-plan", entries: stored.count },
      deps.config.replan.debounceMs,
    );
  }
  log.info(
    { entries: stored.count, skipped: plan.skipped.length, changed: stored.changed },
    stored.changed ? "running plan imported" : "running plan unchanged",
  );
  return { entries: stored.count, changed: stored.changed };
}

/** How far back busy times are kept: the re-plan's window starts on this week's Monday. */
const BUSY_PAST_DAYS = 7;

/**
 * Imports the athlete's own calendar's busy times (`busyCalendarIcsUrl`) with the
 * running-plan feed's fences, limits and failure handling: only start and end of
 * each busy event are stored, never its title, and a change re-plans. Neither the
 * URL nor any event text is logged.
 */
export async function importBusyCalendar(
  payload: JobPayload<"import-busy-calendar">,
  deps: WorkerDeps,
  ctx: JobContext,
  feed: FeedFetchOptions = {},
): Promise<{ intervals: number; changed: boolean; superseded?: true }> {
  const log = ctx.logger.child({ athleteId: payload.athleteId });
  const athlete = await getAthlete(deps.db, payload.athleteId);
  if (!athlete) {
    await removeBusyCalendarImport(deps.queues, payload.athleteId);
    return { intervals: 0, changed: false };
  }
  const replan = (intervals: number) =>
    requestReplan(
      deps.queues,
      athlete.id,
      { type: "busy-calendar", intervals },
      deps.config.replan.debounceMs,
    );
  const url = readStoredSettings(athlete.settings).busyCalendarIcsUrl;
  if (!url) {
    await removeBusyCalendarImport(deps.queues, athlete.id);
    const removed = await deleteBusyIntervals(deps.db, athlete.id);
    if (removed > 0) await replan(0);
    return { intervals: 0, changed: removed > 0 };
  }
  let text: string;
  try {
    text = await fetchCalendarFeed(url, { allowPrivate: deps.config.outbound.allowPrivate, ...feed });
  } catch (err) {
    if (!(err instanceof FeedFetchError)) throw err;
    log.warn({ err: err.message, status: err.status, permanent: err.permanent }, "busy calendar not fetched");
    if (err.permanent) throw new UnrecoverableError(`busy calendar: ${err.message}`);
    throw err;
  }
  const now = deps.now();
  const today = localDate(now.getTime(), athlete.timezone);
  let read: ReturnType<typeof busyTimesFromIcs>;
  try {
    read = busyTimesFromIcs(text, {
      timezone: athlete.timezone,
      from: addDays(today, -BUSY_PAST_DAYS),
      to: addDays(today, RUNNING_PLAN_IMPORT_DAYS - 1),
    });
  } catch (err) {
    if (!(err instanceof RunningPlanParseError)) throw err;
    // ical.js quotes the line it could not read, which may be an event's title: not logged.
    log.warn("busy calendar not readable: not an iCalendar feed");
    throw new UnrecoverableError("busy calendar: not a readable iCalendar feed");
  }
  if (read.warnings.length > 0) log.warn({ warnings: read.warnings }, "busy calendar not fully read");
  const stored = await replaceBusyIntervals(
    deps.db,
    athlete.id,
    read.busy.map((b) => ({ startAt: new Date(b.startMs), endAt: new Date(b.endMs) })),
    now,
    url,
  );
  if (stored.superseded) {
    log.info("busy-calendar import superseded: the URL changed while the feed was fetched");
    return { intervals: 0, changed: false, superseded: true };
  }
  if (stored.changed) await replan(stored.count);
  log.info(
    { intervals: stored.count, changed: stored.changed },
    stored.changed ? "busy times imported" : "busy times unchanged",
  );
  return { intervals: stored.count, changed: stored.changed };
}

export const calendarProcessor: QueueProcessor<"calendar"> = {
  "import-running-plan": importRunningPlan,
  "import-busy-calendar": importBusyCalendar,
};
