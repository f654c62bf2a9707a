// /account over HTTP, without a browser: each connection's state in words
// (connected since when and as whom; needs re-authorization, with the link that
// fixes it; not connected, with the way to connect), the confirmation page and
// form of each disconnect (the last way to sign in said so), what each disconnect
// does (Strava told and its data wiped, the account kept; Garmin deregistered;
// intervals.icu's key forgotten), a Strava that cannot be reached refusing the
// disconnect with nothing changed, CSRF refusals (403, nothing changed), and a
// signed-out visitor sent to /.
import { and, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { getConnectionForAthlete, setConnectionStatus } from "../../src/db/repos/connections.ts";
import { destinationLink } from "../../src/db/repos/workout-pushes.ts";
import { activities, outbox } from "../../src/db/schema/index.ts";
import { CSRF_FIELD, csrfTokenFor } from "../../src/server/middleware/csrf.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { deauthorizeFake, rowsOf, seedEverything } from "../support/account-fixtures.ts";
import { createGarminFake, GARMIN_API, GARMIN_TEST_ENV } from "../support/garmin-fake.ts";
import { STRAVA_TEST_ENV, seedStravaAthlete, useStravaFake } from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example.org";
const env = await useTestEnv({ ...STRAVA_TEST_ENV, ...GARMIN_TEST_ENV, PUBLIC_URL, REPLAN_DEBOUNCE_MS: "0" });
const garmin = createGarminFake();
const deauthorize = deauthorizeFake();
useStravaFake([...garmin.handlers, deauthorize.handler]);
const app = testApp(env);
const HTML = { accept: "text/html,application/xhtml+xml" };

function signedIn(athleteId: number) {
  const token = sessionToken(athleteId, env.config, Date.now());
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfTokenFor(token, env.config) };
}

async function page(path: string, athleteId: number, cookie = signedIn(athleteId).cookie) {
  const res = await app.request(path, { headers: { ...HTML, cookie } });
  return { status: res.status, text: await res.text() };
}

function post(path: string, athleteId: number, fields: Record<string, string> = {}, origin = PUBLIC_URL) {
  const { cookie, csrf } = signedIn(athleteId);
  return app.request(path, {
    method: "POST",
    headers: { ...HTML, cookie, origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ [CSRF_FIELD]: csrf, ...fields }).toString(),
  });
}

let next = 73_005_000;
const ids = () => {
  next++;
  return { ownerId: next, garminUserId: `garmin-user-${next}`, tag: `t${next}` };
};

describe("the account page", () => {
  it("shows each connection's state: connected since when and as whom, or not connected with the way to connect", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 73_004_001 });
    const { status, text } = await page("/account", athlete.id);
    expect(status).toBe(200);
    expect(text).toMatch(
      /Connected since <time datetime="\d{4}-\d{2}-\d{2}T[^"]+Z">\d{1,2} \w+ \d{4}<\/time>, as Strava athlete 73004001\./,
    );
    expect(text).toContain('<a class="button" href="/auth/garmin">Connect Garmin</a>');
    expect(text).toContain('href="/settings">Link intervals.icu in Settings</a>');
    expect(text).toContain('href="/account/strava/disconnect"');
    expect(text).not.toContain('href="/account/garmin/disconnect"');
    expect(text).toContain('href="/account/export"');
    expect(text).toContain('href="/account/delete"');
  });

  it("says when a connection needs re-authorization, with the link that fixes it", async () => {
    const a = await seedEverything(env, garmin, ids());
    const connection = await getConnectionForAthlete(env.pool.db, a.id, "garmin");
    if (!connection) throw new Error("no Garmin connection seeded");
    await setConnectionStatus(
      env.pool.db,
      connection.id,
      "needs_reauth",
      "Garmin refused the token refresh (400)",
    );
    const { text } = await page("/account", a.id);
    expect(text).toContain(
      "Needs re-authorization: Garmin no longer accepts runstrong&#39;s access (Garmin refused the token refresh (400)).",
    );
    expect(text).toMatch(
      /<a class="button fix" href="\/auth\/garmin" aria-describedby="conn-garmin-state">Reconnect Garmin<\/a>/,
    );
    expect(text).toContain(`as intervals.icu athlete i${a.ownerId}`);
    expect(text).not.toContain(a.intervalsKey);
  });

  it("sends a signed-out visitor to /, and one whose session names no athlete to / with a message", async () => {
    for (const path of ["/account", "/account/delete", "/account/strava/disconnect", "/account/export"]) {
      const res = await app.request(path, { headers: HTML });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe("/");
    }
    const gone = await app.request("/account", { headers: { ...HTML, cookie: signedIn(999_999).cookie } });
    expect(gone.headers.get("location")).toBe("/?notice=expired");
  });
});

