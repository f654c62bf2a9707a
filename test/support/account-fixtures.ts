// An athlete with something in every table that can hold their rows, for the
// account tests (export, delete): connected to Strava and Garmin (with tokens the
// fakes accept), intervals.icu linked, a plan with a session and its notification,
// an activity with a second copy, logs, calendar rows, a push subscription, a
// follow-up, and webhook inbox rows naming their Strava owner id and Garmin user
// id. `everyTableSeeded` then proves no athlete_id table was left out, so a table
// added later fails these tests until it is seeded (and so erased and exported).
import { randomUUID } from "node:crypto";
import { type HttpHandler, HttpResponse, http } from "msw";
import { saveSubscription, setEmail } from "../../src/db/repos/notifications.ts";
import { addFollowUps } from "../../src/db/repos/outbox.ts";
import { linkIntervals } from "../../src/db/repos/workout-pushes.ts";
import {
  activityLinks,
  busyIntervals,
  dayClassifications,
  notifications,
  plannedRuns,
  strengthLogs,
  webhookEvents,
  workoutPushes,
} from "../../src/db/schema/index.ts";
import { seedActivity } from "./builders.ts";
import { GARMIN_API, type GarminFake, seedGarminAthlete } from "./garmin-fake.ts";
import { session, storeVersion } from "./notify-fixtures.ts";
import { STRAVA_TEST_ENV, seedStravaAthlete } from "./strava-fake.ts";
import type { TestEnv } from "./test-env.ts";

export interface SeededAthlete {
  id: number;
  ownerId: string;
  garminUserId: string;
  stravaAccess: string;
  stravaRefresh: string;
  garminAccess: string;
  intervalsKey: string;
  calendarToken: string;
  email: string;
  pushAuth: string;
  activityName: string;
}

/** Strava's POST /oauth/deauthorize as msw answers it: records the token, answers `status`. */
export interface DeauthorizeFake {
  /** access tokens presented, in order */
  tokens: string[];
  /** what the next calls answer */
  status: number;
  /** how long each answer takes (longer than the request timeout: Strava does not answer in time) */
  delayMs: number;
  handler: HttpHandler;
}

export function deauthorizeFake(): DeauthorizeFake {
  const fake: DeauthorizeFake = {
    tokens: [],
    status: 200,
    delayMs: 0,
    handler: http.post(`${STRAVA_TEST_ENV.STRAVA_OAUTH_BASE_URL}/deauthorize`, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      fake.tokens.push(form.get("access_token") ?? "");
      if (fake.delayMs > 0) await new Promise((r) => setTimeout(r, fake.delayMs));
      if (fake.status !== 200)
        return HttpResponse.json({ message: "Internal Server Error" }, { status: fake.status });
      return HttpResponse.json({ access_token: form.get("access_token") ?? "" });
    }),
  };
  return fake;
}

/**
 * Garmin's registration delete answering 503 while `down` (served ahead of the
 * Garmin fake's own handler, which answers otherwise).
 */
export function garminOutage() {
  const outage = {
    down: false,
    calls: 0,
    handler: http.delete(`${GARMIN_API}/wellness-api/rest/user/registration`, () => {
      if (!outage.down) return undefined;
      outage.calls++;
      return HttpResponse.json({ errorMessage: "Service Unavailable" }, { status: 503 });
    }),
  };
  return outage;
}

