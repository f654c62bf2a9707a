// Connecting Garmin through GET /auth/garmin and its callback (OAuth 2.0 with PKCE,
// S256), on real Postgres and Redis with msw as Garmin: the verifier the callback
// sends hashes to the challenge the authorize URL carried, tokens are sealed and
// keyed by Garmin's user id, an athlete may start with Garmin alone or link it to
// the athlete already signed in; tokens refresh early under a lock; a disconnect
// tells Garmin (DELETE /user/registration) and deletes the Garmin data.
import { createHash } from "node:crypto";
import { and, count, eq } from "drizzle-orm";
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { getConnectionByExternal, readTokens } from "../../src/db/repos/connections.ts";
import { activities, athletes, providerConnections } from "../../src/db/schema/index.ts";
import { createApp } from "../../src/server/app.ts";
import { STATE_COOKIE } from "../../src/server/oauth-state.ts";
import { GARMIN_DISCONNECT_PATH } from "../../src/server/routes/api-garmin-disconnect.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { garminApiFor } from "../../src/workers/garmin/as-athlete.ts";
import { freshGarminToken } from "../../src/workers/garmin/tokens.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import {
  GARMIN_API,
  GARMIN_AUTHORIZE_URL,
  GARMIN_TEST_ENV,
  seedGarminAthlete,
  useGarminFake,
} from "../support/garmin-fake.ts";
import { useTestEnv } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example.org";
const env = await useTestEnv({ ...GARMIN_TEST_ENV, PUBLIC_URL });
const fake = useGarminFake();
const db = env.pool.db;

const app = createApp({
  config: env.config,
  db,
  queues: env.queues,
  logger: env.logger,
  metrics: env.metrics,
  readiness: [],
  now: () => new Date(),
});

function cookies(res: Response): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const i = pair.indexOf("=");
    out.set(pair.slice(0, i).trim(), decodeURIComponent(pair.slice(i + 1)));
  }
  return out;
}

/** The whole dance as a browser makes it: start, consent on "Garmin", callback. */
async function connect(userId: string, extraCookie = "") {
  const start = await app.request("/auth/garmin", { headers: extraCookie ? { cookie: extraCookie } : {} });
  expect(start.status).toBe(302);
  const location = new URL(start.headers.get("location") ?? "");
  const nonce = cookies(start).get(STATE_COOKIE) ?? "";
  const code = fake.consent(location.searchParams.get("code_challenge") ?? "", userId);
  const query = new URLSearchParams({ code, state: location.searchParams.get("state") ?? "" });
  const res = await app.request(`/auth/garmin/callback?${query}`, {
    headers: { cookie: [`${STATE_COOKIE}=${nonce}`, extraCookie].filter(Boolean).join("; ") },
  });
  return { start, location, res };
}

describe("connect Garmin", () => {
  it("sends the athlete to Garmin with an S256 challenge and no scopes, then exchanges the code with a verifier that hashes to it", async () => {
    const { location, res } = await connect("garmin-user-1");
    expect(`${location.origin}${location.pathname}`).toBe(GARMIN_AUTHORIZE_URL);
    const q = location.searchParams;
    expect(q.get("response_type")).toBe("code");
    expect(q.get("client_id")).toBe(GARMIN_TEST_ENV.GARMIN_CLIENT_ID);
    expect(q.get("code_challenge_method")).toBe("S256");
    expect(q.get("redirect_uri")).toBe(`${PUBLIC_URL}/auth/garmin/callback`);
    expect(q.has("scope")).toBe(false);

    const exchange = fake.requests.find((r) => r.form?.get("grant_type") === "authorization_code");
    const verifier = exchange?.form?.get("code_verifier") ?? "";
    expect(verifier).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
    expect(createHash("sha256").update(verifier).digest("base64url")).toBe(q.get("code_challenge"));
    // The verifier never travelled through the browser.
    expect(location.toString()).not.toContain(verifier);
    expect(exchange?.form?.get("redirect_uri")).toBe(`${PUBLIC_URL}/auth/garmin/callback`);

    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/auth/garmin/connected");
    expect(cookies(res).get(SESSION_COOKIE)).toBeTruthy();

    // Keyed by the user id Garmin gave, tokens sealed at rest, permissions stored.
    const connection = await getConnectionByExternal(db, "garmin", "garmin-user-1");
    expect(connection?.scopes).toEqual([
      "ACTIVITY_EXPORT",
      "WORKOUT_IMPORT",
      "HEALTH_EXPORT",
      "COURSE_IMPORT",
      "MCT_EXPORT",
    ]);
    expect(connection?.accessTokenEnc).not.toContain("garmin-access");
    const tokens = connection && readTokens(connection, env.config.secrets.tokenEncryptionKey);
    expect(tokens?.accessToken).toMatch(/^garmin-access-/);
    expect(fake.requests.map((r) => `${r.method} ${new URL(r.url).pathname}`)).toEqual([
      "POST /di-oauth2-service/oauth/token",
      "GET /wellness-api/rest/user/id",
      "GET /wellness-api/rest/user/permissions",
    ]);
  });

  it("refuses a callback whose verifier does not match: a code taken to another browser's flow is worthless", async () => {
    const first = await app.request("/auth/garmin");
    const theirs = new URL(first.headers.get("location") ?? "");
    const code = fake.consent(theirs.searchParams.get("code_challenge") ?? "", "garmin-user-stolen");
    const mine = await app.request("/auth/garmin");
    const state = new URL(mine.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const res = await app.request(`/auth/garmin/callback?${new URLSearchParams({ code, state })}`, {
      headers: { cookie: `${STATE_COOKIE}=${cookies(mine).get(STATE_COOKIE)}` },
    });
    expect(res.status).toBe(400);
    expect(await getConnectionByExternal(db, "garmin", "garmin-user-stolen")).toBeNull();
  });

  it("refuses a callback without this browser's state cookie, storing nothing", async () => {
    const start = await app.request("/auth/garmin");
    const location = new URL(start.headers.get("location") ?? "");
    const code = fake.consent(location.searchParams.get("code_challenge") ?? "", "garmin-user-csrf");
    const res = await app.request(
      `/auth/garmin/callback?${new URLSearchParams({ code, state: location.searchParams.get("state") ?? "" })}`,
    );
    expect(res.status).toBe(400);
    expect(fake.requests).toHaveLength(0);
  });

  it("links Garmin to the athlete already signed in, and a reconnect keeps their name", async () => {
    const signedIn = await seedActivityOwner();
    const session = `${SESSION_COOKIE}=${sessionToken(signedIn, env.config, Date.now())}`;
    await connect("garmin-user-2", session);
    expect((await getConnectionByExternal(db, "garmin", "garmin-user-2"))?.athleteId).toBe(signedIn);
    await connect("garmin-user-2", session);
    const [athlete] = await db.select().from(athletes).where(eq(athletes.id, signedIn));
    expect(athlete?.displayName).toBe("Test Runner");
    const [n] = await db
      .select({ n: count() })
      .from(providerConnections)
      .where(and(eq(providerConnections.athleteId, signedIn), eq(providerConnections.provider, "garmin")));
    expect(n?.n).toBe(1);
  });
});

async function seedActivityOwner(): Promise<number> {
  return (await seedAthlete(db)).id;
}

describe("Garmin tokens", () => {
  it("refreshes a token expiring within ten minutes once, under the lock, and stores the new refresh token", async () => {
    const { connection } = await seedGarminAthlete(env, fake, { userId: "garmin-user-3" });
    await db
      .update(providerConnections)
      .set({ expiresAt: new Date(Date.now() + 5 * 60_000) })
      .where(eq(providerConnections.id, connection.id));
    const [fresh] = await db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.id, connection.id));
    if (!fresh) throw new Error("no connection");
    const api = garminApiFor(env.config, () => new Date());
    const deps = {
      db,
      tokenKey: env.config.secrets.tokenEncryptionKey,
      now: () => new Date(),
      logger: env.logger,
    };
    const tokens = await Promise.all([1, 2, 3].map(() => freshGarminToken(deps, api, fresh)));
    expect(new Set(tokens).size).toBe(1);
    expect(fake.requests.filter((r) => r.form?.get("grant_type") === "refresh_token")).toHaveLength(1);
    const [after] = await db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.id, connection.id));
    const stored = after && readTokens(after, env.config.secrets.tokenEncryptionKey);
    expect(stored?.refreshToken).toMatch(/^garmin-refresh-/);
    expect(stored?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);
  });
});

