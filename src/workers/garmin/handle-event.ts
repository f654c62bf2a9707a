// One stored Garmin notification item, by its inbox id: a pushed activity
// (imported from the summary that came with it), a ping (its callbackURL pulled
// with the user's token, only when it points at GARMIN_API_BASE_URL's origin), a
// deregistration (everything from Garmin wiped, once Garmin confirms) or a
// permission change (the permissions read back from Garmin and stored).
//
// Nothing Garmin sends is signed, so nothing is destroyed on a notification's word
// alone: a deregistration wipes only once Garmin refuses the user's refresh token
// or a fresh access token (tokens.ts), and a permission change stores what
// Garmin's own /user/permissions says, not what the body claims.
import { UnrecoverableError } from "bullmq";
import { type Connection, getConnectionByExternal } from "../../db/repos/connections.ts";
import { setGarminPermissions, wipeGarminUser } from "../../db/repos/garmin-data.ts";
import { finishInboxEvent, getInboxEvent, type InboxEvent } from "../../db/repos/webhook-inbox.ts";
import { ActivityParseError } from "../../domain/activity.ts";
import { isGarminCallback } from "../../integrations/garmin/api.ts";
import { GarminError } from "../../integrations/garmin/errors.ts";
import {
  type GarminEvent,
  garminEventSchema,
  WORKOUT_IMPORT,
} from "../../integrations/garmin/notifications.ts";
import type { Logger } from "../../observability/logger.ts";
import { importStrengthFit } from "../../plan/import-strength-file.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import { JOBS, type JobPayload } from "../jobs.ts";
import { requestReplan } from "../replan-trigger.ts";
import { garminAsAthlete } from "./as-athlete.ts";
import { storeGarminSummary } from "./import-activity.ts";

export const FORGED_DEREGISTRATION_NOTE =
  "Garmin still answers for this user: forged or stale deregistration, nothing deleted";
export const FOREIGN_CALLBACK_NOTE = "the callbackURL does not point at GARMIN_API_BASE_URL: not fetched";
export const WORKOUT_IMPORT_LOST_NOTE =
  "Garmin no longer grants WORKOUT_IMPORT: workouts are not sent to Garmin until the athlete turns it on again";

type Outcome = { status: "processed" | "ignored"; note?: string; [k: string]: unknown };

interface EventRun {
  row: InboxEvent;
  event: GarminEvent;
  log: Logger;
  finish(outcome: Outcome): Promise<Outcome>;
}

export async function handleGarminEvent(
  payload: JobPayload<"garmin-event">,
  deps: WorkerDeps,
  ctx: JobContext,
): Promise<Outcome> {
  const row = await getInboxEvent(deps.db, payload.eventId);
  if (!row) return { status: "ignored", note: "event no longer stored" };
  if (row.status === "processed" || row.status === "ignored")
    return { status: row.status, note: "already handled" };
  const parsed = garminEventSchema.safeParse(row.payload);
  if (!parsed.success) {
    await finishInboxEvent(deps.db, row.id, "failed", "stored payload is not a Garmin notification item");
    throw new UnrecoverableError(`inbox row ${row.id} holds no Garmin notification item`);
  }
  const event = parsed.data;
  const log = ctx.logger.child({ eventId: row.id, kind: event.kind });
  const run: EventRun = {
    row,
    event,
    log,
    async finish(outcome) {
      await finishInboxEvent(deps.db, row.id, outcome.status, outcome.note ?? null);
      log.info(outcome, "Garmin notification handled");
      return outcome;
    },
  };
  try {
    const connection = await getConnectionByExternal(deps.db, "garmin", event.userId);
    if (!connection) {
      // A deregistration of a user already gone (our own DELETE of the registration brings one).
      return await run.finish({ status: "ignored", note: "user is no longer a connected athlete" });
    }
    const athleteLog = log.child({ athleteId: connection.athleteId });
    switch (event.kind) {
      case "deregistration":
        return await deregistration(run, deps, connection, athleteLog);
      case "permissions":
        return await permissionChange(run, deps, connection, athleteLog);
      case "activity-push":
        return await importSummaries(run, deps, connection, [event.summary]);
      case "activity-ping":
        return await ping(run, deps, connection, event.callbackURL, athleteLog);
      case "activity-file":
        return await activityFile(run, deps, connection, event, athleteLog);
    }
  } catch (err) {
    const last = ctx.attempt >= JOBS["garmin-event"].attempts;
    const final =
      err instanceof UnrecoverableError ||
      err instanceof ActivityParseError ||
      (err instanceof GarminError && !err.retryable) ||
      last;
    if (final)
      await finishInboxEvent(deps.db, row.id, "failed", err instanceof Error ? err.message : String(err));
    if (err instanceof ActivityParseError) throw new UnrecoverableError(err.message);
    throw err;
  }
}

