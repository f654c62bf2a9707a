// Connecting Strava through GET /auth/strava and its callback, on real Postgres and
// Redis with msw as Strava: the authorize redirect, every way a callback is refused
// (and that nothing is stored then), a good connect (tokens sealed, session cookie,
// zones + backfill queued) and a reconnect that updates the same athlete.
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import type { Config } from "../../src/config.ts";
import { readTokens } from "../../src/db/repos/connections.ts";
import { athletes, providerConnections } from "../../src/db/schema/index.ts";
import { signToken, verifyToken } from "../../src/security/crypto.ts";
import { createApp } from "../../src/server/app.ts";
import { STATE_COOKIE, STATE_PURPOSE } from "../../src/server/routes/auth-strava.ts";
import { SESSION_COOKIE, SESSION_PURPOSE } from "../../src/server/session.ts";
import { BACKFILL_PRIORITY } from "../../src/workers/jobs.ts";
import { STRAVA_TEST_ENV, stravaFixture, useStravaFake } from "../support/strava-fake.ts";
import { testConfig, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV, PUBLIC_URL: "https://runstrong.example.org" });
const fake = useStravaFake();

const exchange = stravaFixture<{ access_token: string; refresh_token: string; athlete: { id: number } }>(
  "strava-oauth-token-exchange.json",
);
const STRAVA_ATHLETE = String(exchange.athlete.id);
const ALL_SCOPES = "read,activity:read_all,profile:read_all";

function app(config: Config = env.config) {
  return createApp({
    config,
    db: env.pool.db,
    queues: env.queues,
    logger: env.logger,
    metrics: env.metrics,
    readiness: [],
    now: () => new Date(),
  });
}

/** The Set-Cookie headers of a response, by cookie name. */
function cookies(res: Response): Map<string, { value: string; attrs: string }> {
  const out = new Map<string, { value: string; attrs: string }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = "", ...attrs] = line.split(";");
    const eq = pair.indexOf("=");
    out.set(pair.slice(0, eq).trim(), {
      value: decodeURIComponent(pair.slice(eq + 1)),
      attrs: attrs.join(";"),
    });
  }
  return out;
}

/** Starts a flow: the state Strava would carry back and the nonce cookie the browser holds. */
async function start() {
  const res = await app().request("/auth/strava");
  const location = new URL(res.headers.get("location") ?? "");
  const nonce = cookies(res).get(STATE_COOKIE)?.value ?? "";
  return { res, location, state: location.searchParams.get("state") ?? "", nonce };
}

function callback(query: Record<string, string>, cookie?: string) {
  return app().request(`/auth/strava/callback?${new URLSearchParams(query)}`, {
    headers: cookie ? { cookie } : {},
  });
}

async function counts() {
  const [a] = await env.pool.db.select({ n: count() }).from(athletes);
  const [c] = await env.pool.db.select({ n: count() }).from(providerConnections);
  return { athletes: a?.n ?? 0, connections: c?.n ?? 0 };
}

async function clearQueues() {
  await env.queues.strava.obliterate({ force: true });
  await env.queues.replan.obliterate({ force: true });
}

describe("GET /auth/strava", () => {
  it("redirects to Strava's authorize page with the scopes and a signed, short-lived state", async () => {
    const { res, location, state, nonce } = await start();
    expect(res.status).toBe(302);
    expect(`${location.origin}${location.pathname}`).toBe(
      `${STRAVA_TEST_ENV.STRAVA_OAUTH_BASE_URL}/authorize`,
    );
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      client_id: STRAVA_TEST_ENV.STRAVA_CLIENT_ID,
      redirect_uri: "https://runstrong.example.org/auth/strava/callback",
      response_type: "code",
      approval_prompt: "auto",
      scope: ALL_SCOPES,
    });
    const payload = verifyToken<{ n: string; exp: number }>(
      state,
      STATE_PURPOSE,
      env.config.secrets.sessionSecret,
      Date.now(),
    );
    expect(payload?.n).toBe(nonce);
    expect(payload?.exp).toBeLessThanOrEqual(Date.now() + 10 * 60_000);
    expect(nonce.length).toBeGreaterThanOrEqual(16);
    const attrs = cookies(res).get(STATE_COOKIE)?.attrs ?? "";
    expect(attrs).toMatch(/HttpOnly/i);
    expect(attrs).toMatch(/SameSite=Lax/i);
    expect(attrs).toMatch(/Secure/i);
    expect(attrs).toMatch(/Max-Age=600/);
  });

  it("answers 503 JSON saying what to set when STRAVA_CLIENT_ID is unset", async () => {
    const unconfigured = testConfig({ DATABASE_URL: env.config.databaseUrl });
    const res = await app(unconfigured).request("/auth/strava");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
    expect(body.error.code).toBe("unavailable");
    expect(body.error.message).toMatch(/STRAVA_CLIENT_ID/);
    expect(body.error.message).toMatch(/docs\/strava\.md/);
    expect(body.error.requestId).toBeTruthy();
  });
});