describe("POST /api/connections/garmin/disconnect", () => {
  it("tells Garmin, then deletes the Garmin tokens and Garmin's activities; the athlete and their other runs stay", async () => {
    const athleteId = await seedActivityOwner();
    await seedGarminAthlete(env, fake, { userId: "garmin-user-4", signedInAthleteId: athleteId });
    const stravaRun = await seedActivity(db, athleteId, {
      start: "2026-11-20T07:00:00Z",
      minutes: 40,
      name: "Easy",
      kind: "easy",
    });
    await db
      .insert(activities)
      .values({ ...stravaRun, id: undefined, provider: "garmin", externalId: "g-1" });
    const session = `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, Date.now())}`;

    const res = await app.request(GARMIN_DISCONNECT_PATH, {
      method: "POST",
      headers: { cookie: session, origin: PUBLIC_URL },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ disconnected: true, garminTold: true });
    expect(fake.requests.map((r) => `${r.method} ${r.url}`)).toContain(
      `DELETE ${GARMIN_API}/wellness-api/rest/user/registration`,
    );
    expect(await getConnectionByExternal(db, "garmin", "garmin-user-4")).toBeNull();
    const left = await db.select().from(activities).where(eq(activities.athleteId, athleteId));
    expect(left.map((a) => a.provider)).toEqual(["strava"]);
    expect(await db.select().from(athletes).where(eq(athletes.id, athleteId))).toHaveLength(1);
  });

  it("answers 503 and deletes nothing while Garmin cannot be told, and 404 once Garmin is not connected", async () => {
    const athleteId = await seedActivityOwner();
    await seedGarminAthlete(env, fake, { userId: "garmin-user-5", signedInAthleteId: athleteId });
    const session = `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, Date.now())}`;
    const disconnect = () =>
      app.request(GARMIN_DISCONNECT_PATH, {
        method: "POST",
        headers: { cookie: session, origin: PUBLIC_URL },
      });
    const through = globalThis.fetch;
    const down = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation((input, init) =>
        String(input instanceof Request ? input.url : input).endsWith("/wellness-api/rest/user/registration")
          ? Promise.resolve(new Response("busy", { status: 503 }))
          : through(input, init),
      );
    onTestFinished(() => down.mockRestore());

    const refused = await disconnect();
    expect(refused.status).toBe(503);
    expect(await refused.json()).toMatchObject({ error: { code: "unavailable", message: /try again/ } });
    expect(await getConnectionByExternal(db, "garmin", "garmin-user-5")).not.toBeNull();

    down.mockRestore();
    expect((await disconnect()).status).toBe(200);
    const again = await disconnect();
    expect(again.status).toBe(404);
    expect(await again.json()).toMatchObject({
      error: { code: "not_found", message: "Garmin is not connected" },
    });
  });
});
