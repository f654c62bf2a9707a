// Garmin's notifications, at /webhooks/garmin/{GARMIN_WEBHOOK_SECRET}/activities,
// /activity-files, /deregistrations and /permissions (the URLs to enter in Garmin's
// endpoint configuration tool).
//
// Garmin signs nothing (Activity API 1.2.3: no signature header), so the path is
// the credential: a wrong or missing secret is answered exactly as a path with no
// route (404, the app's own not-found body).
//
// Each notification is validated (zod, notifications.ts), its items stored in the
// webhook_events inbox (one row each, idempotently, and only for users with a
// Garmin connection) and queued as `garmin-event` jobs, then answered 200 with
// {"status": "received"}, the same for every user, known or not. Garmin is never
// called here (it wants the answer first, within 30 s); the worker pulls a ping's
// callback, confirms a deregistration and reads the permissions back. A store or
// a queue that fails answers 503 and Garmin sends the notification again; its
// items are then found stored and queued once more (the job id makes that harmless).
//
// Bodies may be large (Garmin: accept at least 10 MB), so these routes have a
// 10 MB limit of their own instead of the app's 1 MiB.
import type { Hono } from "hono";
import { databaseRejectedValue, databaseUnavailable } from "../../db/failures.ts";
import { type GarminInboxOutcome, storeGarminEvents } from "../../db/repos/garmin-inbox.ts";
import {
  activityFileItems,
  activityItems,
  deregistrationItems,
  type GarminInboxItem,
  GarminNotificationError,
  permissionItems,
} from "../../integrations/garmin/notifications.ts";
import { loggableError } from "../../observability/errors.ts";
import { enqueueGarminEvents } from "../../workers/garmin/event-jobs.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError, errorBody } from "../errors.ts";
import { lightBodyLimit } from "../middleware/body-limit.ts";
import { webhookPath, webhookSecretMatches } from "../webhook-path.ts";

export const GARMIN_WEBHOOK_PREFIX = "/webhooks/garmin/";
export const GARMIN_BODY_LIMIT = 10 * 1024 * 1024;
/**
 * How long storing a notification may take before the answer is 503. Garmin waits
 * 30 s for an answer and a 10 MB body holds thousands of items, so the tight
 * WEBHOOK_STORE_TIMEOUT_MS tuned for Strava's one-event requests is only a floor.
 */
export const GARMIN_STORE_TIMEOUT_MS = 10_000;

/** Whether a request is for a Garmin notification route (the app's 1 MiB body limit leaves these alone). */
export function isGarminWebhook(path: string): boolean {
  return path.startsWith(GARMIN_WEBHOOK_PREFIX);
}

const KINDS: Record<string, (body: unknown) => GarminInboxItem[]> = {
  activities: activityItems,
  "activity-files": activityFileItems,
  deregistrations: deregistrationItems,
  permissions: permissionItems,
};

function within<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => {});
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new AppError("unavailable", "the notification could not be stored just now")),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function registerGarminWebhooks(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, "config" | "db" | "queues" | "logger">,
): void {
  const secret = deps.config.garmin.webhookSecret;
  // Without a secret (Garmin not configured) there is no webhook: every path 404s.
  if (secret === null) return;
  const base = webhookPath("garmin", ":secret");
  app.use(
    `${GARMIN_WEBHOOK_PREFIX}*`,
    lightBodyLimit({
      maxSize: GARMIN_BODY_LIMIT,
      onError: (c) => errorBody(c, "payload_too_large", "request body over 10 MB"),
    }),
  );

  app.post(`${base}/:kind`, async (c) => {
    const toItems = KINDS[c.req.param("kind")];
    if (!toItems || !webhookSecretMatches(c.req.param("secret"), secret)) return c.notFound();
    const log = c.get("logger");
    let body: unknown;
    try {
      body = JSON.parse(await c.req.text());
    } catch {
      throw new AppError("bad_request", "body is not JSON");
    }
    let items: GarminInboxItem[];
    try {
      items = toItems(body);
    } catch (err) {
      if (!(err instanceof GarminNotificationError)) throw err;
      throw new AppError("validation_failed", err.message, err.issues);
    }

    let outcomes: GarminInboxOutcome[];
    try {
      outcomes = await within(
        storeGarminEvents(
          deps.db,
          items.map((i) => ({
            dedupeKey: i.dedupeKey,
            userId: i.userId,
            objectType: i.objectType,
            objectId: i.objectId,
            aspectType: i.aspectType,
            payload: i.event,
          })),
        ),
        Math.max(deps.config.webhooks.storeTimeoutMs, GARMIN_STORE_TIMEOUT_MS),
      );
    } catch (err) {
      if (err instanceof AppError) throw err;
      log.error({ err: loggableError(err), items: items.length }, "could not store a Garmin notification");
      if (databaseUnavailable(err))
        throw new AppError(
          "unavailable",
          "the notification could not be stored just now; Garmin will send it again",
        );
      if (databaseRejectedValue(err))
        throw new AppError("unprocessable", "the notification holds a value that cannot be stored");
      throw err;
    }

    // A duplicate still "received" may be the retry of a delivery whose queueing failed.
    const ids = outcomes.flatMap((o) =>
      o.kind === "stored" || (o.kind === "duplicate" && o.status === "received") ? [o.id] : [],
    );
    try {
      await enqueueGarminEvents(deps.queues, ids);
    } catch (err) {
      log.error(
        { err: loggableError(err), items: ids.length },
        "stored Garmin notification items could not be queued",
      );
      throw new AppError(
        "unavailable",
        "the notification is stored but could not be queued; Garmin will send it again",
      );
    }
    const unknown = outcomes.filter((o) => o.kind === "unknown_user").length;
    if (unknown > 0)
      log.info(
        { items: items.length, unknown },
        "Garmin notification items for no connected user: not stored",
      );
    if (ids.length > 0) c.set("quietRequestLog", true);
    return c.json({ status: "received" });
  });
}