describe("the callback refuses what it cannot trust, and stores nothing", () => {
  it("a missing, forged, expired or other-browser state gives the 400 page", async () => {
    const { state, nonce } = await start();
    const secret = env.config.secrets.sessionSecret;
    const expired = signToken({ n: nonce }, STATE_PURPOSE, secret, Date.now() - 1);
    const otherPurpose = signToken({ n: nonce }, SESSION_PURPOSE, secret, Date.now() + 60_000);
    const forged = `${state.slice(0, -4)}AAAA`;
    const cases: Array<[Record<string, string>, string | undefined]> = [
      [{ code: "c", scope: ALL_SCOPES }, `${STATE_COOKIE}=${nonce}`],
      [{ code: "c", scope: ALL_SCOPES, state: forged }, `${STATE_COOKIE}=${nonce}`],
      [{ code: "c", scope: ALL_SCOPES, state: expired }, `${STATE_COOKIE}=${nonce}`],
      [{ code: "c", scope: ALL_SCOPES, state: otherPurpose }, `${STATE_COOKIE}=${nonce}`],
      // A good state without this browser's cookie, or with another browser's.
      [{ code: "c", scope: ALL_SCOPES, state }, undefined],
      [{ code: "c", scope: ALL_SCOPES, state }, `${STATE_COOKIE}=someone-elses-nonce`],
    ];
    for (const [query, cookie] of cases) {
      const res = await callback(query, cookie);
      expect(res.status, JSON.stringify(query)).toBe(400);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toMatch(/expired/);
    }
    expect(await counts()).toEqual({ athletes: 0, connections: 0 });
    expect(fake.count("POST", /^\/token$/)).toBe(0);
  });

  it("access_denied explains and offers to connect again", async () => {
    const { state, nonce } = await start();
    const res = await callback({ error: "access_denied", state }, `${STATE_COOKIE}=${nonce}`);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/chose not to give runstrong access/);
    expect(html).toMatch(/href="\/auth\/strava"/);
    expect(await counts()).toEqual({ athletes: 0, connections: 0 });
    expect(fake.count("POST", /^\/token$/)).toBe(0);
  });

  it("unticked scopes are named, with a retry link, and the code is not exchanged", async () => {
    const { state, nonce } = await start();
    const res = await callback(
      { code: "some-code", scope: "read,activity:read", state },
      `${STATE_COOKIE}=${nonce}`,
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/activity:read_all/);
    expect(html).toMatch(/profile:read_all/);
    expect(html).not.toMatch(/<strong>read<\/strong>/);
    expect(html).toMatch(/href="\/auth\/strava"/);
    expect(await counts()).toEqual({ athletes: 0, connections: 0 });
    expect(fake.count("POST", /^\/token$/)).toBe(0);
  });
});

