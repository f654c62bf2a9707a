// Small fixture builders for integration tests: rows as the importers would store them.
import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Database } from "../../src/db/client.ts";
import { createAthlete } from "../../src/db/repos/athletes.ts";
import { activities, athletes } from "../../src/db/schema/index.ts";
import { addDays, localDate } from "../../src/domain/time.ts";

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

/**
 * A running-plan calendar as training-plan apps export it: VTIMEZONE, dated (all-day)
 * workouts with the length in the title, a timed evening session, CRLF lines. The
 * first week of a marathon block starting Monday 7 December 2026 (Europe/Berlin);
 * `overrides` replaces or removes (null) entries by UID, `extra` adds VEVENT texts.
 */
export function runningPlanIcs(overrides: Record<string, string | null> = {}, extra: string[] = []): string {
  const stamp = "DTSTAMP:20261201T120000Z";
  const allDay = (uid: string, date: string, summary: string, description = "") =>
    [
      "BEGIN:VEVENT",
      `UID:${uid}`,
      stamp,
      `DTSTART;VALUE=DATE:${date.replaceAll("-", "")}`,
      `DTEND;VALUE=DATE:${addDays(date, 1).replaceAll("-", "")}`,
      `SUMMARY:${summary}`,
      ...(description ? [`DESCRIPTION:${description}`] : []),
      "END:VEVENT",
    ].join("\r\n");
  const entries: Record<string, string> = {
    "wk1-mon@plan.example": allDay(
      "wk1-mon@plan.example",
      "2026-12-07",
      "Easy run 45 min",
      "Conversational pace\\, Z2",
    ),
    "wk1-tue@plan.example": [
      "BEGIN:VEVENT",
      "UID:wk1-tue@plan.example",
      stamp,
      "DTSTART;TZID=Europe/Berlin:20261208T180000",
      "DTEND;TZID=Europe/Berlin:20261208T191000",
      "SUMMARY:6x800m @ 5k pace",
      "DESCRIPTION:WU 15'\\, 6x800m with 400m jog\\, CD 10'",
      "LOCATION:Track",
      "END:VEVENT",
    ].join("\r\n"),
    "wk1-wed@plan.example": allDay("wk1-wed@plan.example", "2026-12-09", "Recovery run 30'"),
    "wk1-thu@plan.example": [
      "BEGIN:VEVENT",
      "UID:wk1-thu@plan.example",
      stamp,
      "DTSTART:20261210T060000Z",
      "DTEND:20261210T065000Z",
      "SUMMARY:Tempo 3x10 min",
      "END:VEVENT",
    ].join("\r\n"),
    "wk1-fri@plan.example": allDay("wk1-fri@plan.example", "2026-12-11", "Rest day"),
    "wk1-sat@plan.example": allDay("wk1-sat@plan.example", "2026-12-12", "Swim 2000m technique"),
    "wk1-sun@plan.example": allDay(
      "wk1-sun@plan.example",
      "2026-12-13",
      "Long run 1:45h",
      "Last 20' at marathon pace",
    ),
  };
  for (const [uid, text] of Object.entries(overrides)) {
    if (text === null) delete entries[uid];
    else entries[uid] = text;
  }
  return [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//Plan Example//Training Calendar 3.2//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "X-WR-CALNAME:Marathon block (16 weeks)",
    "X-WR-TIMEZONE:Europe/Berlin",
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Berlin",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
    ...Object.values(entries),
    ...extra,
    "END:VCALENDAR",
    "",
  ].join("\r\n");
}
