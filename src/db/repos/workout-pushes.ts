// What each workout destination holds of an athlete's plan (workout_pushes), and
// the athlete's links to those destinations with their state (destination_links).
import { and, eq, ne, sql } from "drizzle-orm";
import { decryptSecret, encryptSecret } from "../../security/crypto.ts";
import type { Database, Executor } from "../client.ts";
import { destinationLinks, workoutPushes } from "../schema/index.ts";

export type DestinationName = (typeof workoutPushes.destination.enumValues)[number];
export type DestinationState = (typeof destinationLinks.state.enumValues)[number];
export type DestinationLink = typeof destinationLinks.$inferSelect;

export interface WorkoutPush {
  sessionKey: string;
  externalId: string | null;
  scheduleId: string | null;
  startAt: Date | null;
  contentHash: string | null;
  status: string;
}

/** The sessions a destination holds (or was asked to), deleted ones left out. */
export async function activePushes(
  db: Executor,
  athleteId: number,
  destination: DestinationName,
): Promise<WorkoutPush[]> {
  return db
    .select({
      sessionKey: workoutPushes.sessionKey,
      externalId: workoutPushes.externalId,
      scheduleId: workoutPushes.scheduleId,
      startAt: workoutPushes.startAt,
      contentHash: workoutPushes.contentHash,
      status: workoutPushes.status,
    })
    .from(workoutPushes)
    .where(
      and(
        eq(workoutPushes.athleteId, athleteId),
        eq(workoutPushes.destination, destination),
        ne(workoutPushes.status, "deleted"),
      ),
    );
}

/**
 * Records what a destination now holds for a session. Written after each call
 * that created something there, so a retry updates it instead of creating a twin.
 */
export async function recordPush(
  db: Executor,
  push: {
    athleteId: number;
    destination: DestinationName;
    sessionKey: string;
    externalId: string | null;
    scheduleId: string | null;
    startAt: Date;
    contentHash: string | null;
    sequence: number;
    status: "pending" | "sent";
  },
): Promise<void> {
  const values = {
    externalId: push.externalId,
    scheduleId: push.scheduleId,
    startAt: push.startAt,
    contentHash: push.contentHash,
    pushedSequence: push.sequence,
    status: push.status,
    error: null,
  };
  await db
    .insert(workoutPushes)
    .values({
      athleteId: push.athleteId,
      destination: push.destination,
      sessionKey: push.sessionKey,
      ...values,
    })
    .onConflictDoUpdate({
      target: [workoutPushes.destination, workoutPushes.sessionKey],
      set: { ...values, updatedAt: sql`now()` },
    });
}

/** The destination no longer holds the session (it was deleted there). */
export async function recordDeleted(
  db: Executor,
  athleteId: number,
  destination: DestinationName,
  sessionKey: string,
): Promise<void> {
  await db
    .update(workoutPushes)
    .set({ status: "deleted", externalId: null, scheduleId: null, contentHash: null, updatedAt: sql`now()` })
    .where(
      and(
        eq(workoutPushes.athleteId, athleteId),
        eq(workoutPushes.destination, destination),
        eq(workoutPushes.sessionKey, sessionKey),
      ),
    );
}

/** Forgets what a destination held, when the link to it is replaced: the new account holds nothing yet. */
export async function forgetPushes(
  db: Executor,
  athleteId: number,
  destination: DestinationName,
): Promise<void> {
  await db
    .delete(workoutPushes)
    .where(and(eq(workoutPushes.athleteId, athleteId), eq(workoutPushes.destination, destination)));
}

export async function destinationLinksOf(db: Executor, athleteId: number): Promise<DestinationLink[]> {
  return db.select().from(destinationLinks).where(eq(destinationLinks.athleteId, athleteId));
}

export async function destinationLink(
  db: Executor,
  athleteId: number,
  destination: DestinationName,
): Promise<DestinationLink | null> {
  const [row] = await db
    .select()
    .from(destinationLinks)
    .where(and(eq(destinationLinks.athleteId, athleteId), eq(destinationLinks.destination, destination)));
  return row ?? null;
}

/**
 * Links intervals.icu (athlete id and API key, the key sealed); replacing the
 * link starts it afresh: state ok, no error, nothing pushed yet.
 */
export async function linkIntervals(
  db: Executor,
  key: Buffer,
  athleteId: number,
  link: { athleteId: string; apiKey: string },
): Promise<void> {
  const values = {
    externalAthleteId: link.athleteId,
    secretEnc: encryptSecret(link.apiKey, key),
    state: "ok" as const,
    lastError: null,
    linkedAt: sql`now()`,
    updatedAt: sql`now()`,
  };
  await db
    .insert(destinationLinks)
    .values({ athleteId, destination: "intervals_icu", ...values })
    .onConflictDoUpdate({ target: [destinationLinks.athleteId, destinationLinks.destination], set: values });
}

export async function unlinkDestination(
  db: Executor,
  athleteId: number,
  destination: DestinationName,
): Promise<void> {
  await db
    .delete(destinationLinks)
    .where(and(eq(destinationLinks.athleteId, athleteId), eq(destinationLinks.destination, destination)));
}

/** The intervals.icu API key of a link, in memory only. */
export function readLinkSecret(link: DestinationLink, key: Buffer): string | null {
  return link.secretEnc ? decryptSecret(link.secretEnc, key) : null;
}

/** Records how the latest push went: ok stamps lastPushAt and clears the error. */
export async function setDestinationState(
  db: Executor,
  athleteId: number,
  destination: DestinationName,
  state: DestinationState,
  error: string | null,
  at: Date,
): Promise<void> {
  const values = {
    state,
    lastError: error,
    updatedAt: sql`now()`,
    ...(state === "ok" ? { lastPushAt: at } : {}),
  };
  await db
    .insert(destinationLinks)
    .values({ athleteId, destination, ...values })
    .onConflictDoUpdate({ target: [destinationLinks.athleteId, destinationLinks.destination], set: values });
}

/**
 * Runs `fn` while holding a lock on (athlete, destination), so two push jobs of
 * one athlete (two plan versions in a row) never create the same session twice.
 * The lock lives in a transaction of its own that writes nothing: what `fn`
 * records through `db` commits as it goes, and survives a failure half-way.
 */
export async function withPushLock<T>(
  db: Database,
  athleteId: number,
  destination: DestinationName,
  fn: () => Promise<T>,
): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`push:${destination}:${athleteId}`}))`);
    return fn();
  });
}
