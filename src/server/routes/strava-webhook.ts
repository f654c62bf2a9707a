// Strava's push subscription callback, at /webhooks/strava/{STRAVA_WEBHOOK_SECRET}.
//
// Strava signs nothing it sends, and the ids in an event are no secret, so the
// path is the credential: a wrong or missing secret is answered exactly as a path
// with no route (404, the app's own not-found body), handshake included.
//
// GET answers the subscription handshake. POST takes an event: validate it (shape,
// and an event_time that can be true), check it is for our subscription, store it
// (idempotently, and only when its owner is a connected athlete) and queue its
// handling, then answer 200. Strava is never called here; the worker does that.
//
// Throughput: events arriving within a couple of milliseconds share one INSERT
// (which also checks the owner) and one BullMQ job for the batch (the worker
// turns it into one job per event), and each request is answered once its batch
// is stored. No event is acknowledged unless it is stored:
//  - a batch Postgres refuses is stored again one event at a time, so only the
//    event it refuses fails (422) and its neighbours are stored;
//  - a Postgres that is away or does not answer within WEBHOOK_STORE_TIMEOUT_MS
//    gets 503 at once, and Strava retries (it wants an answer within 2 s).
//
// Every stored, repeated or unwanted event gets the same answer, {"status":
// "received"}: an event for an owner who is no connected athlete is stored
// nowhere and costs no API call, but a different answer would tell a forger
// which athlete ids use this service (and a non-200 would only make Strava retry
// an event we will never want).
import type { Hono } from "hono";
import type { Database } from "../../db/client.ts";
import { databaseRejectedValue, databaseUnavailable } from "../../db/failures.ts";
import { getStravaSubscriptionId } from "../../db/repos/strava-data.ts";
import { type StravaInboxOutcome, storeStravaEvents } from "../../db/repos/webhook-inbox.ts";
import {
  eventTimeOutOfWindow,
  parseWebhookBody,
  type StravaWebhookEvent,
  stravaEventDedupeKey,
  stravaWebhookEventSchema,
} from "../../integrations/strava/webhook-event.ts";
import { loggableError } from "../../observability/errors.ts";
import type { Logger } from "../../observability/logger.ts";
import { secretsEqual } from "../../security/compare.ts";
import type { Queues } from "../../workers/queues.ts";
import { enqueueStravaEventBatch } from "../../workers/strava/event-jobs.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { createMicroBatcher, type MicroBatchOptions } from "../micro-batch.ts";
import { webhookPath, webhookSecretMatches } from "../webhook-path.ts";

/** Tuned with bench/webhook.ts on the 2-core machine: a few ms of company, four batches at once. */
export const WEBHOOK_BATCH: MicroBatchOptions = { windowMs: 2, maxBatch: 500, maxInFlight: 4 };

const SUBSCRIPTION_TTL_MS = 30_000;
const NO_SUBSCRIPTION_TTL_MS = 5_000;

/** Postgres did not answer within WEBHOOK_STORE_TIMEOUT_MS (it may be hanging, not down). */
class StoreTimeoutError extends Error {
  override name = "StoreTimeoutError";
}

/**
 * `work`, or a StoreTimeoutError after `ms`. The query itself is not cancelled: if
 * it completes later, its rows are stored and Strava's retry finds them (a
 * duplicate, queued again), and the inbox sweep queues what no retry brings.
 */
function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  work.catch(() => {});
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new StoreTimeoutError(`${what}: no answer from Postgres in ${ms} ms`)),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function storeUnavailable(err: unknown): boolean {
  return err instanceof StoreTimeoutError || databaseUnavailable(err);
}

/**
 * The subscription whose events we accept: STRAVA_SUBSCRIPTION_ID when set, else
 * the id `runstrong strava subscribe` stored, read at most every 30 s (5 s while
 * there is none, so a fresh subscribe is picked up quickly), giving up on a
 * Postgres that does not answer within `timeoutMs`.
 */
