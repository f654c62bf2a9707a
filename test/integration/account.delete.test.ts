// Deleting an account through its form: athlete A has a row in every table with an
// athlete_id (the list read from information_schema, so a new table fails here
// until it is seeded) and webhook inbox rows naming their Strava owner id and
// Garmin user id; athlete B has the same. After A types DELETE: Strava's
// deauthorize and Garmin's registration delete were each called once with A's
// tokens, no row anywhere names A (athlete id, owner id, user id), and B's rows are
// byte-identical. A Strava answering 500 does not keep the account: it is deleted
// and the athlete is told where to revoke access. Typing "delete", or nothing,
// deletes nothing.
import { describe, expect, it } from "vitest";
import { CSRF_FIELD, csrfTokenFor } from "../../src/server/middleware/csrf.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { enqueue } from "../../src/workers/queues.ts";
import { requestReplan } from "../../src/workers/replan-trigger.ts";
import {
  athleteIdTables,
  deauthorizeFake,
  garminOutage,
  rowsOf,
  type SeededAthlete,
  seedEverything,
  tablesWithoutRows,
} from "../support/account-fixtures.ts";
import { createGarminFake, GARMIN_API, GARMIN_TEST_ENV } from "../support/garmin-fake.ts";
import { STRAVA_TEST_ENV, useStravaFake } from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example.org";
// A Strava or Garmin call gives up after 3 s (a test below has Strava take 8 s).
const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  ...GARMIN_TEST_ENV,
  PUBLIC_URL,
  REPLAN_DEBOUNCE_MS: "0",
  STRAVA_REQUEST_TIMEOUT_MS: "3000",
});
const garmin = createGarminFake();
const deauthorize = deauthorizeFake();
const outage = garminOutage();
const strava = useStravaFake([outage.handler, ...garmin.handlers, deauthorize.handler]);
const app = testApp(env);

function signedIn(athleteId: number) {
  const token = sessionToken(athleteId, env.config, Date.now());
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfTokenFor(token, env.config) };
}

