// "Download my data": GET /account/export answers a JSON attachment named
// runstrong-export-<date>.json with a section for every table that has an
// athlete_id (compared with information_schema, so a new table cannot be left out),
// the athlete's own rows in each, none of athlete B's, and none of A's secrets:
// the raw file holds neither the plaintext tokens, API key, feed token or push
// secret nor their sealed forms; each is listed as present or absent instead.
import { describe, expect, it } from "vitest";
import { athleteRowsOf } from "../../src/db/repos/athlete-export.ts";
import { SECRET_ABSENT, SECRET_COLUMN, SECRET_PRESENT } from "../../src/plan/export-data.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { athleteIdTables, deauthorizeFake, seedEverything } from "../support/account-fixtures.ts";
import { seedActivity } from "../support/builders.ts";
import { createGarminFake, GARMIN_TEST_ENV } from "../support/garmin-fake.ts";
import { STRAVA_TEST_ENV, useStravaFake } from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV, ...GARMIN_TEST_ENV });
const garmin = createGarminFake();
useStravaFake([...garmin.handlers, deauthorizeFake().handler]);
const now = new Date("2026-12-07T04:00:00Z");
const app = testApp(env, () => now);

const a = await seedEverything(env, garmin, {
  ownerId: 72_004_001,
  garminUserId: "garmin-user-a-e81f",
  tag: "a",
});
const b = await seedEverything(env, garmin, {
  ownerId: 72_004_002,
  garminUserId: "garmin-user-b-4c6d",
  tag: "b",
});

async function download(athleteId: number) {
  const cookie = `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}`;
  return app.request("/account/export", { headers: { cookie, accept: "text/html" } });
}

describe("exporting an athlete's data", () => {
  it("answers a JSON attachment with a section for every athlete_id table, each holding the athlete's rows", async () => {
    const res = await download(a.id);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(res.headers.get("content-disposition")).toBe(
      'attachment; filename="runstrong-export-2026-12-07.json"',
    );
    const data = JSON.parse(await res.text()) as {
      format: string;
      about: string;
      athlete: Record<string, unknown>;
      tables: Record<string, Record<string, unknown>[]>;
      webhookEvents: Record<string, unknown>[];
    };
    expect(data.format).toBe("runstrong-export/1");
    expect(data.about).toContain("Secrets are not exported");
    expect(Number(data.athlete.id)).toBe(a.id);
    expect(data.athlete.email).toBe(a.email);
    const tables = await athleteIdTables(env);
    expect(tables.length).toBeGreaterThan(10);
    expect(Object.keys(data.tables).sort()).toEqual([...tables].sort());
    for (const table of tables) {
      expect(data.tables[table]?.length, table).toBeGreaterThan(0);
      for (const row of data.tables[table] ?? []) expect(Number(row.athlete_id), table).toBe(a.id);
    }
    expect(data.tables.activities?.[0]?.name).toBe(a.activityName);
    expect(data.webhookEvents.map((e) => e.external_athlete_id).sort()).toEqual(
      [a.garminUserId, a.ownerId].sort(),
    );
  });

  it("holds none of B's data and none of A's secrets, plaintext or sealed, listing each as present or absent", async () => {
    const text = await (await download(a.id)).text();
    for (const mark of [
      b.email,
      b.ownerId,
      b.garminUserId,
      b.activityName,
      b.calendarToken,
      "b's back squat",
      "b's tempo",
    ])
      expect(text, mark).not.toContain(mark);
    for (const secret of [
      a.stravaAccess,
      a.stravaRefresh,
      a.garminAccess,
      a.intervalsKey,
      a.calendarToken,
      a.pushAuth,
    ])
      expect(text, secret).not.toContain(secret);
    const sealed = await env.pool.sql<{ v: string }[]>`
      select access_token_enc as v from provider_connections where athlete_id = ${a.id}
      union all select refresh_token_enc from provider_connections where athlete_id = ${a.id}
      union all select secret_enc from destination_links where athlete_id = ${a.id}`;
    expect(sealed.length).toBe(5);
    for (const { v } of sealed) expect(text).not.toContain(v);

    const data = JSON.parse(text);
    expect(data.athlete.calendar_token).toBe(SECRET_PRESENT);
    for (const c of data.tables.provider_connections) {
      expect(c.access_token_enc).toBe(SECRET_PRESENT);
      expect(c.refresh_token_enc).toBe(SECRET_PRESENT);
    }
    expect(data.tables.destination_links[0].secret_enc).toBe(SECRET_PRESENT);
    expect(data.tables.web_push_subscriptions[0].auth).toBe(SECRET_PRESENT);
    // A column that holds nothing says so.
    await env.pool
      .sql`update provider_connections set refresh_token_enc = null where athlete_id = ${a.id} and provider = 'garmin'`;
    const again = JSON.parse(await (await download(a.id)).text());
    const g = again.tables.provider_connections.find((c: { provider: string }) => c.provider === "garmin");
    expect(g.refresh_token_enc).toBe(SECRET_ABSENT);
  });

  it("withholds exactly the columns that hold secrets, by the naming rule, in the athlete's tables", async () => {
    const tables = ["athletes", ...(await athleteIdTables(env))];
    const columns = await env.pool.sql<{ table_name: string; column_name: string }[]>`
      select table_name, column_name from information_schema.columns
      where table_schema = 'public' and table_name in ${env.pool.sql(tables)}`;
    const withheld = columns
      .filter((c) => SECRET_COLUMN.test(c.column_name))
      .map((c) => `${c.table_name}.${c.column_name}`)
      .sort();
    // A new column caught by the rule (or a secret that escapes it) shows here first.
    expect(withheld).toEqual([
      "athletes.calendar_token",
      "destination_links.secret_enc",
      "provider_connections.access_token_enc",
      "provider_connections.refresh_token_enc",
      "web_push_subscriptions.auth",
    ]);
  });

  it("reads a long table a page at a time through a cursor, every row once", async () => {
    for (let i = 0; i < 4; i++)
      await seedActivity(env.pool.db, a.id, {
        start: `2026-11-2${i}T08:00:00Z`,
        minutes: 30,
        name: `a's paged run ${i}`,
        kind: "easy",
      });
    const pages = await env.pool.db.transaction(async (tx) => {
      const seen: number[][] = [];
      for await (const page of athleteRowsOf(tx, "activities", a.id, 2))
        seen.push(page.map((r) => Number(r.id)));
      return seen;
    });
    expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
    expect(new Set(pages.flat()).size).toBe(5);
    const data = JSON.parse(await (await download(a.id)).text());
    expect(data.tables.activities).toHaveLength(5);
  });

  it("sends a signed-out visitor to / instead", async () => {
    const res = await app.request("/account/export", { headers: { accept: "text/html" } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });
});
