// Strava's push subscription callback.
//
// GET answers the subscription handshake. POST takes an event: validate it, check
// it is for our subscription, store it (idempotently, and only when its owner is
// a connected athlete) and queue its handling, then answer 200. Strava is never
// called here; the worker does that.
//
// Throughput: events arriving within a couple of milliseconds share one INSERT
// (which also checks the owner) and one BullMQ job for the batch (the worker
// turns it into one job per event), and each request is answered once its batch
// is stored. A failed batch answers 500 to every request in it, and Strava
// retries: no event is acknowledged unless it is stored.
//
// Events for an owner who is no connected athlete are answered 200 with nothing
// stored and no API call: a non-200 would only make Strava retry an event we will
// never want (the athlete deauthorized, or the event is forged), and the answer
// reveals nothing a forger could use, since every well-formed event gets it.
import { timingSafeEqual } from "node:crypto";
import type { Hono } from "hono";
import type { Database } from "../../db/client.ts";
import { getStravaSubscriptionId } from "../../db/repos/strava-data.ts";
import { type StravaInboxOutcome, storeStravaEvents } from "../../db/repos/webhook-inbox.ts";
import {
  parseWebhookBody,
  type StravaWebhookEvent,
  stravaEventDedupeKey,
  stravaWebhookEventSchema,
} from "../../integrations/strava/webhook-event.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Queues } from "../../workers/queues.ts";
import { enqueueStravaEventBatch } from "../../workers/strava/event-jobs.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { createMicroBatcher, type MicroBatchOptions } from "../micro-batch.ts";

export const STRAVA_WEBHOOK_PATH = "/webhooks/strava";

/** Tuned with bench/webhook.ts on the 2-core machine: a few ms of company, four batches at once. */
export const WEBHOOK_BATCH: MicroBatchOptions = { windowMs: 2, maxBatch: 500, maxInFlight: 4 };

const SUBSCRIPTION_TTL_MS = 30_000;
const NO_SUBSCRIPTION_TTL_MS = 5_000;

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The subscription whose events we accept: STRAVA_SUBSCRIPTION_ID when set, else
 * the id `runstrong strava subscribe` stored, read at most every 30 s (5 s while
 * there is none, so a fresh subscribe is picked up quickly).
 */
function subscriptionLookup(db: Database, pinned: string | null): () => Promise<number | null> {
  if (pinned !== null) {
    const id = Number(pinned);
    return async () => id;
  }
  let cached: { id: number | null; until: number } | null = null;
  let loading: Promise<number | null> | null = null;
  return async () => {
    const now = Date.now();
    if (cached && cached.until > now) return cached.id;
    loading ??= getStravaSubscriptionId(db)
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
 */
export function stravaIntake(
  deps: { db: Database; queues: Queues; logger: Logger },
  options: MicroBatchOptions = WEBHOOK_BATCH,
) {
  return createMicroBatcher<StravaWebhookEvent, StravaInboxOutcome>(
    {
      flush: async (events) => {
        try {
          return await storeStravaEvents(
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
          );
        } catch (err) {
          deps.logger.error(
            { err: err instanceof Error ? err.message : String(err), events: events.length },
            "could not store a batch of Strava events; answering 500 so Strava retries",
          );
          throw err;
        }
      },
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

export function registerStravaWebhook(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, "config" | "db" | "queues" | "logger">,
): void {
  const subscriptionId = subscriptionLookup(deps.db, deps.config.strava.subscriptionId);
  const intake = stravaIntake(deps);

  app.get(STRAVA_WEBHOOK_PATH, (c) => {
    const expected = deps.config.strava.verifyToken;
    const mode = c.req.query("hub.mode");
    const token = c.req.query("hub.verify_token") ?? "";
    const challenge = c.req.query("hub.challenge");
    if (!expected)
      throw new AppError("forbidden", "STRAVA_VERIFY_TOKEN is not set: no subscription can be verified");
    if (mode !== "subscribe" || !challenge || !sameSecret(token, expected))
      throw new AppError("forbidden", "verify token does not match");
    c.get("logger").info("Strava subscription handshake answered");
    return c.json({ "hub.challenge": challenge });
  });

  app.post(STRAVA_WEBHOOK_PATH, async (c) => {
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
    const expected = await subscriptionId();
    if (expected === null || event.subscription_id !== expected)
      throw new AppError("forbidden", "event for a subscription that is not ours");

    let outcome: StravaInboxOutcome;
    try {
      outcome = await intake.submit(event);
    } catch {
      throw new AppError("internal", "the event could not be stored; Strava will send it again");
    }
    if (outcome.kind === "unknown_athlete")
      c.get("logger").info(
        { ownerId: event.owner_id, object: event.object_type },
        "Strava event for no connected athlete: ignored",
      );
    // The inbox row is the record of a stored event: its request line goes at debug.
    if (outcome.kind !== "unknown_athlete") c.set("quietRequestLog", true);
    return c.json({ status: outcome.kind === "unknown_athlete" ? "ignored" : outcome.kind });
  });
}
