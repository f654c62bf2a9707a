// The notify job: tells the athlete what changed in their plan since the last
// message, by email and by web push, once per change set.
//
// Under a per-athlete lock it records one message per channel covering every
// plan version since the last message (`skipped`, with the reason, where nothing
// goes out: nothing visible changed, the channel is off, no confirmed address, no
// browser), then delivers every message of the athlete not yet delivered. The
// log is the truth a retry reads: a channel marked sent is never sent again, a
// push subscription that took a message is not sent it again, and one channel
// failing marks only its own row failed; the job then throws so BullMQ retries
// it with backoff, while the other channel and the plan have moved on.
import { sql } from "drizzle-orm";
import type { Executor } from "../../db/client.ts";
import type { StoredChange } from "../../db/columns.ts";
import { getAthlete } from "../../db/repos/athletes.ts";
import {
  type Channel,
  deleteSubscriptionById,
  lastCoveredVersion,
  type MessageRow,
  markDeliveredTo,
  markMessage,
  newestVersion,
  pushFailed,
  pushSucceeded,
  recordMessages,
  type SessionToTell,
  subscriptionsOf,
  undeliveredMessages,
  versionIdOf,
  versionsBetween,
  visibleSessions,
} from "../../db/repos/notifications.ts";
import { readStoredSettings } from "../../domain/settings.ts";
import type { ResolveHost } from "../../integrations/calendar/fetch-feed.ts";
import { unsubscribeLink } from "../../integrations/email/links.ts";
import { createMailer, type Mailer, MailSendError } from "../../integrations/email/mailer.ts";
import { planChangeMail } from "../../integrations/email/messages.ts";
import { PushError, sendPush } from "../../integrations/push/send.ts";
import { loggableError } from "../../observability/errors.ts";
import type { JobContext, WorkerDeps } from "../context.ts";
import type { JobPayload } from "../jobs.ts";
import { quietHoursEnd } from "./quiet-hours.ts";
import { requestEmailNotice } from "./request.ts";

/** A push service keeps a message this long for a browser that is offline. */
export const PUSH_TTL_SECONDS = 24 * 3600;
/** Failed deliveries in a row after which a push subscription is dropped (and the athlete told by email). */
export const MAX_PUSH_FAILURES = 5;
/** Attempts per message and channel; then it stays `failed` and later jobs leave it alone. */
export const MAX_MESSAGE_ATTEMPTS = 8;
/** Sessions listed in a message, from now on. */
const SESSIONS_LISTED = 14;
/** Push services take about 4 KB of payload; the JSON stays well under it. */
const PUSH_PAYLOAD_MAX = 3_000;
const PUSH_TIMEOUT_MS = 15_000;
// With the athlete id, one lock per athlete: two notify jobs never deliver the same message at once.
const NOTIFY_LOCK = 7_411;

export class NotifyRetryError extends Error {
  override name = "NotifyRetryError";
}

export interface NotifyOptions {
  /** tests: a stand-in DNS resolver for push endpoints */
  resolve?: ResolveHost;
  mailer?: Mailer;
}

export type NotifyOutcome =
  | { heldUntil: string }
  | { recorded: number; delivered: { channel: Channel; status: string }[] };

/**
 * One Message-ID per message, the same on every attempt: a mail sent again because
 * the outcome of its first send was lost (the worker killed between the SMTP
 * server's "250 accepted" and our record of it) is the same message, which mail
 * stores and clients fold into one.
 */
export function planMailMessageId(installId: string, messageId: number, publicUrl: string): string {
  return `<plan-${installId}-${messageId}@${new URL(publicUrl).hostname}>`;
}

/**
 * One push Topic per message (RFC 8030 section 5.4): a push service replaces a
 * message it still holds with a newer one of the same topic, so a push sent again
 * before the browser fetched the first is shown once.
 */
export function pushTopic(messageId: number): string {
  return `plan-${messageId}`;
}

export function planUrl(publicUrl: string): string {
  return `${publicUrl}/plan`;
}

function sentencesOf(diff: readonly StoredChange[]): string[] {
  return diff.map((c) => c.sentence);
}

function sameSessions(a: SessionToTell[], b: SessionToTell[]): boolean {
  const key = (s: SessionToTell) =>
    JSON.stringify([s.sessionKey, s.session, s.startAt.getTime(), s.endAt.getTime(), s.status, s.exercises]);
  const left = a.map(key).sort();
  const right = b.map(key).sort();
  return left.length === right.length && left.every((k, i) => k === right[i]);
}

