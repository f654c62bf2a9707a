// Each athlete's recurring jobs, as BullMQ job schedulers keyed by athlete id:
// the daily roll-forward re-plan at a quiet hour of the athlete's own clock, and,
// while they have a running-plan calendar, its import every 6 hours. Upserting a
// scheduler under the same id replaces it, so (re)registering is idempotent.
import type { Executor } from "../db/client.ts";
import { athletesForSchedules, settingsOf } from "../db/repos/settings.ts";
import { readStoredSettings } from "../domain/settings.ts";
import type { Logger } from "../observability/logger.ts";
import { enqueue, type Queues, upsertScheduler } from "./queues.ts";

/** 03:30 local: after the day's last runs are in, before the morning's first. */
export const ROLL_FORWARD_PATTERN = "30 3 * * *";
export const RUNNING_PLAN_EVERY_MS = 6 * 3_600_000;

export const rollForwardSchedulerId = (athleteId: number) => `roll-forward-${athleteId}`;
export const runningPlanSchedulerId = (athleteId: number) => `running-plan-${athleteId}`;
export const busyCalendarSchedulerId = (athleteId: number) => `busy-calendar-${athleteId}`;

/**
 * Makes sure the athlete's daily roll-forward runs at 03:30 in `timezone`; a
 * scheduler already set for that zone is left alone. Returns whether it changed.
 */
export async function ensureRollForward(
  queues: Queues,
  athlete: { id: number; timezone: string },
): Promise<boolean> {
  const id = rollForwardSchedulerId(athlete.id);
  const existing = await queues.replan.getJobScheduler(id);
  if (existing && existing.tz === athlete.timezone && existing.pattern === ROLL_FORWARD_PATTERN) return false;
  await upsertScheduler(
    queues,
    id,
    { pattern: ROLL_FORWARD_PATTERN, tz: athlete.timezone },
    "replan-athlete",
    { athleteId: athlete.id, cause: { type: "roll-forward" } },
  );
  return true;
}

export async function removeRollForward(queues: Queues, athleteId: number): Promise<void> {
  await queues.replan.removeJobScheduler(rollForwardSchedulerId(athleteId));
}

/**
 * The running-plan import: once now, then every 6 hours. The now-job is
 * deduplicated per athlete, so a burst of settings changes imports once.
 */
export async function scheduleRunningPlanImport(
  queues: Queues,
  athleteId: number,
  nowMs: number,
): Promise<void> {
  await importRunningPlanNow(queues, athleteId);
  await upsertScheduler(
    queues,
    runningPlanSchedulerId(athleteId),
    { every: RUNNING_PLAN_EVERY_MS, startDate: nowMs + RUNNING_PLAN_EVERY_MS },
    "import-running-plan",
    { athleteId },
  );
}

/** One import as soon as a worker is free; while one is waiting, asking again adds nothing. */
export async function importRunningPlanNow(queues: Queues, athleteId: number): Promise<void> {
  await enqueue(
    queues,
    "import-running-plan",
    { athleteId },
    { deduplication: { id: `running-plan-now-${athleteId}` } },
  );
}

export async function removeRunningPlanImport(queues: Queues, athleteId: number): Promise<void> {
  await queues.calendar.removeJobScheduler(runningPlanSchedulerId(athleteId));
}

/** The busy-calendar import, on the running plan's schedule: once now (deduplicated), then every 6 hours. */
export async function scheduleBusyCalendarImport(
  queues: Queues,
  athleteId: number,
  nowMs: number,
): Promise<void> {
  await enqueue(
    queues,
    "import-busy-calendar",
    { athleteId },
    { deduplication: { id: `busy-calendar-now-${athleteId}` } },
  );
  await upsertScheduler(
    queues,
    busyCalendarSchedulerId(athleteId),
    { every: RUNNING_PLAN_EVERY_MS, startDate: nowMs + RUNNING_PLAN_EVERY_MS },
    "import-busy-calendar",
    { athleteId },
  );
}

export async function removeBusyCalendarImport(queues: Queues, athleteId: number): Promise<void> {
  await queues.calendar.removeJobScheduler(busyCalendarSchedulerId(athleteId));
}