async function deregistration(
  run: EventRun,
  deps: WorkerDeps,
  connection: Connection,
  log: Logger,
): Promise<Outcome> {
  // Asked whatever the connection's status: a needs_reauth connection still holds a
  // refresh token Garmin may grant (a connection without tokens counts as revoked).
  const garmin = garminAsAthlete(deps, connection, log);
  if ((await garmin.checkAuthorization()) === "authorized")
    return run.finish({ status: "ignored", note: FORGED_DEREGISTRATION_NOTE });
  const wipe = await wipeGarminUser(deps.db, run.event.userId);
  if (wipe.athleteId !== null && !wipe.athleteDeleted)
    await requestReplan(
      deps.queues,
      wipe.athleteId,
      { type: "disconnect", provider: "garmin" },
      deps.config.replan.debounceMs,
    );
  // The event row went with the rest of the user's Garmin data.
  log.info({ ...wipe }, "Garmin deregistration confirmed: the athlete's Garmin data deleted");
  return { status: "processed", ...wipe };
}

async function permissionChange(
  run: EventRun,
  deps: WorkerDeps,
  connection: Connection,
  log: Logger,
): Promise<Outcome> {
  if (connection.status !== "active")
    return run.finish({ status: "ignored", note: `connection is ${connection.status}` });
  const garmin = garminAsAthlete(deps, connection, log);
  const permissions = await garmin.call((api, token) => api.permissions(token));
  await setGarminPermissions(deps.db, connection.id, permissions);
  const lost = connection.scopes.includes(WORKOUT_IMPORT) && !permissions.includes(WORKOUT_IMPORT);
  if (lost) log.warn({ permissions }, WORKOUT_IMPORT_LOST_NOTE);
  return run.finish({
    status: "processed",
    permissions,
    ...(lost ? { note: WORKOUT_IMPORT_LOST_NOTE } : {}),
  });
}

async function ping(
  run: EventRun,
  deps: WorkerDeps,
  connection: Connection,
  callbackUrl: string,
  log: Logger,
): Promise<Outcome> {
  if (!isGarminCallback(callbackUrl, deps.config.garmin.apiBaseUrl)) {
    log.warn("Garmin ping whose callbackURL points elsewhere: not fetched");
    return run.finish({ status: "ignored", note: FOREIGN_CALLBACK_NOTE });
  }
  if (connection.status !== "active")
    return run.finish({ status: "ignored", note: `connection is ${connection.status}` });
  const garmin = garminAsAthlete(deps, connection, log);
  const summaries = await garmin.call((api, token) => api.pull(callbackUrl, token));
  return importSummaries(run, deps, connection, summaries);
}

/**
 * An activity's file: a strength activity's FIT `set` messages become the log of
 * the session planned that day (src/plan/strength-log.ts); the activity itself
 * arrives as a summary through the activities notification. Other files are not read.
 */
async function activityFile(
  run: EventRun,
  deps: WorkerDeps,
  connection: Connection,
  event: Extract<GarminEvent, { kind: "activity-file" }>,
  log: Logger,
): Promise<Outcome> {
  if (!isGarminCallback(event.callbackURL, deps.config.garmin.apiBaseUrl)) {
    log.warn("Garmin activity file whose callbackURL points elsewhere: not fetched");
    return run.finish({ status: "ignored", note: FOREIGN_CALLBACK_NOTE });
  }
  if (connection.status !== "active")
    return run.finish({ status: "ignored", note: `connection is ${connection.status}` });
  if (event.fileType !== null && event.fileType.toUpperCase() !== "FIT")
    return run.finish({ status: "ignored", note: `a ${event.fileType} file: only FIT carries sets` });
  const garmin = garminAsAthlete(deps, connection, log);
  const bytes = await garmin.call((api, token) => api.pullFile(event.callbackURL, token));
  const result = await importStrengthFit(deps, connection.athleteId, bytes, "garmin");
  return result.logged
    ? run.finish({ status: "processed", sessionKey: result.sessionKey })
    : run.finish({ status: "ignored", note: result.reason });
}

async function importSummaries(
  run: EventRun,
  deps: WorkerDeps,
  connection: Connection,
  summaries: unknown[],
): Promise<Outcome> {
  if (connection.status !== "active")
    return run.finish({ status: "ignored", note: `connection is ${connection.status}` });
  const imported: string[] = [];
  for (const summary of summaries) {
    const result = await storeGarminSummary(deps.db, connection, summary, deps.now());
    if (result.status !== "imported")
      return run.finish({ status: "ignored", note: "connection ended meanwhile" });
    imported.push(result.activityId);
    await requestReplan(
      deps.queues,
      connection.athleteId,
      {
        type: "activity",
        provider: "garmin",
        activityId: result.activityId,
        change: result.created ? "created" : "updated",
        eventId: run.row.id,
      },
      deps.config.replan.debounceMs,
    );
  }
  return run.finish({ status: "processed", activities: imported });
}