/** The JSON a service worker receives: {title, body, url, changes}, cut to fit a push message. */
export function pushPayload(sentences: string[], url: string): string {
  const changes = [...sentences];
  for (;;) {
    const more = sentences.length - 1;
    const body = `${sentences[0] ?? "Your plan changed."}${more > 0 ? ` (and ${more} more)` : ""}`;
    const json = JSON.stringify({ title: "Your strength plan changed", body, url, changes });
    if (json.length <= PUSH_PAYLOAD_MAX || changes.length === 0) return json;
    changes.pop();
  }
}

export async function notifyAthlete(
  payload: JobPayload<"notify-plan-change">,
  deps: WorkerDeps,
  ctx: JobContext,
  options: NotifyOptions = {},
): Promise<NotifyOutcome> {
  const log = ctx.logger.child({ athleteId: payload.athleteId });
  const athlete = await getAthlete(deps.db, payload.athleteId);
  if (!athlete) return { recorded: 0, delivered: [] };
  const settings = readStoredSettings(athlete.settings);
  const now = deps.now();
  const quiet = settings.notifications?.quietHours;
  if (quiet) {
    const end = quietHoursEnd(now.getTime(), athlete.timezone, quiet);
    if (end !== null) {
      log.info({ until: new Date(end).toISOString() }, "plan-change message held for quiet hours");
      if (ctx.delayUntil) throw await ctx.delayUntil(end);
      return { heldUntil: new Date(end).toISOString() };
    }
  }
  const emailOn = settings.notifications?.email ?? true;
  const pushOn = settings.notifications?.push ?? true;
  const mailer = options.mailer ?? createMailer(deps.config.mail, log);
  const publicUrl = deps.config.http.publicUrl;
  const dropped: { id: number; host: string }[] = [];
  let failures = 0;
  let recorded = 0;
  const delivered: { channel: Channel; status: string }[] = [];

  // The lock lives in a transaction of its own that writes nothing: every record
  // below goes through `db` and commits at once, so a worker killed after a send
  // leaves that send on record and its retry does not make it again.
  const db = deps.db;
  await deps.db.transaction(async (lock) => {
    await lock.execute(sql`select pg_advisory_xact_lock(${NOTIFY_LOCK}, ${athlete.id}::int)`);
    const subscriptions = await subscriptionsOf(db, athlete.id);
    const emailSkip = !emailOn
      ? "plan mail is off"
      : !athlete.email
        ? "no address"
        : !athlete.emailConfirmedAt
          ? "address not confirmed"
          : null;
    const pushSkip = !pushOn ? "push is off" : subscriptions.length === 0 ? "no push subscriptions" : null;

    // 1. Record a message for the versions since the last one.
    const covered = await lastCoveredVersion(db, athlete.id);
    const newest = await newestVersion(db, athlete.id);
    if (newest && newest.version > covered) {
      const versions = await versionsBetween(db, athlete.id, covered + 1, newest.version);
      const baseId = covered > 0 ? await versionIdOf(db, athlete.id, covered) : null;
      const visible =
        versions.some((v) => sentencesOf(v.diff).length > 0) &&
        !sameSessions(await visibleSessions(db, baseId), await visibleSessions(db, newest.id));
      const nothing = visible ? null : "nothing the athlete would see changed";
      await recordMessages(db, athlete.id, [
        {
          planVersionId: newest.id,
          firstVersion: covered + 1,
          channel: "email",
          skipped: nothing ?? emailSkip,
        },
        {
          planVersionId: newest.id,
          firstVersion: covered + 1,
          channel: "webpush",
          skipped: nothing ?? pushSkip,
        },
      ]);
      recorded = 2;
    }

    // 2. Deliver what is not delivered yet (new, or failed before).
    for (const row of await undeliveredMessages(db, athlete.id, MAX_MESSAGE_ATTEMPTS)) {
      const at = deps.now();
      const skip = row.channel === "email" ? emailSkip : pushSkip;
      if (skip) {
        await markMessage(db, row.id, { status: "skipped", error: skip, at });
        delivered.push({ channel: row.channel, status: "skipped" });
        continue;
      }
      const content = await contentOf(db, athlete.id, row, now);
      if (row.channel === "email") {
        try {
          const mail = planChangeMail({
            sentences: content.sentences,
            sessions: content.sessions,
            timezone: athlete.timezone,
            planUrl: planUrl(publicUrl),
            settingsUrl: `${publicUrl}/api/settings`,
            unsubscribeUrl: unsubscribeLink(
              publicUrl,
              deps.config.secrets.sessionSecret,
              athlete.id,
              at.getTime(),
            ),
          });
          await mailer.send({
            ...mail,
            to: athlete.email as string,
            messageId: planMailMessageId(deps.queues.installId, row.id, publicUrl),
          });
          await markMessage(db, row.id, { status: "sent", at });
          delivered.push({ channel: "email", status: "sent" });
        } catch (err) {
          const permanent = err instanceof MailSendError && err.permanent;
          if (!permanent) failures++;
          const message = err instanceof MailSendError ? err.message : loggableError(err).message;
          await markMessage(db, row.id, {
            status: "failed",
            error: message,
            at,
            ...(permanent ? { final: MAX_MESSAGE_ATTEMPTS } : {}),
          });
          delivered.push({ channel: "email", status: "failed" });
          log.warn(
            { channel: "email", messageId: row.id, err: message, permanent },
            permanent ? "plan mail refused for good" : "plan mail not sent; will retry",
          );
        }
        continue;
      }
      const body = pushPayload(content.sentences, planUrl(publicUrl));
      const got = new Set(row.deliveredTo);
      let pending = 0;
      for (const sub of subscriptions) {
        if (got.has(sub.id)) continue;
        const host = new URL(sub.endpoint).host;
        try {
          await sendPush(sub, body, {
            vapid: {
              subject: deps.config.push.vapidSubject,
              publicKey: deps.config.push.vapidPublicKey,
              privateKey: deps.config.push.vapidPrivateKey,
            },
            ttlSeconds: PUSH_TTL_SECONDS,
            topic: pushTopic(row.id),
            allowPrivate: deps.config.outbound.allowPrivate,
            timeoutMs: PUSH_TIMEOUT_MS,
            ...(options.resolve ? { resolve: options.resolve } : {}),
          });
          got.add(sub.id);
          await markDeliveredTo(db, row.id, sub.id);
          await pushSucceeded(db, sub.id, at);
        } catch (thrown) {
          // Anything sendPush throws counts against this subscription only: rethrowing would
          // roll back the record of what already went out on the other channel.
          const err =
            thrown instanceof PushError ? thrown : new PushError(loggableError(thrown).message, null);
          if (err.gone) {
            await deleteSubscriptionById(db, sub.id);
            log.info({ subscriptionId: sub.id, host, status: err.status }, "push subscription gone; removed");
            continue;
          }
          const count = await pushFailed(db, sub.id);
          if (count >= MAX_PUSH_FAILURES) {
            await deleteSubscriptionById(db, sub.id);
            dropped.push({ id: sub.id, host });
            log.warn(
              { subscriptionId: sub.id, host, failures: count, err: err.message },
              "push subscription dropped",
            );
          } else {
            pending++;
            log.warn(
              { subscriptionId: sub.id, host, failures: count, err: err.message },
              "push not delivered; will retry",
            );
          }
        }
      }
      if (pending > 0) {
        failures++;
        await markMessage(db, row.id, {
          status: "failed",
          error: `${pending} push subscription(s) failed`,
          at,
        });
        delivered.push({ channel: "webpush", status: "failed" });
      } else if (got.size > 0) {
        await markMessage(db, row.id, { status: "sent", at });
        delivered.push({ channel: "webpush", status: "sent" });
      } else {
        await markMessage(db, row.id, { status: "skipped", error: "no push subscriptions left", at });
        delivered.push({ channel: "webpush", status: "skipped" });
      }
    }
  });

  for (const d of dropped) {
    try {
      await requestEmailNotice(
        deps.queues,
        { athleteId: athlete.id, kind: "push-dropped", endpointHost: d.host },
        d.id,
      );
    } catch (err) {
      log.warn({ err: loggableError(err).message }, "dropped-subscription mail not queued");
    }
  }
  log.info({ recorded, delivered }, "plan-change messages handled");
  if (failures > 0) throw new NotifyRetryError(`${failures} plan-change message(s) not delivered yet`);
  return { recorded, delivered };
}

async function contentOf(db: Executor, athleteId: number, row: MessageRow, now: Date) {
  const versions = await versionsBetween(db, athleteId, row.firstVersion, row.version);
  const sentences = versions.flatMap((v) => sentencesOf(v.diff));
  const sessions = (await visibleSessions(db, row.planVersionId))
    .filter((s) => s.endAt.getTime() > now.getTime() && s.status !== "removed")
    .slice(0, SESSIONS_LISTED);
  return { sentences, sessions };
}