/** Seeds `tag`'s athlete with a row in every athlete_id table and inbox rows naming them. */
export async function seedEverything(
  env: TestEnv,
  garmin: GarminFake,
  o: { ownerId: number; garminUserId: string; tag: string },
): Promise<SeededAthlete> {
  const db = env.pool.db;
  const stravaAccess = `strava-access-${o.tag}-${randomUUID()}`;
  const stravaRefresh = `strava-refresh-${o.tag}-${randomUUID()}`;
  const { athlete } = await seedStravaAthlete(env, {
    ownerId: o.ownerId,
    accessToken: stravaAccess,
    refreshToken: stravaRefresh,
  });
  await seedGarminAthlete(env, garmin, { userId: o.garminUserId, signedInAthleteId: athlete.id });
  const email = `${o.tag}@example.org`;
  await setEmail(db, athlete.id, email);
  const intervalsKey = `intervals-key-${o.tag}-${randomUUID()}`;
  await linkIntervals(db, env.config.secrets.tokenEncryptionKey, athlete.id, {
    athleteId: `i${o.ownerId}`,
    apiKey: intervalsKey,
  });
  const key = randomUUID();
  const version = await storeVersion(
    db,
    athlete.id,
    [session(key, "2026-12-08T17:00:00Z")],
    [`${o.tag}'s plan`],
  );
  await db
    .insert(notifications)
    .values({ athleteId: athlete.id, planVersionId: version.id, channel: "email" });
  await db.insert(workoutPushes).values({
    athleteId: athlete.id,
    sessionKey: key,
    destination: "intervals_icu",
    externalId: `event-${o.tag}`,
    status: "sent",
  });
  const activityName = `${o.tag}'s long run`;
  const run = await seedActivity(db, athlete.id, {
    start: "2026-12-06T08:00:00Z",
    minutes: 50,
    name: activityName,
    kind: "easy",
  });
  await db.insert(activityLinks).values({
    activityId: run.id,
    athleteId: athlete.id,
    provider: "garmin",
    externalId: `garmin-${o.tag}-${run.id}`,
    // Garmin's copy of the same run, as upsertActivity would keep it: it takes the
    // row over when Strava's record goes (a Strava disconnect).
    record: {
      activity: {
        source: "garmin",
        id: `garmin-${o.tag}-${run.id}`,
        name: activityName,
        sport: "run",
        sportType: "RUNNING",
        start: "2026-12-06T08:00:00.000Z",
        timezone: "Europe/Berlin",
        utcOffsetS: 3600,
        movingS: 3000,
        elapsedS: 3000,
        distanceM: 9000,
        avgHr: null,
        maxHr: null,
        avgSpeedMps: null,
        sourceLabel: null,
        laps: [],
      },
      classification: { kind: "easy", subtype: "easy", confidence: 0.9, reasons: ["seeded"] },
    },
  });
  await db.insert(dayClassifications).values({
    athleteId: athlete.id,
    date: "2026-12-06",
    kind: "easy",
    confidence: 0.9,
    reasons: ["seeded"],
  });
  await db.insert(strengthLogs).values({
    athleteId: athlete.id,
    sessionKey: key,
    date: "2026-12-08",
    session: "A",
    source: "api",
    exercises: [{ name: `${o.tag}'s back squat`, sets: [{ reps: 5, weightKg: 80 }] }],
  });
  await db.insert(plannedRuns).values({
    athleteId: athlete.id,
    source: "ics",
    uid: `${o.tag}@plan.example`,
    startAt: new Date("2026-12-09T17:00:00Z"),
    durationMin: 45,
    title: `${o.tag}'s tempo`,
  });
  await db.insert(busyIntervals).values({
    athleteId: athlete.id,
    startAt: new Date("2026-12-09T08:00:00Z"),
    endAt: new Date("2026-12-09T09:00:00Z"),
  });
  const pushAuth = `push-auth-${o.tag}-${randomUUID()}`;
  await saveSubscription(db, athlete.id, {
    endpoint: `https://push.example.net/${o.tag}-${randomUUID()}`,
    p256dh: `p256dh-${o.tag}`,
    auth: pushAuth,
  });
  await addFollowUps(db, athlete.id, [{ type: "roll-forward" }]);
  await db.insert(webhookEvents).values([
    {
      provider: "strava",
      dedupeKey: `activity:${o.tag}:create`,
      externalAthleteId: String(o.ownerId),
      objectType: "activity",
      objectId: String(run.externalId),
      aspectType: "create",
      payload: { owner_id: o.ownerId, object_id: run.externalId },
      status: "processed",
    },
    {
      provider: "garmin",
      dedupeKey: `garmin:${o.tag}:activities`,
      externalAthleteId: o.garminUserId,
      objectType: "activities",
      payload: { userId: o.garminUserId },
      status: "processed",
    },
  ]);
  return {
    id: athlete.id,
    ownerId: String(o.ownerId),
    garminUserId: o.garminUserId,
    stravaAccess,
    stravaRefresh,
    garminAccess: `seed-garmin-access-${o.garminUserId}`,
    intervalsKey,
    calendarToken: athlete.calendarToken,
    email,
    pushAuth,
    activityName,
  };
}

/** Every table of the public schema with an athlete_id column, as information_schema lists them. */
export async function athleteIdTables(env: TestEnv): Promise<string[]> {
  const rows = await env.pool.sql<{ table_name: string }[]>`
    select c.table_name from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and c.column_name = 'athlete_id' and t.table_type = 'BASE TABLE'
    order by c.table_name`;
  return rows.map((r) => r.table_name);
}

/** The athlete_id tables holding no row of the athlete: empty when the seed covers every table. */
export async function tablesWithoutRows(env: TestEnv, athleteId: number): Promise<string[]> {
  const sql = env.pool.sql;
  const missing: string[] = [];
  for (const table of await athleteIdTables(env)) {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from ${sql(table)} where athlete_id = ${athleteId}`;
    if ((row?.n ?? 0) === 0) missing.push(table);
  }
  return missing;
}

/** Every row that is the athlete's or names their provider ids, as one string (to compare before and after). */
export async function rowsOf(env: TestEnv, a: Pick<SeededAthlete, "id" | "ownerId" | "garminUserId">) {
  const sql = env.pool.sql;
  const out: Record<string, unknown> = { athletes: await sql`select * from athletes where id = ${a.id}` };
  for (const table of await athleteIdTables(env))
    out[table] = await sql`select * from ${sql(table)} where athlete_id = ${a.id} order by 1`;
  out.webhook_events = await sql`
    select * from webhook_events where external_athlete_id in (${a.ownerId}, ${a.garminUserId}) order by id`;
  return JSON.stringify(out);
}
