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
