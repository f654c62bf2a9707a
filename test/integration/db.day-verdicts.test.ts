// A re-plan stores each day's verdict, but a verdict that came out the same is
// left as it is: most of a nightly roll-forward's days do not change, and
// rewriting them made a new row version each (bench/roll-forward.ts counted 15
// rows written per athlete a night). A changed verdict is still written.
import { and, eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { type DayVerdict, saveDayClassifications } from "../../src/db/repos/plans.ts";
import { dayClassifications } from "../../src/db/schema/index.ts";
import { seedAthlete } from "../support/builders.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv();

/** The stored row of that day, with Postgres's xmin: the transaction that wrote this version of it. */
async function stored(athleteId: number, date: string) {
  const [row] = await env.pool.db
    .select({
      kind: dayClassifications.kind,
      reasons: dayClassifications.reasons,
      computedAt: dayClassifications.computedAt,
      xmin: sql<string>`xmin::text`,
    })
    .from(dayClassifications)
    .where(and(eq(dayClassifications.athleteId, athleteId), eq(dayClassifications.date, date)));
  return row;
}

describe("day verdicts", () => {
  it("are not rewritten when a re-plan finds them the same, and are when one changed", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const monday: DayVerdict = {
      date: "2026-12-07",
      kind: "easy",
      confidence: 0.9,
      reasons: ["45 min easy"],
    };
    const tuesday: DayVerdict = { date: "2026-12-08", kind: "rest", confidence: 1, reasons: ["no run"] };
    const first = new Date("2026-12-07T02:30:00Z");
    await saveDayClassifications(env.pool.db, athlete.id, [monday, tuesday], first);
    const mondayBefore = await stored(athlete.id, monday.date);
    const tuesdayBefore = await stored(athlete.id, tuesday.date);

    // The next night: Monday the same, Tuesday now holds a quality run.
    const next = new Date("2026-12-08T02:30:00Z");
    const tuesdayNow: DayVerdict = { ...tuesday, kind: "quality", confidence: 0.8, reasons: ["tempo"] };
    await saveDayClassifications(env.pool.db, athlete.id, [monday, tuesdayNow], next);

    expect(await stored(athlete.id, monday.date)).toEqual(mondayBefore);
    expect(mondayBefore?.computedAt).toEqual(first);
    const tuesdayAfter = await stored(athlete.id, tuesday.date);
    expect(tuesdayAfter).toMatchObject({ kind: "quality", reasons: ["tempo"], computedAt: next });
    expect(tuesdayAfter?.xmin).not.toBe(tuesdayBefore?.xmin);
  });
});
