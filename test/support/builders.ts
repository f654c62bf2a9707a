// Small fixture builders for integration tests: rows as the importers would store them.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../../src/db/client.ts";
import { createAthlete } from "../../src/db/repos/athletes.ts";
import { activities, athletes } from "../../src/db/schema/index.ts";
import { localDate } from "../../src/domain/time.ts";

export async function seedAthlete(
  db: Database,
  opts: { timezone?: string; settings?: Record<string, unknown> } = {},
) {
  const athlete = await createAthlete(db, {
    displayName: "Test Runner",
    timezone: opts.timezone ?? "Europe/Berlin",
  });
  if (opts.settings)
    await db.update(athletes).set({ settings: opts.settings }).where(eq(athletes.id, athlete.id));
  return athlete;
}

export interface ActivitySeed {
  start: string;
  minutes: number;
  name: string;
  kind: "easy" | "quality" | "strength" | "other";
  subtype?: string;
  sport?: "run" | "strength" | "other";
  timezone?: string;
  externalId?: string;
}

export async function seedActivity(db: Database, athleteId: number, a: ActivitySeed) {
  const tz = a.timezone ?? "Europe/Berlin";
  const startMs = Date.parse(a.start);
  const sport = a.sport ?? (a.kind === "strength" ? "strength" : a.kind === "other" ? "other" : "run");
  const externalId = a.externalId ?? String(BigInt(`0x${randomBytes(6).toString("hex")}`));
  const [row] = await db
    .insert(activities)
    .values({
      athleteId,
      provider: "strava",
      externalId,
      name: a.name,
      sport,
      sportType: sport === "run" ? "Run" : "WeightTraining",
      startAt: new Date(startMs),
      localDate: localDate(startMs, tz),
      timezone: tz,
      movingS: a.minutes * 60,
      elapsedS: a.minutes * 60,
      distanceM: sport === "run" ? a.minutes * 180 : 0,
      kind: a.kind,
      subtype: a.subtype ?? (a.kind === "quality" ? "tempo" : a.kind === "easy" ? "easy" : null),
      confidence: 0.9,
      reasons: [`seeded as ${a.kind}`],
      summary: {
        source: "strava",
        id: externalId,
        name: a.name,
        sport,
        start: new Date(startMs).toISOString(),
      },
    })
    .returning();
  if (!row) throw new Error("activity insert returned nothing");
  return row;
}