function subscriptionLookup(
  db: Database,
  pinned: string | null,
  timeoutMs: number,
): () => Promise<number | null> {
  if (pinned !== null) {
    const id = Number(pinned);
    return async () => id;
  }
  let cached: { id: number | null; until: number } | null = null;
  let loading: Promise<number | null> | null = null;
  return async () => {
    const now = Date.now();
    if (cached && cached.until > now) return cached.id;
    loading ??= within(getStravaSubscriptionId(db), timeoutMs, "reading the Strava subscription")
      .then((id) => {
        cached = { id, until: Date.now() + (id === null ? NO_SUBSCRIPTION_TTL_MS : SUBSCRIPTION_TTL_MS) };
        return id;
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  };
}

/**
 * Stores each batch in one statement and answers; then queues one
 * `strava-event-batch` job for the batch's events (per-event jobs cost a Redis
 * script each, so the worker adds them, not the HTTP process). The answer waits
 * for Postgres (the event is durable: Strava may stop sending it), not for Redis:
 * an event stored but not yet queued is queued by the next delivery of it or by
 * the `requeue-strava-inbox` sweep, so a Redis hiccup delays handling without
 * losing an event or failing Strava's delivery.
 *
 * A batch that fails for any reason but Postgres being away is stored again one
 * event at a time (the micro-batcher's `retryAlone`), so a value Postgres refuses
 * fails only its own request. Failures are logged through loggableError, which
 * keeps the database's code and message and drops the statement's parameters
 * (the events themselves).
 */
export function stravaIntake(
  deps: { db: Database; queues: Queues; logger: Logger; storeTimeoutMs: number },
  options: MicroBatchOptions = WEBHOOK_BATCH,
) {
  return createMicroBatcher<StravaWebhookEvent, StravaInboxOutcome>(
    {
      flush: async (events) => {
        try {
          return await within(
            storeStravaEvents(
              deps.db,
              events.map((e) => ({
                dedupeKey: stravaEventDedupeKey(e),
                ownerId: e.owner_id,
                objectType: e.object_type,
                objectId: e.object_id,
                aspectType: e.aspect_type,
                eventTime: e.event_time,
                payload: e,
              })),
            ),
            deps.storeTimeoutMs,
            "storing Strava events",
          );
        } catch (err) {
          deps.logger.error(
            { err: loggableError(err), events: events.length },
            storeUnavailable(err)
              ? "Postgres could not store a batch of Strava events; answering 503 so Strava retries"
              : events.length > 1
                ? "could not store a batch of Strava events; storing each on its own"
                : "could not store a Strava event",
          );
          throw err;
        }
      },
      retryAlone: (err) => !storeUnavailable(err),
      after: async (_events, outcomes) => {
        // A duplicate still "received" may be the retry of a delivery whose enqueue
        // failed: queue it again (the job id makes that harmless).
        const ids = new Set<number>();
        for (const o of outcomes)
          if (o.kind === "stored" || (o.kind === "duplicate" && o.status === "received")) ids.add(o.id);
        try {
          await enqueueStravaEventBatch(deps.queues, [...ids]);
        } catch (err) {
          deps.logger.error(
            { err: err instanceof Error ? err.message : String(err), events: ids.size },
            "stored Strava events could not be queued; the inbox sweep will queue them",
          );
        }
      },
    },
    options,
  );
}

/** What a request whose event could not be stored is told. */
function storeFailure(err: unknown): AppError {
  if (storeUnavailable(err))
    return new AppError("unavailable", "the event could not be stored just now; Strava will send it again");
  if (databaseRejectedValue(err))
    return new AppError("unprocessable", "the event holds a value that cannot be stored");
  return new AppError("internal", "the event could not be stored; Strava will send it again");
}

export function registerStravaWebhook(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, "config" | "db" | "queues" | "logger" | "now">,
): void {
  const secret = deps.config.strava.webhookSecret;
  // Without a secret (Strava not configured) there is no webhook: every path 404s.
  if (secret === null) return;
  const storeTimeoutMs = deps.config.webhooks.storeTimeoutMs;
  const subscriptionId = subscriptionLookup(deps.db, deps.config.strava.subscriptionId, storeTimeoutMs);
  const intake = stravaIntake({ ...deps, storeTimeoutMs });
  const path = webhookPath("strava", ":secret");

  app.get(path, (c) => {
    if (!webhookSecretMatches(c.req.param("secret"), secret)) return c.notFound();
    const expected = deps.config.strava.verifyToken;
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token") ?? "";
    const challenge = c.req.query("hub.challenge");
    if (!expected)
      throw new AppError("forbidden", "STRAVA_VERIFY_TOKEN is not set: no subscription can be verified");
    if (mode !== "subscribe" || !challenge || !secretsEqual(token, expected))
      throw new AppError("forbidden", "verify token does not match");
    c.get("logger").info("Strava subscription handshake answered");
    return c.json({ "hub.challenge": challenge });
  });

  app.post(path, async (c) => {
    if (!webhookSecretMatches(c.req.param("secret"), secret)) return c.notFound();
    let body: unknown;
    try {
      body = parseWebhookBody(await c.req.text());
    } catch {
      throw new AppError("bad_request", "body is not JSON");
    }
    const parsed = stravaWebhookEventSchema.safeParse(body);
    if (!parsed.success) {
      const issues = parsed.error.issues
        .slice(0, 5)
        .map((i) => ({ path: i.path.join("."), message: i.message }));
      throw new AppError("validation_failed", "not a Strava webhook event", issues);
    }
    const event = parsed.data;
    const outOfWindow = eventTimeOutOfWindow(event.event_time, deps.now());
    if (outOfWindow) throw new AppError("unprocessable", outOfWindow);

    let expected: number | null;
    try {
      expected = await subscriptionId();
    } catch (err) {
      c.get("logger").error({ err: loggableError(err) }, "could not read the Strava subscription id");
      throw storeFailure(err);
    }
    if (expected === null || event.subscription_id !== expected)
      throw new AppError("forbidden", "event for a subscription that is not ours");

    let outcome: StravaInboxOutcome;
    try {
      outcome = await intake.submit(event);
    } catch (err) {
      throw storeFailure(err);
    }
    if (outcome.kind === "unknown_athlete")
      c.get("logger").info(
        { ownerId: event.owner_id, object: event.object_type },
        "Strava event for no connected athlete: not stored",
      );
    // The inbox row is the record of a stored event: its request line goes at debug.
    else c.set("quietRequestLog", true);
    return c.json({ status: "received" });
  });
}