/**
 * The athlete's schedules after a settings change, from what is stored now rather
 * than from what the change said: an outbox row queued late (Redis was away) or
 * twice cannot bring back a URL or a zone a later change replaced.
 * - `running-plan-url`: a URL imports now and every 6 hours; no URL, no schedule.
 * - `running-plan-reimport`: the zone moved all-day entries' 07:00; import again.
 * - `roll-forward`: the daily roll-forward follows the time zone.
 * An athlete who no longer exists has nothing to schedule.
 */
export async function followStoredSettings(
  db: Executor,
  queues: Queues,
  athleteId: number,
  what: "running-plan-url" | "running-plan-reimport" | "roll-forward" | "busy-calendar-url",
  nowMs: number,
): Promise<void> {
  const row = await settingsOf(db, athleteId);
  if (!row) return;
  if (what === "busy-calendar-url") {
    if (readStoredSettings(row.settings).busyCalendarIcsUrl)
      await scheduleBusyCalendarImport(queues, athleteId, nowMs);
    else await removeBusyCalendarImport(queues, athleteId);
    return;
  }
  if (what === "roll-forward") {
    await ensureRollForward(queues, { id: athleteId, timezone: row.timezone });
    return;
  }
  const url = readStoredSettings(row.settings).runningPlanIcsUrl;
  if (what === "running-plan-url") {
    if (url) await scheduleRunningPlanImport(queues, athleteId, nowMs);
    else await removeRunningPlanImport(queues, athleteId);
  } else if (url) {
    await importRunningPlanNow(queues, athleteId);
  }
}

/**
 * The start-up sweep: every athlete has a roll-forward in their current zone and,
 * when they have a running-plan URL, an import schedule; schedulers of athletes
 * who no longer exist (deauthorized) or no longer have a URL are removed. Existing
 * schedules are not touched, so a restart does not push the next import back.
 */
export async function ensureAthleteSchedules(
  db: Executor,
  queues: Queues,
  logger: Pick<Logger, "info">,
): Promise<{ athletes: number; added: number; removed: number }> {
  const [rollForwards, imports, busyImports] = await Promise.all([
    schedulerIds(queues, "replan", "roll-forward-"),
    schedulerIds(queues, "calendar", "running-plan-"),
    schedulerIds(queues, "calendar", "busy-calendar-"),
  ]);
  let added = 0;
  let seen = 0;
  for (let afterId = 0; ; ) {
    const page = await athletesForSchedules(db, afterId, 500);
    if (page.length === 0) break;
    for (const a of page) {
      seen++;
      if (await ensureRollForward(queues, a)) added++;
      rollForwards.delete(a.id);
      if (a.runningPlanIcsUrl) {
        if (!imports.has(a.id)) {
          await upsertScheduler(
            queues,
            runningPlanSchedulerId(a.id),
            { every: RUNNING_PLAN_EVERY_MS },
            "import-running-plan",
            { athleteId: a.id },
          );
          added++;
        }
        imports.delete(a.id);
      }
      if (a.busyCalendarIcsUrl) {
        if (!busyImports.has(a.id)) {
          await upsertScheduler(
            queues,
            busyCalendarSchedulerId(a.id),
            { every: RUNNING_PLAN_EVERY_MS },
            "import-busy-calendar",
            { athleteId: a.id },
          );
          added++;
        }
        busyImports.delete(a.id);
      }
    }
    afterId = page[page.length - 1]?.id ?? afterId;
  }
  for (const id of rollForwards) await removeRollForward(queues, id);
  for (const id of imports) await removeRunningPlanImport(queues, id);
  for (const id of busyImports) await removeBusyCalendarImport(queues, id);
  const removed = rollForwards.size + imports.size + busyImports.size;
  logger.info({ athletes: seen, added, removed }, "athlete schedules checked");
  return { athletes: seen, added, removed };
}

async function schedulerIds(
  queues: Queues,
  queue: "replan" | "calendar",
  prefix: string,
): Promise<Set<number>> {
  const ids = new Set<number>();
  const count = await queues[queue].getJobSchedulersCount();
  for (let start = 0; start < count; start += 1000) {
    for (const s of await queues[queue].getJobSchedulers(start, start + 999, true)) {
      if (s.key.startsWith(prefix)) {
        const id = Number(s.key.slice(prefix.length));
        if (Number.isSafeInteger(id)) ids.add(id);
      }
    }
  }
  return ids;
}