function deleteForm(athleteId: number, confirm: string | null) {
  const { cookie, csrf } = signedIn(athleteId);
  const fields: Record<string, string> = { [CSRF_FIELD]: csrf };
  if (confirm !== null) fields.confirm = confirm;
  return app.request("/account/delete", {
    method: "POST",
    headers: {
      cookie,
      origin: PUBLIC_URL,
      accept: "text/html",
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Rows anywhere in the database that name `a`: by athlete id, or by provider id in any column's text. */
async function rowsNaming(a: SeededAthlete): Promise<string[]> {
  const sql = env.pool.sql;
  const found: string[] = [];
  const [me] = await sql<{ n: number }[]>`select count(*)::int as n from athletes where id = ${a.id}`;
  if (me?.n) found.push("athletes");
  for (const table of await athleteIdTables(env)) {
    const [row] = await sql<
      { n: number }[]
    >`select count(*)::int as n from ${sql(table)} where athlete_id = ${a.id}`;
    if (row?.n) found.push(`${table} (athlete_id)`);
  }
  const tables = await sql<{ table_name: string }[]>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  for (const { table_name } of tables)
    for (const mark of [a.ownerId, a.garminUserId]) {
      const [row] = await sql<{ n: number }[]>`
        select count(*)::int as n from ${sql(table_name)} t where t::text like ${`%${mark}%`}`;
      if (row?.n) found.push(`${table_name} (${mark})`);
    }
  return found;
}

const garminDeletes = (token: string) =>
  garmin.requests.filter(
    (r) =>
      r.method === "DELETE" &&
      r.url === `${GARMIN_API}/wellness-api/rest/user/registration` &&
      r.token === token,
  ).length;

function resetFakes() {
  deauthorize.tokens.length = 0;
  deauthorize.status = 200;
  deauthorize.delayMs = 0;
  outage.down = false;
  outage.calls = 0;
  garmin.requests.length = 0;
}

describe("deleting an account", () => {
  it("revokes Strava and Garmin with A's tokens, leaves no row naming A, and B's rows byte-identical", async () => {
    resetFakes();
    const a = await seedEverything(env, garmin, {
      ownerId: 71_003_001,
      garminUserId: "garmin-user-a-7f3e",
      tag: "a",
    });
    const b = await seedEverything(env, garmin, {
      ownerId: 71_003_002,
      garminUserId: "garmin-user-b-91c2",
      tag: "b",
    });
    expect(await tablesWithoutRows(env, a.id), "athlete_id tables the seed left empty").toEqual([]);
    expect(await tablesWithoutRows(env, b.id)).toEqual([]);
    expect((await rowsNaming(a)).length).toBeGreaterThan(5);
    const before = await rowsOf(env, b);
    // Work queued for both: a debounced re-plan and a zones fetch.
    for (const id of [a.id, b.id]) {
      await requestReplan(env.queues, id, { type: "connect", provider: "strava" }, 600_000);
      await enqueue(env.queues, "strava-fetch-zones", { athleteId: id }, { delay: 600_000 });
    }
    const queuedFor = async (id: number) =>
      (await Promise.all([env.queues.replan.getDelayed(), env.queues.strava.getDelayed()]))
        .flat()
        .filter((j) => j.data.athleteId === id).length;
    expect(await queuedFor(a.id)).toBe(2);

    const page = await app.request("/account/delete", { headers: { cookie: signedIn(a.id).cookie } });
    expect(page.status).toBe(200);
    const shown = await page.text();
    expect(shown).toContain("<li>activities (runs and workouts): 1</li>");
    expect(shown).toContain("<li>connections to Strava and Garmin, with their tokens: 2</li>");
    expect(shown).toContain(`name="confirm"`);

    const res = await deleteForm(a.id, "DELETE");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?notice=deleted");
    expect(res.headers.get("set-cookie")).toMatch(new RegExp(`${SESSION_COOKIE}=;`));

    expect(deauthorize.tokens).toEqual([a.stravaAccess]);
    expect(garminDeletes(a.garminAccess)).toBe(1);
    expect(garminDeletes(b.garminAccess)).toBe(0);
    expect(strava.count("POST", /^\/token$/)).toBe(0);
    expect(await rowsNaming(a)).toEqual([]);
    expect(await rowsOf(env, b)).toBe(before);
    expect(await queuedFor(a.id)).toBe(0);
    expect(await queuedFor(b.id)).toBe(2);

    const home = await app.request(res.headers.get("location") ?? "/", { headers: { accept: "text/html" } });
    expect(await home.text()).toContain("Your account and all its data were deleted.");
    // No token of A's in any log line.
    const logged = JSON.stringify(env.logs);
    for (const secret of [a.stravaAccess, a.stravaRefresh, a.garminAccess, a.intervalsKey, a.calendarToken])
      expect(logged).not.toContain(secret);
    expect(
      env.logs.some((l) => l.msg === "account deleted at the athlete's request" && l.athleteId === a.id),
    ).toBe(true);
  });

  it("deletes the account when Strava answers 500, and tells the athlete where to revoke access themselves", async () => {
    resetFakes();
    deauthorize.status = 500;
    const c = await seedEverything(env, garmin, {
      ownerId: 71_003_003,
      garminUserId: "garmin-user-c-0d41",
      tag: "c",
    });
    const res = await deleteForm(c.id, "DELETE");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?notice=deleted-revoke-strava");
    expect(deauthorize.tokens).toEqual([c.stravaAccess]);
    expect(garminDeletes(c.garminAccess)).toBe(1);
    expect(await rowsNaming(c)).toEqual([]);
    const home = await (
      await app.request(res.headers.get("location") ?? "/", { headers: { accept: "text/html" } })
    ).text();
    expect(home).toContain("Your account and all its data were deleted.");
    expect(home).toContain("Strava could not be reached");
    expect(home).toContain("strava.com/settings/apps");
    const warned = env.logs.find((l) => l.msg === "Strava could not be told that the athlete withdrew");
    expect(warned?.status).toBe(500);
    expect(JSON.stringify(env.logs)).not.toContain(c.stravaAccess);
  });

  it("deletes the account when Strava does not answer in time and Garmin answers 503, naming both to revoke by hand", async () => {
    resetFakes();
    deauthorize.delayMs = 8_000;
    outage.down = true;
    const f = await seedEverything(env, garmin, {
      ownerId: 71_003_006,
      garminUserId: "garmin-user-f-66aa",
      tag: "f",
    });
    const res = await deleteForm(f.id, "DELETE");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?notice=deleted-revoke-both");
    expect(deauthorize.tokens).toEqual([f.stravaAccess]);
    expect(outage.calls).toBe(1);
    expect(await rowsNaming(f)).toEqual([]);
    const home = await (
      await app.request(res.headers.get("location") ?? "/", { headers: { accept: "text/html" } })
    ).text();
    expect(home).toContain("Strava could not be reached");
    expect(home).toContain("Garmin could not be reached");
    expect(home).toContain("Settings → Connected Apps");
    const logged = JSON.stringify(env.logs);
    expect(logged).toContain("no answer within 3000 ms");
    for (const secret of [f.stravaAccess, f.garminAccess]) expect(logged).not.toContain(secret);
  });

  it("deletes nothing when the athlete types delete, or nothing, and says what to type", async () => {
    resetFakes();
    const d = await seedEverything(env, garmin, {
      ownerId: 71_003_004,
      garminUserId: "garmin-user-d-5a77",
      tag: "d",
    });
    const before = await rowsOf(env, d);
    for (const [typed, words] of [
      ["delete", "you typed “delete”; type DELETE"],
      ["", "type DELETE in the box to confirm"],
      [null, "type DELETE in the box to confirm"],
    ] as const) {
      const res = await deleteForm(d.id, typed);
      expect(res.status, String(typed)).toBe(422);
      const page = await res.text();
      expect(page).toContain(`Nothing was deleted: ${words}`);
      expect(page).toContain('aria-invalid="true"');
      expect(page).toMatch(/aria-describedby="confirm-hint confirm-error"/);
    }
    expect(deauthorize.tokens).toEqual([]);
    expect(garmin.requests.filter((r) => r.method === "DELETE")).toEqual([]);
    expect(await rowsOf(env, d)).toBe(before);
  });

  it("refuses a delete without the CSRF token, or from another site, and deletes nothing", async () => {
    resetFakes();
    const e = await seedEverything(env, garmin, {
      ownerId: 71_003_005,
      garminUserId: "garmin-user-e-3b09",
      tag: "e",
    });
    const before = await rowsOf(env, e);
    const { cookie, csrf } = signedIn(e.id);
    for (const [origin, token] of [
      [PUBLIC_URL, "not-the-token"],
      ["https://evil.example", csrf],
    ] as const) {
      const res = await app.request("/account/delete", {
        method: "POST",
        headers: { cookie, origin, accept: "text/html", "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ [CSRF_FIELD]: token, confirm: "DELETE" }).toString(),
      });
      expect(res.status).toBe(403);
    }
    expect(deauthorize.tokens).toEqual([]);
    expect(await rowsOf(env, e)).toBe(before);
  });
});