describe("disconnecting", () => {
  it("asks first, saying when Strava is the only way to sign in", async () => {
    const { athlete } = await seedStravaAthlete(env, { ownerId: 73_004_002 });
    const session = signedIn(athlete.id);
    const { status, text } = await page("/account/strava/disconnect", athlete.id, session.cookie);
    expect(status).toBe(200);
    expect(text).toContain('<form method="post" action="/account/strava/disconnect"');
    expect(text).toContain(`name="${CSRF_FIELD}" value="${session.csrf}"`);
    expect(text).toContain("Strava is your only way to sign in.");
    const both = await seedEverything(env, garmin, ids());
    expect((await page("/account/strava/disconnect", both.id)).text).not.toContain("only way to sign in");
    const none = await page("/account/intervals/disconnect", athlete.id);
    expect(none.status).toBe(404);
    // A signed-in athlete keeps the nav on the 404 page.
    expect(none.text).toContain('action="/sign-out"');
  });

  it("Strava: told first, then its tokens, events and activities deleted; the account and a re-plan stay", async () => {
    deauthorize.tokens.length = 0;
    const a = await seedEverything(env, garmin, ids());
    const res = await post("/account/strava/disconnect", a.id);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account?done=strava-disconnected");
    expect(deauthorize.tokens).toEqual([a.stravaAccess]);
    expect(await getConnectionForAthlete(env.pool.db, a.id, "strava")).toBeNull();
    expect(await getConnectionForAthlete(env.pool.db, a.id, "garmin")).not.toBeNull();
    expect(
      await env.pool.db
        .select()
        .from(activities)
        .where(and(eq(activities.athleteId, a.id), eq(activities.provider, "strava"))),
    ).toEqual([]);
    // The run Garmin also sent stays, as Garmin's record.
    const kept = await env.pool.db.select().from(activities).where(eq(activities.athleteId, a.id));
    expect(kept.map((r) => [r.provider, r.name])).toEqual([["garmin", a.activityName]]);
    expect(await getAthlete(env.pool.db, a.id)).not.toBeNull();
    const [events] = await env.pool.sql<{ n: number }[]>`
      select count(*)::int as n from webhook_events where provider = 'strava' and external_athlete_id = ${a.ownerId}`;
    expect(events?.n).toBe(0);
    const followUps = await env.pool.db.select().from(outbox).where(eq(outbox.athleteId, a.id));
    expect(followUps.map((f) => f.payload)).toContainEqual({
      type: "replan",
      cause: { type: "disconnect", provider: "strava" },
    });
    const shown = await page("/account?done=strava-disconnected", a.id);
    expect(shown.text).toContain('role="status">Strava is disconnected and its data deleted');
    expect(shown.text).toContain('<a class="button strava" href="/auth/strava">Connect with Strava</a>');
  });

  it("Strava unreachable: refused with 503 in words, and nothing deleted", async () => {
    deauthorize.tokens.length = 0;
    deauthorize.status = 502;
    const a = await seedEverything(env, garmin, ids());
    const before = await rowsOf(env, a);
    const res = await post("/account/strava/disconnect", a.id);
    deauthorize.status = 200;
    expect(res.status).toBe(503);
    expect(await res.text()).toContain(
      'role="alert">Not disconnected: Strava could not be reached to end the connection; try again shortly.',
    );
    expect(deauthorize.tokens).toEqual([a.stravaAccess]);
    expect(await rowsOf(env, a)).toBe(before);
  });

  it("Garmin: the registration is deleted with the athlete's token; intervals.icu: the key is forgotten", async () => {
    garmin.requests.length = 0;
    const a = await seedEverything(env, garmin, ids());
    const res = await post("/account/garmin/disconnect", a.id);
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/account?done=garmin-disconnected");
    expect(
      garmin.requests
        .filter((r) => r.method === "DELETE" && r.url === `${GARMIN_API}/wellness-api/rest/user/registration`)
        .map((r) => r.token),
    ).toEqual([a.garminAccess]);
    expect(await getConnectionForAthlete(env.pool.db, a.id, "garmin")).toBeNull();

    const unlinked = await post("/account/intervals/disconnect", a.id);
    expect(unlinked.status).toBe(303);
    expect(unlinked.headers.get("location")).toBe("/account?done=intervals-disconnected");
    expect(await destinationLink(env.pool.db, a.id, "intervals_icu")).toBeNull();
    const again = await post("/account/intervals/disconnect", a.id);
    expect(again.status).toBe(404);
    expect(await again.text()).toContain('action="/sign-out"');
  });
});

describe("CSRF", () => {
  it("refuses every account form without the token, with a wrong one, or from another origin, and changes nothing", async () => {
    deauthorize.tokens.length = 0;
    const a = await seedEverything(env, garmin, ids());
    const before = await rowsOf(env, a);
    const { cookie, csrf } = signedIn(a.id);
    const paths = [
      "/account/strava/disconnect",
      "/account/garmin/disconnect",
      "/account/intervals/disconnect",
      "/account/delete",
    ];
    for (const path of paths)
      for (const [fields, origin] of [
        [{}, PUBLIC_URL],
        [{ [CSRF_FIELD]: "wrong" }, PUBLIC_URL],
        [{ [CSRF_FIELD]: csrf }, "https://evil.example"],
      ] as const) {
        const res = await app.request(path, {
          method: "POST",
          headers: { ...HTML, cookie, origin, "content-type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ ...fields, confirm: "DELETE" }).toString(),
        });
        expect(res.status, `${path} from ${origin}`).toBe(403);
        const text = await res.text();
        expect(text).toContain("Nothing was changed");
        // The refusal keeps the signed-in athlete's nav, Sign out included.
        expect(text, `${path} from ${origin}`).toContain('action="/sign-out"');
      }
    expect(deauthorize.tokens).toEqual([]);
    expect(await rowsOf(env, a)).toBe(before);
  });
});
