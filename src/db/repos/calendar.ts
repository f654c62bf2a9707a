import { eq, sql } from "drizzle-orm";
import { randomToken } from "../../security/crypto.ts";
import type { Executor } from "../client.ts";
import { athletes } from "../schema/index.ts";

export async function athleteByCalendarToken(db: Executor, token: string) {
  const [row] = await db
    .select({ id: athletes.id, displayName: athletes.displayName, timezone: athletes.timezone })
    .from(athletes)
    .where(eq(athletes.calendarToken, token));
  return row ?? null;
}

/** A new feed token; the old URL answers 404 from now on. */
export async function rotateCalendarToken(db: Executor, athleteId: number): Promise<string> {
  const token = randomToken();
  await db
    .update(athletes)
    .set({ calendarToken: token, updatedAt: sql`now()` })
    .where(eq(athletes.id, athleteId));
  return token;
}
