// One stored Strava webhook event, by its inbox id, in four phases: load the
// event; an athlete event (a deauthorization wipes every piece of Strava data of
// that athlete); an activity delete (also what a switch to "Only You" looks like
// without activity:read_all) removes the owner's activity and re-plans; a create
// or update imports. The inbox row records how it ended.
//
// Events are not signed and their ids are no secret, so nothing is destroyed on
// an event's word alone: a deauthorization wipes only once Strava refuses the
// athlete's refresh token, a delete removes only the owner's own activity and
// only once Strava answers 404 for it with the owner's token, and an activity
// that keeps answering 404 is given up after a few tries.
import { DelayedError, UnrecoverableError } from "bullmq";
import { athleteHasSourceRecord, deleteSourceRecord } from "../../db/repos/activity-links.ts";
import { type Connection, getConnectionByExternal } from "../../db/repos/connections.ts";
import { wipeStravaAthlete } from "../../db/repos/strava-data.ts";
import {
  countInboxAttempt,
  finishInboxEvent,
  getInboxEvent,
  type InboxEvent,
} from "../../db/repos/webhook-inbox.ts";
import {
  StravaError,
  StravaNotFoundError,
  StravaRateLimitedError,
} from "../../integrations/strava/errors.ts";
import {
  isDeauthorization,
  type StravaWebhookEvent,
  stravaWebhookEventSchema,
} from "../../integrations/strava/webhook-event.ts";
import type { Logger } from "../../observability/logger.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import { JOBS, type JobPayload } from "../jobs.ts";
import { requestReplan } from "../replan-trigger.ts";
import { stravaAsAthlete } from "./athlete-api.ts";
import { storeFetchedActivity } from "./import-activity.ts";

/**
 * A just-uploaded activity can answer 404 for a while (Strava processes the file
 * after it sends the event); that takes seconds to a minute or two. Ask again
 * after 15 s, 45 s and 2 min (four GETs over three minutes), then give up: an
 * id still unknown by then was most likely never real, and every try is a call
 * from the installation's shared daily budget.
 */
export const NOT_FOUND_RETRY_DELAYS_MS: readonly number[] = [15_000, 45_000, 120_000];

/** The wait before asking again after the `tries`-th 404, or null once the tries are used up. */
export function notFoundBackoffMs(tries: number): number | null {
  return NOT_FOUND_RETRY_DELAYS_MS[Math.max(0, tries - 1)] ?? null;
}

export const FORGED_DEAUTHORIZATION_NOTE =
  "Strava still authorizes this athlete: forged or stale deauthorization";

type Outcome = { status: "processed" | "ignored"; note?: string; [k: string]: unknown };

/** A loaded event and what every phase needs to report on it. */
interface EventRun {
  row: InboxEvent;
  event: StravaWebhookEvent;
  log: Logger;
  finish(outcome: Outcome): Promise<Outcome>;
}

