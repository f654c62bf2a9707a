// The public endpoints' rate limits: OAuth starts and webhooks per source address
// (the socket's peer; X-Forwarded-For only with TRUST_PROXY), confirmation mail per
// athlete. Each over-limit answer is 429 JSON with Retry-After; windows are fixed,
// on the app's clock.
import { describe, expect, it, onTestFinished } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { createProducerRedis } from "../../src/workers/connection.ts";
import { QUEUE_NAMES } from "../../src/workers/jobs.ts";
import { closeQueues, createQueues } from "../../src/workers/queues.ts";
import { apiCaller, sessionCookie } from "../support/api-calls.ts";
import { seedAthlete } from "../support/builders.ts";
import { REDIS_URL } from "../support/databases.ts";
import { GARMIN_TEST_ENV } from "../support/garmin-fake.ts";
import { STRAVA_TEST_ENV, STRAVA_WEBHOOK } from "../support/strava-fake.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  ...GARMIN_TEST_ENV,
  RATE_LIMIT_OAUTH_START_PER_MINUTE: "3",
  RATE_LIMIT_WEBHOOK_PER_MINUTE: "5",
  RATE_LIMIT_CONFIRM_MAIL_PER_HOUR: "2",
});
let now = new Date("2026-12-07T04:00:10Z");
const clock = () => now;
const app = testApp(env, clock);
const proxied = testApp(
  { ...env, config: { ...env.config, rateLimits: { ...env.config.rateLimits, trustProxy: true } } },
  clock,
);

/** A request from the socket address `from` (what @hono/node-server hands getConnInfo). */
function from(address: string, path: string, init: RequestInit = {}, target = app) {
  return target.request(path, init, {
    incoming: { socket: { remoteAddress: address, remoteFamily: "IPv4" } },
  });
}

async function refusal(res: Response) {
  expect(res.status).toBe(429);
  const retryAfter = Number(res.headers.get("retry-after"));
  const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
  expect(body.error.code).toBe("rate_limited");
  expect(body.error.requestId).toBeTruthy();
  return retryAfter;
}

describe("OAuth start", () => {
  it("lets an address start three sign-ins a minute, then answers 429 until the minute turns", async () => {
    now = new Date("2026-12-07T04:00:10Z");
    for (let i = 0; i < 3; i++) expect((await from("198.51.100.1", "/auth/strava")).status).toBe(302);
    expect(await refusal(await from("198.51.100.1", "/auth/strava"))).toBe(50);
    // Garmin's start counts against the same budget; another address has its own.
    await refusal(await from("198.51.100.1", "/auth/garmin"));
    expect((await from("198.51.100.2", "/auth/garmin")).status).toBe(302);
    now = new Date("2026-12-07T04:01:00Z");
    expect((await from("198.51.100.1", "/auth/strava")).status).toBe(302);
  });

  it("ignores X-Forwarded-For unless TRUST_PROXY says a proxy sets it", async () => {
    now = new Date("2026-12-07T05:00:00Z");
    const spoof = (n: number) => ({ headers: { "x-forwarded-for": `203.0.113.${n}` } });
    for (let i = 0; i < 3; i++)
      expect((await from("198.51.100.3", "/auth/strava", spoof(i))).status).toBe(302);
    await refusal(await from("198.51.100.3", "/auth/strava", spoof(9)));

    // Behind the proxy every request comes from its address; the last entry it appended is the client.
    for (let i = 0; i < 3; i++)
      expect(
        (
          await from(
            "10.0.0.1",
            "/auth/strava",
            { headers: { "x-forwarded-for": "1.1.1.1, 203.0.113.20" } },
            proxied,
          )
        ).status,
      ).toBe(302);
    await refusal(
      await from(
        "10.0.0.1",
        "/auth/strava",
        { headers: { "x-forwarded-for": "9.9.9.9, 203.0.113.20" } },
        proxied,
      ),
    );
    expect(
      (await from("10.0.0.1", "/auth/strava", { headers: { "x-forwarded-for": "203.0.113.21" } }, proxied))
        .status,
    ).toBe(302);
  });
});

describe("webhooks", () => {
  it("count every request to /webhooks/ per source address, wrong secrets included", async () => {
    now = new Date("2026-12-07T06:00:30Z");
    const post = (address: string, path = STRAVA_WEBHOOK) =>
      from(address, path, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    for (let i = 0; i < 4; i++) expect((await post("192.0.2.10")).status).toBe(400);
    expect((await post("192.0.2.10", "/webhooks/strava/guessed-secret")).status).toBe(404);
    expect(await refusal(await post("192.0.2.10"))).toBe(30);
    await refusal(await post("192.0.2.10", "/webhooks/garmin/anything/activities"));
    expect((await post("192.0.2.11")).status).toBe(400);
  });
});

describe("confirmation mail", () => {
  const call = apiCaller(app, env.config, clock);

  it("sends at most two a hour per athlete: the third new address is refused and not stored", async () => {
    now = new Date("2026-12-07T07:20:00Z");
    const athlete = await seedAthlete(env.pool.db);
    const other = await seedAthlete(env.pool.db);
    expect((await call(athlete.id, "PATCH", "/api/settings", { email: "one@example.org" })).status).toBe(200);
    // The same address again sends nothing, so it is not counted.
    expect((await call(athlete.id, "PATCH", "/api/settings", { email: "one@example.org" })).status).toBe(200);
    expect((await call(athlete.id, "PATCH", "/api/settings", { email: "two@example.org" })).status).toBe(200);

    const res = await app.request("/api/settings", {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        cookie: sessionCookie(env.config, athlete.id, now),
      },
      body: JSON.stringify({ email: "three@example.org" }),
    });
    expect(await refusal(res)).toBe(40 * 60);
    expect((await getAthlete(env.pool.db, athlete.id))?.email).toBe("two@example.org");
    // Other settings still change; another athlete has a budget of their own.
    expect((await call(athlete.id, "PATCH", "/api/settings", { sessionsPerWeek: 3 })).status).toBe(200);
    expect((await call(other.id, "PATCH", "/api/settings", { email: "other@example.org" })).status).toBe(200);

    now = new Date("2026-12-07T08:00:00Z");
    expect((await call(athlete.id, "PATCH", "/api/settings", { email: "three@example.org" })).status).toBe(
      200,
    );
  });
});

describe("a Redis that cannot be reached", () => {
  it("lets OAuth starts through rather than refusing sign-ins because the counter is away", async () => {
    now = new Date("2026-12-07T09:00:00Z");
    const target = new URL(REDIS_URL);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 6379) });
    // A serve process's producer connection: it fails at once while Redis is away.
    const producer = createProducerRedis(proxy.urlFor(REDIS_URL), "rate-limit-test");
    producer.on("error", () => {});
    const queues = createQueues(producer, env.prefix, env.queues.installId);
    for (const name of QUEUE_NAMES) queues[name].on("error", () => {});
    onTestFinished(async () => {
      await closeQueues(queues).catch(() => {});
      producer.disconnect();
      await proxy.stop();
    });
    const cut = testApp({ ...env, queues }, clock);
    for (let i = 0; i < 3; i++)
      expect((await from("198.51.100.9", "/auth/strava", {}, cut)).status).toBe(302);
    await refusal(await from("198.51.100.9", "/auth/strava", {}, cut));

    await proxy.stop();
    expect((await from("198.51.100.9", "/auth/strava", {}, cut)).status).toBe(302);
    expect(env.logs.some((l) => l.msg === "rate limit not checked: Redis unreachable")).toBe(true);
  });
});
