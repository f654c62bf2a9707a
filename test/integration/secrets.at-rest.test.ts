// Secrets at rest and in what the service leaves behind. A connect through the real
// OAuth callback, a webhook and its import, and a settings change with an address,
// an intervals.icu key and a push subscription; then the raw rows that hold tokens
// and keys are read with SQL (sealed: neither the plaintext nor its base64), and
// every log line and every Redis value under the test's prefix (BullMQ's job data,
// return values, failure reasons, events) is searched for any secret, token, key,
// address or feed token.
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it, vi } from "vitest";
import { activities, athletes } from "../../src/db/schema/index.ts";
import { STATE_COOKIE } from "../../src/server/routes/auth-strava.ts";
import { apiCaller } from "../support/api-calls.ts";
import { startMailSink } from "../support/mail-sink.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  runWorkers,
  STRAVA_TEST_ENV,
  settledEvent,
  stravaEvent,
  stravaFixture,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const sink = await startMailSink();
afterAll(() => sink.close());
const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  SMTP_URL: sink.url,
  OUTBOUND_ALLOW_PRIVATE: "true",
  REPLAN_DEBOUNCE_MS: "0",
});
const fake = useStravaFake();
const app = testApp(env);
const exchange = stravaFixture<{ access_token: string; refresh_token: string; athlete: { id: number } }>(
  "strava-oauth-token-exchange.json",
);

const EMAIL = "secret-runner@example.org";
const INTERVALS_KEY = "intervals-api-key-f00dfeed0123456789";
const PUSH_AUTH = "tBHItJI5svbpez7KI4CCXg";

/** Every way a value might be written down: as it is, base64, base64url, hex. */
function spellings(value: string): string[] {
  const bytes = Buffer.from(value);
  return [value, bytes.toString("base64"), bytes.toString("base64url"), bytes.toString("hex")];
}

/** Every value under the test's Redis prefix, whatever its type. */
async function redisDump(): Promise<string> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = await env.redis.scan(cursor, "MATCH", `${env.prefix}:*`, "COUNT", 500);
    cursor = next;
    for (const key of keys) {
      const type = await env.redis.type(key);
      out.push(key);
      if (type === "string") out.push((await env.redis.get(key)) ?? "");
      else if (type === "hash") out.push(JSON.stringify(await env.redis.hgetall(key)));
      else if (type === "list") out.push(JSON.stringify(await env.redis.lrange(key, 0, -1)));
      else if (type === "set") out.push(JSON.stringify(await env.redis.smembers(key)));
      else if (type === "zset") out.push(JSON.stringify(await env.redis.zrange(key, "0", "-1")));
      else if (type === "stream") out.push(JSON.stringify(await env.redis.xrange(key, "-", "+")));
    }
  } while (cursor !== "0");
  return out.join("\n");
}

describe("secrets", () => {
  it("are sealed at rest and appear in no log line and no Redis value after connect, webhook, import and settings", async () => {
    const stravaAthlete = exchange.athlete.id;
    fake.activities.set("8801", detailedActivity({ id: 8801, athleteId: stravaAthlete, name: "Tempo" }));
    runWorkers(env, ["strava", "replan", "notify", "maintenance"]);

    // Connect through the real OAuth start and callback.
    const started = await app.request("/auth/strava");
    const state = new URL(started.headers.get("location") ?? "").searchParams.get("state") ?? "";
    const nonce = /rs_[a-z_]*=([^;]+)/.exec(started.headers.getSetCookie().join("\n"))?.[1] ?? "";
    const connected = await app.request(
      `/auth/strava/callback?${new URLSearchParams({ code: "good-code", scope: "read,activity:read_all,profile:read_all", state })}`,
      { headers: { cookie: `${STATE_COOKIE}=${nonce}` } },
    );
    expect(connected.status).toBe(302);
    const [athlete] = await env.pool.db.select().from(athletes);
    if (!athlete) throw new Error("the connect stored no athlete");

    // A webhook and its import.
    const eventId = await deliverStravaEvent(
      app,
      env.pool.db,
      stravaEvent({ objectId: 8801, ownerId: stravaAthlete }),
    );
    expect((await settledEvent(env, eventId))?.status).toBe("processed");
    expect(await env.pool.db.select().from(activities).where(eq(activities.externalId, "8801"))).toHaveLength(
      1,
    );

    // Settings: an address (its confirmation mail goes out), intervals.icu, a push subscription.
    const call = apiCaller(app, env.config, () => new Date());
    const patched = await call(athlete.id, "PATCH", "/api/settings", {
      email: EMAIL,
      intervalsIcu: { athleteId: "i777777", apiKey: INTERVALS_KEY },
    });
    expect(patched.status, JSON.stringify(patched.body)).toBe(200);
    const subscribed = await call(athlete.id, "POST", "/api/push-subscriptions", {
      endpoint: "https://127.0.0.1:9/push-endpoint-of-the-test",
      keys: {
        p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
        auth: PUSH_AUTH,
      },
    });
    expect(subscribed.status).toBe(201);
    await vi.waitFor(() => expect(sink.received.length).toBeGreaterThan(0), {
      timeout: 15_000,
      interval: 100,
    });

    // At rest: the rows that hold tokens and keys, read raw, and then every row of every table.
    const sql = env.pool.sql;
    const rawRows = JSON.stringify({
      connections: await sql`select * from provider_connections`,
      destinations: await sql`select * from destination_links`,
    });
    expect(rawRows).toContain("i777777"); // the rows were read, and are the ones written
    const tables = await sql<{ table_name: string }[]>`
      select table_name from information_schema.tables where table_schema = 'public' order by 1`;
    const everything: string[] = [];
    for (const { table_name } of tables)
      everything.push(JSON.stringify(await sql`select * from ${sql(table_name)}`));
    const database = everything.join("\n");
    expect(database).toContain(EMAIL); // athletes.email: stored, for the mail
    for (const secret of [exchange.access_token, exchange.refresh_token, INTERVALS_KEY])
      for (const spelling of spellings(secret)) {
        expect(rawRows).not.toContain(spelling);
        expect(database.includes(spelling), "a token or key in plain in some table").toBe(false);
      }

    // In logs and in Redis.
    const [stored] = await env.pool.db.select().from(athletes).where(eq(athletes.id, athlete.id));
    const secrets = {
      "access token": exchange.access_token,
      "refresh token": exchange.refresh_token,
      "client secret": STRAVA_TEST_ENV.STRAVA_CLIENT_SECRET,
      "webhook secret": STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET,
      "verify token": STRAVA_TEST_ENV.STRAVA_VERIFY_TOKEN,
      "intervals.icu key": INTERVALS_KEY,
      "push auth secret": PUSH_AUTH,
      "email address": EMAIL,
      "feed token": stored?.calendarToken ?? "missing",
      "session secret": env.config.secrets.sessionSecret,
      "encryption key": env.config.secrets.tokenEncryptionKey.toString("base64"),
    };
    const logs = JSON.stringify(env.logs);
    const redis = await redisDump();
    expect(env.logs.length).toBeGreaterThan(10);
    expect(redis).toContain("strava-event"); // the jobs are there to be searched
    for (const [what, secret] of Object.entries(secrets)) {
      for (const spelling of spellings(secret)) {
        expect(logs.includes(spelling), `${what} in a log line`).toBe(false);
        expect(redis.includes(spelling), `${what} in Redis`).toBe(false);
      }
    }
  });
});
