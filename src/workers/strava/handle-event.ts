// One stored Strava webhook event, by its inbox id: activity create/update ->
// import; activity delete (also what a switch to "Only You" looks like without
// activity:read_all) -> remove and re-plan; athlete deauthorization -> wipe every
// piece of Strava data of that athlete. The inbox row records how it ended.
import { UnrecoverableError } from "bullmq";
import { deleteActivityByExternal } from "../../db/repos/activities.ts";
import { getConnectionByExternal } from "../../db/repos/connections.ts";
import { wipeStravaAthlete } from "../../db/repos/strava-data.ts";
import { countInboxAttempt, finishInboxEvent, getInboxEvent } from "../../db/repos/webhook-inbox.ts";
import {
  StravaError,
  StravaNotFoundError,
  StravaRateLimitedError,
} from "../../integrations/strava/errors.ts";
import { isDeauthorization, stravaWebhookEventSchema } from "../../integrations/strava/webhook-event.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import { JOBS, type JobPayload } from "../jobs.ts";
import { requestReplan } from "../replan-trigger.ts";
import { stravaAsAthlete } from "./athlete-api.ts";
import { storeFetchedActivity } from "./import-activity.ts";

/**
 * A just-uploaded activity can answer 404 for a while (Strava processes the file
 * after it sends the event). Keep asking, 15 s, 30 s, 1 min ... at most 4 min
 * apart, for 15 minutes after the event arrived, then give up.
 */
export const NOT_FOUND_PATIENCE_MS = 15 * 60_000;
export function notFoundBackoffMs(tries: number): number {
  return Math.min(15_000 * 2 ** Math.max(0, tries - 1), 4 * 60_000);
}

type Outcome = { status: "processed" | "ignored"; note?: string; [k: string]: unknown };

export async function handleStravaEvent(
  payload: JobPayload<"strava-event">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<Outcome> {
  const row = await getInboxEvent(deps.db, payload.eventId);
  // Gone: wiped by a deauthorization, or pruned. Done: a repeated job.
  if (!row) return { status: "ignored", note: "event no longer stored" };
  if (row.status === "processed" || row.status === "ignored")
    return { status: row.status, note: "already handled" };

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
  const finish = async (outcome: Outcome) => {
    await finishInboxEvent(deps.db, row.id, outcome.status, outcome.note ?? null);
    log.info(outcome, "Strava event handled");
    return outcome;
  };

  if (event.object_type === "athlete") {
    if (!isDeauthorization(event))
      return finish({ status: "ignored", note: "athlete profile updates are not used" });
    const wipe = await wipeStravaAthlete(deps.db, event.owner_id);
    if (wipe.athleteId !== null && !wipe.athleteDeleted)
      await requestReplan(
        deps.queues,
        wipe.athleteId,
        { type: "disconnect", provider: "strava" },
        deps.config.replan.debounceMs,
      );
    // The event row went with the rest of the athlete's Strava data.
    log.info({ ...wipe }, "Strava deauthorization: athlete's Strava data deleted");
    return { status: "processed", ...wipe };
  }

  const connection = await getConnectionByExternal(deps.db, "strava", event.owner_id);
  if (!connection) return finish({ status: "ignored", note: "owner is no longer a connected athlete" });
  const athleteLog = log.child({ athleteId: connection.athleteId });

  if (event.aspect_type === "delete") {
    const deleted = await deleteActivityByExternal(deps.db, "strava", event.object_id);
    if (deleted)
      await requestReplan(
        deps.queues,
        deleted.athleteId,
        {
          type: "activity",
          provider: "strava",
          activityId: event.object_id,
          change: "deleted",
          eventId: row.id,
        },
        deps.config.replan.debounceMs,
      );
    return finish({ status: "processed", note: deleted ? "activity deleted" : "activity was not stored" });
  }

  if (connection.status !== "active")
    return finish({
      status: "ignored",
      note: `connection is ${connection.status}; the next backfill catches up`,
    });

  try {
    const strava = await stravaAsAthlete(deps, connection, { lane: "live", logger: athleteLog });
    const fetched = await strava.call((api, token) => api.getActivity(token, event.object_id));
    const result = await storeFetchedActivity(deps.db, connection, fetched, deps.now());
    if (result.status !== "imported")
      return finish({
        status: "ignored",
        note:
          result.status === "not_owner"
            ? "activity belongs to another athlete"
            : "connection ended meanwhile",
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
    return finish({ status: "processed", kind: result.kind, created: result.created });
  } catch (err) {
    if (err instanceof StravaNotFoundError) {
      const waited = deps.now().getTime() - row.receivedAt.getTime();
      if (waited < NOT_FOUND_PATIENCE_MS && ctx.delayUntil) {
        const tries = await countInboxAttempt(deps.db, row.id, "Strava answered 404; asking again");
        const at = deps.now().getTime() + notFoundBackoffMs(tries);
        athleteLog.info({ tries, retryAt: new Date(at).toISOString() }, "activity not found yet; waiting");
        throw await ctx.delayUntil(at);
      }
      await finishInboxEvent(deps.db, row.id, "failed", "Strava kept answering 404");
      throw new UnrecoverableError(
        `activity ${event.object_id}: Strava kept answering 404 for ${Math.round(waited / 60_000)} min`,
      );
    }
    // A retryable failure on its last attempt, or one no retry fixes: the row says so.
    const last = ctx.attempt >= JOBS["strava-event"].attempts;
    const final = err instanceof UnrecoverableError || (err instanceof StravaError && !err.retryable) || last;
    if (final && !(err instanceof StravaRateLimitedError))
      await finishInboxEvent(deps.db, row.id, "failed", err instanceof Error ? err.message : String(err));
    throw err;
  }
}