describe("a good callback", () => {
  it("stores the athlete and the connection with sealed tokens, signs in, and queues zones, backfill and a plan", async () => {
    await clearQueues();
    const { state, nonce } = await start();
    const res = await callback({ code: "good-code", scope: ALL_SCOPES, state }, `${STATE_COOKIE}=${nonce}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/strava/connected");
    expect(fake.count("POST", /^\/token$/)).toBe(1);

    const [connection] = await env.pool.db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.externalAthleteId, STRAVA_ATHLETE));
    expect(connection).toBeDefined();
    if (!connection) return;
    expect(connection).toMatchObject({ provider: "strava", status: "active", scopes: ALL_SCOPES.split(",") });
    const row = JSON.stringify(connection);
    expect(row).not.toContain(exchange.access_token);
    expect(row).not.toContain(exchange.refresh_token);
    expect(readTokens(connection, env.config.secrets.tokenEncryptionKey)).toMatchObject({
      accessToken: exchange.access_token,
      refreshToken: exchange.refresh_token,
    });
    const [athlete] = await env.pool.db.select().from(athletes).where(eq(athletes.id, connection.athleteId));
    expect(athlete).toMatchObject({ displayName: "Daniel Block", timezone: "UTC" });
    expect(athlete?.calendarToken.length).toBeGreaterThanOrEqual(40);

    const set = cookies(res);
    const session = set.get(SESSION_COOKIE);
    expect(session?.attrs).toMatch(/HttpOnly/i);
    expect(session?.attrs).toMatch(/SameSite=Lax/i);
    expect(session?.attrs).toMatch(/Secure/i);
    expect(session?.attrs).toMatch(/Max-Age=2592000/);
    expect(
      verifyToken<{ a: number }>(
        session?.value ?? "",
        SESSION_PURPOSE,
        env.config.secrets.sessionSecret,
        Date.now(),
      )?.a,
    ).toBe(connection.athleteId);
    // The state cookie is spent.
    expect(set.get(STATE_COOKIE)?.attrs).toMatch(/Max-Age=0/);

    const jobs = await env.queues.strava.getJobs(["waiting", "prioritized"]);
    const byName = new Map(jobs.map((j) => [j.name, j]));
    expect(byName.get("strava-fetch-zones")?.data).toEqual({ athleteId: connection.athleteId });
    expect(byName.get("strava-backfill")?.data).toEqual({ athleteId: connection.athleteId, weeks: 6 });
    expect(byName.get("strava-backfill")?.opts.priority).toBe(BACKFILL_PRIORITY);
    const replans = await env.queues.replan.getJobs(["delayed", "waiting"]);
    expect(replans.map((j) => j.data)).toEqual([
      { athleteId: connection.athleteId, cause: { type: "connect", provider: "strava" } },
    ]);

    const page = await app().request("/auth/strava/connected", {
      headers: { cookie: `${SESSION_COOKIE}=${session?.value}` },
    });
    expect(await page.text()).toMatch(/Welcome, Daniel Block/);
    // Tokens, codes and states never reach a log line.
    const logs = JSON.stringify(env.logs);
    for (const secret of [exchange.access_token, exchange.refresh_token, "good-code", state, nonce])
      expect(logs).not.toContain(secret);
  });

  it("a reconnect updates the same athlete and connection, and queues the backfill once", async () => {
    await clearQueues();
    const before = await counts();
    expect(before).toEqual({ athletes: 1, connections: 1 });
    const [old] = await env.pool.db.select().from(providerConnections);
    await env.pool.db
      .update(providerConnections)
      .set({ status: "needs_reauth", statusReason: "refresh refused" })
      .where(eq(providerConnections.id, old?.id ?? 0));

    for (let i = 0; i < 2; i++) {
      const { state, nonce } = await start();
      const res = await callback(
        { code: `again-${i}`, scope: ALL_SCOPES, state },
        `${STATE_COOKIE}=${nonce}`,
      );
      expect(res.status).toBe(302);
    }
    expect(await counts()).toEqual(before);
    const [now] = await env.pool.db.select().from(providerConnections);
    expect(now).toMatchObject({
      id: old?.id,
      athleteId: old?.athleteId,
      status: "active",
      statusReason: null,
    });
    expect(now?.accessTokenEnc).not.toBe(old?.accessTokenEnc);
    const jobs = await env.queues.strava.getJobs(["waiting", "prioritized"]);
    expect(jobs.filter((j) => j.name === "strava-backfill")).toHaveLength(1);
    expect(jobs.filter((j) => j.name === "strava-fetch-zones")).toHaveLength(1);
  });

  it("a refused code exchange explains, stores nothing new and signs nobody in", async () => {
    const { state, nonce } = await start();
    // A token endpoint slower than the timeout is a failure the fake can make.
    fake.token.delayMs = 1_000;
    const offline = testConfig({
      ...STRAVA_TEST_ENV,
      DATABASE_URL: env.config.databaseUrl,
      SESSION_SECRET: env.config.secrets.sessionSecret,
      STRAVA_REQUEST_TIMEOUT_MS: "100",
    });
    const before = await counts();
    const res = await app(offline).request(
      `/auth/strava/callback?${new URLSearchParams({ code: "x", scope: ALL_SCOPES, state })}`,
      { headers: { cookie: `${STATE_COOKIE}=${nonce}` } },
    );
    expect(res.status).toBe(502);
    expect(await res.text()).toMatch(/could not be reached/);
    expect(cookies(res).has(SESSION_COOKIE)).toBe(false);
    expect(await counts()).toEqual(before);
  });
});
