// What plan-change notifications read and write: the athlete's address and its
// confirmation, their Web Push subscriptions, and the delivery log (one row per
// message and channel) that keeps a retried job from sending anything twice.
import { and, asc, desc, eq, inArray, lt, lte, max, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { readColumn, type StoredChange, storedChanges } from "../columns.ts";
import {
  athletes,
  notifications,
  plannedSessions,
  planVersions,
  webPushSubscriptions,
} from "../schema/index.ts";

// --- the address -----------------------------------------------------------

export interface EmailState {
  email: string | null;
  confirmedAt: Date | null;
}

export async function emailOf(db: Executor, athleteId: number): Promise<EmailState | null> {
  const [row] = await db
    .select({ email: athletes.email, confirmedAt: athletes.emailConfirmedAt })
    .from(athletes)
    .where(eq(athletes.id, athleteId));
  return row ?? null;
}

/**
 * Stores the athlete's address; a different address (or none) is unconfirmed until
 * its link is followed. Answers whether the address changed (and so wants confirming).
 */
export async function setEmail(db: Executor, athleteId: number, email: string | null): Promise<boolean> {
  const rows = await db
    .update(athletes)
    .set({ email, emailConfirmedAt: null, updatedAt: sql`now()` })
    .where(and(eq(athletes.id, athleteId), sql`${athletes.email} is distinct from ${email}`))
    .returning({ id: athletes.id });
  return rows.length > 0;
}

/** Confirms `email` when it is still the athlete's address; answers whether it is (now) confirmed. */
export async function confirmEmail(
  db: Executor,
  athleteId: number,
  email: string,
  at: Date,
): Promise<boolean> {
  const rows = await db
    .update(athletes)
    .set({ emailConfirmedAt: sql`coalesce(${athletes.emailConfirmedAt}, ${at.toISOString()}::timestamptz)` })
    .where(and(eq(athletes.id, athleteId), eq(athletes.email, email)))
    .returning({ id: athletes.id });
  return rows.length > 0;
}

/** settings.notifications.email = false (the one-click unsubscribe); answers whether the athlete exists. */
export async function turnOffPlanMail(db: Executor, athleteId: number): Promise<boolean> {
  const rows = await db
    .update(athletes)
    .set({
      settings: sql`jsonb_set(${athletes.settings}, '{notifications}', coalesce(${athletes.settings} -> 'notifications', '{}'::jsonb) || '{"email": false}'::jsonb)`,
      updatedAt: sql`now()`,
    })
    .where(eq(athletes.id, athleteId))
    .returning({ id: athletes.id });
  return rows.length > 0;
}

// --- Web Push subscriptions --------------------------------------------------

export interface PushSubscriptionRow {
  id: number;
  endpoint: string;
  p256dh: string;
  auth: string;
  failureCount: number;
  createdAt: Date;
}

const subscriptionColumns = {
  id: webPushSubscriptions.id,
  endpoint: webPushSubscriptions.endpoint,
  p256dh: webPushSubscriptions.p256dh,
  auth: webPushSubscriptions.auth,
  failureCount: webPushSubscriptions.failureCount,
  createdAt: webPushSubscriptions.createdAt,
};

/**
 * Stores a browser's subscription for the athlete. An endpoint is one browser's:
 * subscribing it again (new keys, or another athlete signing in on that browser)
 * replaces the row and starts its failure count afresh.
 */
export async function saveSubscription(
  db: Executor,
  athleteId: number,
  s: { endpoint: string; p256dh: string; auth: string },
): Promise<PushSubscriptionRow> {
  const [row] = await db
    .insert(webPushSubscriptions)
    .values({ athleteId, ...s })
    .onConflictDoUpdate({
      target: webPushSubscriptions.endpoint,
      set: { athleteId, p256dh: s.p256dh, auth: s.auth, failureCount: 0 },
    })
    .returning(subscriptionColumns);
  if (!row) throw new Error("push subscription upsert returned nothing");
  return row;
}

export async function subscriptionsOf(db: Executor, athleteId: number): Promise<PushSubscriptionRow[]> {
  return db
    .select(subscriptionColumns)
    .from(webPushSubscriptions)
    .where(eq(webPushSubscriptions.athleteId, athleteId))
    .orderBy(asc(webPushSubscriptions.id));
}

export async function deleteSubscription(
  db: Executor,
  athleteId: number,
  endpoint: string,
): Promise<boolean> {
  const rows = await db
    .delete(webPushSubscriptions)
    .where(and(eq(webPushSubscriptions.athleteId, athleteId), eq(webPushSubscriptions.endpoint, endpoint)))
    .returning({ id: webPushSubscriptions.id });
  return rows.length > 0;
}

export async function deleteSubscriptionById(db: Executor, id: number): Promise<boolean> {
  const rows = await db
    .delete(webPushSubscriptions)
    .where(eq(webPushSubscriptions.id, id))
    .returning({ id: webPushSubscriptions.id });
  return rows.length > 0;
}

export async function pushSucceeded(db: Executor, id: number, at: Date): Promise<void> {
  await db
    .update(webPushSubscriptions)
    .set({ failureCount: 0, lastSuccessAt: at })
    .where(eq(webPushSubscriptions.id, id));
}

/** Counts one more failed delivery; answers the count now. */
export async function pushFailed(db: Executor, id: number): Promise<number> {
  const [row] = await db
    .update(webPushSubscriptions)
    .set({ failureCount: sql`${webPushSubscriptions.failureCount} + 1` })
    .where(eq(webPushSubscriptions.id, id))
    .returning({ failureCount: webPushSubscriptions.failureCount });
  return row?.failureCount ?? 0;
}

// --- plan versions a message covers -------------------------------------------

export interface VersionToTell {
  id: number;
  version: number;
  diff: StoredChange[];
}

const readVersion = (row: { id: number; version: number; diff: unknown }): VersionToTell => ({
  ...row,
  diff: readColumn(storedChanges, row.diff, { table: "plan_versions", column: "diff", row: row.id }),
});

/** The newest plan version some message (of any channel, sent or not) already covers; 0 for none. */
export async function lastCoveredVersion(db: Executor, athleteId: number): Promise<number> {
  const [row] = await db
    .select({ version: max(planVersions.version) })
    .from(notifications)
    .innerJoin(planVersions, eq(planVersions.id, notifications.planVersionId))
    .where(eq(notifications.athleteId, athleteId));
  return row?.version ?? 0;
}

export async function versionsBetween(
  db: Executor,
  athleteId: number,
  fromVersion: number,
  toVersion: number,
): Promise<VersionToTell[]> {
  const rows = await db
    .select({ id: planVersions.id, version: planVersions.version, diff: planVersions.diff })
    .from(planVersions)
    .where(
      and(
        eq(planVersions.athleteId, athleteId),
        sql`${planVersions.version} >= ${fromVersion}`,
        lte(planVersions.version, toVersion),
      ),
    )
    .orderBy(asc(planVersions.version));
  return rows.map(readVersion);
}

export async function newestVersion(db: Executor, athleteId: number): Promise<VersionToTell | null> {
  const [row] = await db
    .select({ id: planVersions.id, version: planVersions.version, diff: planVersions.diff })
    .from(planVersions)
    .where(eq(planVersions.athleteId, athleteId))
    .orderBy(desc(planVersions.version))
    .limit(1);
  return row ? readVersion(row) : null;
}

export interface SessionToTell {
  sessionKey: string;
  session: string;
  startAt: Date;
  endAt: Date;
  status: string;
  exercises: unknown;
}

/** What the athlete sees of a version's sessions (no SEQUENCE, no internal fields), in time order. */
export async function visibleSessions(db: Executor, planVersionId: number | null): Promise<SessionToTell[]> {
  if (planVersionId === null) return [];
  return db
    .select({
      sessionKey: plannedSessions.sessionKey,
      session: plannedSessions.session,
      startAt: plannedSessions.startAt,
      endAt: plannedSessions.endAt,
      status: plannedSessions.status,
      exercises: plannedSessions.exercises,
    })
    .from(plannedSessions)
    .where(eq(plannedSessions.planVersionId, planVersionId))
    .orderBy(asc(plannedSessions.startAt));
}

export async function versionIdOf(db: Executor, athleteId: number, version: number): Promise<number | null> {
  const [row] = await db
    .select({ id: planVersions.id })
    .from(planVersions)
    .where(and(eq(planVersions.athleteId, athleteId), eq(planVersions.version, version)));
  return row?.id ?? null;
}

// --- the delivery log ---------------------------------------------------------

export type Channel = "email" | "webpush";

export interface MessageRow {
  id: number;
  planVersionId: number;
  version: number;
  firstVersion: number;
  channel: Channel;
  status: "pending" | "sent" | "failed" | "deleted" | "skipped";
  attempts: number;
  deliveredTo: number[];
}

/**
 * Records a message per channel covering versions firstVersion..planVersionId's,
 * `skipped` with its reason where nothing goes out. The (version, channel) key
 * makes recording the same message twice harmless.
 */
export async function recordMessages(
  db: Executor,
  athleteId: number,
  rows: { planVersionId: number; firstVersion: number; channel: Channel; skipped: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db
    .insert(notifications)
    .values(
      rows.map((r) => ({
        athleteId,
        planVersionId: r.planVersionId,
        firstVersion: r.firstVersion,
        channel: r.channel,
        status: r.skipped === null ? ("pending" as const) : ("skipped" as const),
        error: r.skipped,
      })),
    )
    .onConflictDoNothing();
}

/** Messages not yet delivered (pending, or failed fewer than `maxAttempts` times), oldest first. */
export async function undeliveredMessages(
  db: Executor,
  athleteId: number,
  maxAttempts: number,
): Promise<MessageRow[]> {
  const rows = await db
    .select({
      id: notifications.id,
      planVersionId: notifications.planVersionId,
      version: planVersions.version,
      firstVersion: notifications.firstVersion,
      channel: notifications.channel,
      status: notifications.status,
      attempts: notifications.attempts,
      deliveredTo: notifications.deliveredTo,
    })
    .from(notifications)
    .innerJoin(planVersions, eq(planVersions.id, notifications.planVersionId))
    .where(
      and(
        eq(notifications.athleteId, athleteId),
        inArray(notifications.status, ["pending", "failed"]),
        lt(notifications.attempts, maxAttempts),
      ),
    )
    .orderBy(asc(notifications.id));
  return rows.map((r) => ({ ...r, firstVersion: r.firstVersion ?? r.version }));
}

export async function markMessage(
  db: Executor,
  id: number,
  outcome: {
    status: "sent" | "failed" | "skipped";
    error?: string | null;
    at: Date;
    deliveredTo?: number[];
    /** a failure no retry can mend: counted as the last attempt */
    final?: number;
  },
): Promise<void> {
  await db
    .update(notifications)
    .set({
      status: outcome.status,
      error: outcome.error ?? null,
      updatedAt: outcome.at,
      ...(outcome.status === "sent" ? { sentAt: outcome.at } : {}),
      ...(outcome.status === "failed"
        ? { attempts: outcome.final ?? sql`${notifications.attempts} + 1` }
        : {}),
      ...(outcome.deliveredTo ? { deliveredTo: outcome.deliveredTo } : {}),
    })
    .where(eq(notifications.id, id));
}

/** Adds one subscription to those a push message reached, at once, so a crash after it sends nothing twice. */
export async function markDeliveredTo(db: Executor, id: number, subscriptionId: number): Promise<void> {
  await db
    .update(notifications)
    .set({
      deliveredTo: sql`case when ${notifications.deliveredTo} @> ${JSON.stringify([subscriptionId])}::jsonb then ${notifications.deliveredTo} else ${notifications.deliveredTo} || ${JSON.stringify([subscriptionId])}::jsonb end`,
    })
    .where(eq(notifications.id, id));
}

/** The log of an athlete's messages, newest first (tests and support). */
export async function messageLog(db: Executor, athleteId: number) {
  return db
    .select({
      id: notifications.id,
      planVersionId: notifications.planVersionId,
      firstVersion: notifications.firstVersion,
      channel: notifications.channel,
      status: notifications.status,
      error: notifications.error,
      attempts: notifications.attempts,
      sentAt: notifications.sentAt,
      deliveredTo: notifications.deliveredTo,
    })
    .from(notifications)
    .where(eq(notifications.athleteId, athleteId))
    .orderBy(desc(notifications.id));
}
