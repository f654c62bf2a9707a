import { randomBytes } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Executor } from "../client.ts";
import { appState } from "../schema/index.ts";

/** Sets one installation fact (e.g. the Strava push subscription id), replacing any earlier value. */
export async function setAppState(db: Executor, key: string, value: unknown): Promise<void> {
  await db
    .insert(appState)
    .values({ key, value })
    .onConflictDoUpdate({ target: appState.key, set: { value, updatedAt: sql`now()` } });
}

export async function getAppState(db: Executor, key: string): Promise<unknown> {
  const [row] = await db.select({ value: appState.value }).from(appState).where(eq(appState.key, key));
  return row?.value ?? null;
}

/** Returns whether there was a value to delete. */
export async function deleteAppState(db: Executor, key: string): Promise<boolean> {
  const deleted = await db.delete(appState).where(eq(appState.key, key)).returning({ key: appState.key });
  return deleted.length > 0;
}

const INSTALL_ID_KEY = "install-id";

/**
 * This database's install id: random, made once (at the first migrate, or by the
 * first process on a database migrated before there were install ids) and kept.
 * Job ids that name rows carry it, so a recreated database's row 1 is not taken
 * for the old row 1 whose job Redis still keeps.
 */
export async function ensureInstallId(db: Executor): Promise<string> {
  await db
    .insert(appState)
    .values({ key: INSTALL_ID_KEY, value: randomBytes(8).toString("hex") })
    .onConflictDoNothing({ target: appState.key });
  const id = await getAppState(db, INSTALL_ID_KEY);
  if (typeof id !== "string" || !/^[0-9a-f]{16}$/.test(id))
    throw new Error(`app_state "${INSTALL_ID_KEY}" holds no install id`);
  return id;
}