export async function handleStravaEvent(
  payload: JobPayload<"strava-event">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<Outcome> {
  const loaded = await loadEvent(payload.eventId, deps, ctx);
  if ("done" in loaded) return loaded.done;
  try {
    if (loaded.event.object_type === "athlete") return await athleteEvent(loaded, deps);
    const connection = await getConnectionByExternal(deps.db, "strava", loaded.event.owner_id);
    if (!connection)
      return loaded.finish({ status: "ignored", note: "owner is no longer a connected athlete" });
    if (loaded.event.aspect_type === "delete") return await deleteEvent(loaded, deps, connection);
    return await importEvent(loaded, deps, ctx, connection);
  } catch (err) {
    await recordFailure(loaded, deps, ctx, err);
    throw err;
  }
}

/** The inbox row and its event, or how a job that has nothing (more) to do ends. */
async function loadEvent(
  eventId: number,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<EventRun | { done: Outcome }> {
  const row = await getInboxEvent(deps.db, eventId);
  // Gone: wiped by a deauthorization, or pruned. Done: a repeated job.
  if (!row) return { done: { status: "ignored", note: "event no longer stored" } };
  if (row.status === "processed" || row.status === "ignored")
    return { done: { status: row.status, note: "already handled" } };

  const parsed = stravaWebhookEventSchema.safeParse(row.payload);
  if (!parsed.success) {
    await finishInboxEvent(deps.db, row.id, "failed", "stored payload is not a Strava event");
    throw new UnrecoverableError(`inbox row ${row.id} holds no Strava event`);
  }
  const event = parsed.data;
  const log = ctx.logger.child({
    eventId: row.id,
    ownerId: event.owner_id,
    object: `${event.object_type}/${event.object_id}`,
  });
  return {
    row,
    event,
    log,
    async finish(outcome) {
      await finishInboxEvent(deps.db, row.id, outcome.status, outcome.note ?? null);
      log.info(outcome, "Strava event handled");
      return outcome;
    },
  };
}

/**
 * A deauthorization wipes the athlete's Strava data, once Strava confirms it by
 * refusing the athlete's refresh token. A refresh Strava grants means the event
 * was forged (or is older than a new authorization): nothing is deleted.
 */
async function athleteEvent(run: EventRun, deps: WorkerDeps): Promise<Outcome> {
  const { event, log } = run;
  if (!isDeauthorization(event))
    return run.finish({ status: "ignored", note: "athlete profile updates are not used" });

  const connection = await getConnectionByExternal(deps.db, "strava", event.owner_id);
  if (connection) {
    const strava = await stravaAsAthlete(deps, connection, {
      lane: "live",
      logger: log.child({ athleteId: connection.athleteId }),
    });
    if ((await strava.checkAuthorization()) === "authorized")
      return run.finish({ status: "ignored", note: FORGED_DEAUTHORIZATION_NOTE });
  }

  const wipe = await wipeStravaAthlete(deps.db, event.owner_id);
  if (wipe.athleteId !== null && !wipe.athleteDeleted)
    await requestReplan(
      deps.queues,
      wipe.athleteId,
      { type: "disconnect", provider: "strava" },
      deps.config.replan.debounceMs,
    );
  // The event row went with the rest of the athlete's Strava data.
  log.info({ ...wipe }, "Strava deauthorization confirmed: athlete's Strava data deleted");
  return { status: "processed", ...wipe };
}

/**
 * A delete removes the owner's own activity, once Strava answers 404 for it with
 * the owner's token. An id the owner does not hold costs no call; an activity
 * Strava still returns stays. A refused token ends as a failed event with the
 * connection marked needs_reauth (athlete-api.ts): a genuine revocation brings
 * its own deauthorization event, which wipes everything.
 */
async function deleteEvent(run: EventRun, deps: WorkerDeps, connection: Connection): Promise<Outcome> {
  const { event, row } = run;
  const activityId = event.object_id;
  if (!(await athleteHasSourceRecord(deps.db, connection.athleteId, "strava", activityId)))
    return run.finish({ status: "ignored", note: "the owner has no stored activity with this id" });
  if (connection.status !== "active")
    return run.finish({
      status: "ignored",
      note: `connection is ${connection.status}: Strava cannot confirm the delete`,
    });

  const strava = await stravaAsAthlete(deps, connection, {
    lane: "live",
    logger: run.log.child({ athleteId: connection.athleteId }),
  });
  try {
    await strava.call((api, token) => api.getActivity(token, activityId));
    return run.finish({
      status: "ignored",
      note: "Strava still returns this activity: delete not confirmed",
    });
  } catch (err) {
    if (!(err instanceof StravaNotFoundError)) throw err;
  }

  // Strava's copy only: the same run from Garmin stays (activity-links.ts).
  const deleted = await deleteSourceRecord(deps.db, connection.athleteId, "strava", activityId);
  if (deleted)
    await requestReplan(
      deps.queues,
      deleted.athleteId,
      { type: "activity", provider: "strava", activityId, change: "deleted", eventId: row.id },
      deps.config.replan.debounceMs,
    );
  return run.finish({ status: "processed", note: deleted ? "activity deleted" : "activity was not stored" });
}

/** A create or update fetches the activity with the owner's token, stores it if it is theirs, and re-plans. */
async function importEvent(
  run: EventRun,
  deps: WorkerDeps,
  ctx: JobContext,
  connection: Connection,
): Promise<Outcome> {
  const { event, row } = run;
  if (connection.status !== "active")
    return run.finish({
      status: "ignored",
      note: `connection is ${connection.status}; the next backfill catches up`,
    });

  const log = run.log.child({ athleteId: connection.athleteId });
  const strava = await stravaAsAthlete(deps, connection, { lane: "live", logger: log });
  let fetched: Awaited<ReturnType<typeof strava.api.getActivity>>;
  try {
    fetched = await strava.call((api, token) => api.getActivity(token, event.object_id));
  } catch (err) {
    if (!(err instanceof StravaNotFoundError)) throw err;
    const tries = await countInboxAttempt(deps.db, row.id, "Strava answered 404; asking again");
    const wait = notFoundBackoffMs(tries);
    if (wait !== null && ctx.delayUntil) {
      const at = deps.now().getTime() + wait;
      log.info({ tries, retryAt: new Date(at).toISOString() }, "activity not found yet; waiting");
      throw await ctx.delayUntil(at);
    }
    throw new UnrecoverableError(`Strava kept answering 404 (${tries} tries): activity not found`);
  }

  const result = await storeFetchedActivity(deps.db, connection, fetched, deps.now());
  if (result.status !== "imported")
    return run.finish({
      status: "ignored",
      note:
        result.status === "not_owner" ? "activity belongs to another athlete" : "connection ended meanwhile",
    });
  await requestReplan(
    deps.queues,
    connection.athleteId,
    {
      type: "activity",
      provider: "strava",
      activityId: event.object_id,
      change: event.aspect_type === "create" ? "created" : "updated",
      eventId: row.id,
    },
    deps.config.replan.debounceMs,
  );
  return run.finish({ status: "processed", kind: result.kind, created: result.created });
}

/**
 * A failure no retry fixes, or a retryable one on its last attempt: the inbox row
 * says so. Waits (rate limits, a 404's next try) are not failures.
 */
async function recordFailure(run: EventRun, deps: WorkerDeps, ctx: JobContext, err: unknown): Promise<void> {
  if (err instanceof DelayedError || err instanceof StravaRateLimitedError) return;
  const last = ctx.attempt >= JOBS["strava-event"].attempts;
  const final = err instanceof UnrecoverableError || (err instanceof StravaError && !err.retryable) || last;
  if (final)
    await finishInboxEvent(deps.db, run.row.id, "failed", err instanceof Error ? err.message : String(err));
}
