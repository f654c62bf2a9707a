// Access tokens: refreshed when they expire within ten minutes, once per
// connection however many jobs race for it, the new refresh token stored at once;
// a refused refresh marks the connection needs_reauth and fails the job for good.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getConnectionByExternal, readTokens } from "../../src/db/repos/connections.ts";
import { providerConnections } from "../../src/db/schema/index.ts";
import { createStravaApi, stravaApiOptions } from "../../src/integrations/strava/api.ts";
import { stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import { freshAccessToken, ReauthorizationNeeded } from "../../src/workers/strava/tokens.ts";
import {
  deliverStravaEvent,
  detailedActivity,
  queueEvents,
  runWorkers,
  STRAVA_TEST_ENV,
  seedStravaAthlete,
  settledEvent,
  stravaEvent,
  stravaEventJob,
  useStravaFake,
} from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV });
const fake = useStravaFake();
const MIN = 60_000;

const app = testApp(env);

const deliver = (event: ReturnType<typeof stravaEvent>) => deliverStravaEvent(app, env.pool.db, event);

const tokenCalls = () => fake.count("POST", /^\/token$/);

async function storedTokens(ownerId: number) {
  const connection = await getConnectionByExternal(env.pool.db, "strava", String(ownerId));
  if (!connection) throw new Error("no connection");
  return { connection, tokens: readTokens(connection, env.config.secrets.tokenEncryptionKey) };
}

describe("a token that expires within ten minutes", () => {
  it("is refreshed once when two jobs race for it, and both use the new token", async () => {
    await seedStravaAthlete(env, { ownerId: 4001, expiresInMs: 5 * MIN });
    fake.activities.set("9001", detailedActivity({ id: 9001, athleteId: 4001 }));
    fake.activities.set("9002", detailedActivity({ id: 9002, athleteId: 4001 }));
    fake.token.delayMs = 300; // the first refresh is still in flight when the second job looks
    const [a, b] = await Promise.all([
      deliver(stravaEvent({ objectId: 9001, ownerId: 4001 })),
      deliver(stravaEvent({ objectId: 9002, ownerId: 4001 })),
    ]);
    runWorkers(env, ["strava"], 2);
    expect((await settledEvent(env, a))?.status).toBe("processed");
    expect((await settledEvent(env, b))?.status).toBe("processed");

    expect(tokenCalls()).toBe(1);
    expect(fake.token.presented).toEqual(["seed-refresh-4001"]);
    const gets = fake.requests.filter((r) => r.path.startsWith("/activities/"));
    expect(gets.map((r) => r.token)).toEqual(["access-1", "access-1"]);
    const { tokens } = await storedTokens(4001);
    expect(tokens).toMatchObject({ accessToken: "access-1", refreshToken: "refresh-1" });
    expect(tokens?.expiresAt.getTime()).toBeGreaterThan(Date.now() + 5 * 3_600_000);
  });

  it("is refreshed once for many concurrent callers of freshAccessToken", async () => {
    await seedStravaAthlete(env, { ownerId: 4002, expiresInMs: 9 * MIN });
    fake.token.delayMs = 100;
    const { connection } = await storedTokens(4002);
    const api = createStravaApi(stravaApiOptions(env.config, { budget: null }));
    const deps = {
      db: env.pool.db,
      tokenKey: env.config.secrets.tokenEncryptionKey,
      now: () => new Date(),
      logger: env.logger,
    };
    const tokens = await Promise.all(
      Array.from({ length: 6 }, () => freshAccessToken(deps, api, connection)),
    );
    expect(new Set(tokens)).toEqual(new Set(["access-1"]));
    expect(tokenCalls()).toBe(1);
  });

  it("is not refreshed while it has more than ten minutes left", async () => {
    await seedStravaAthlete(env, { ownerId: 4003, expiresInMs: 11 * MIN });
    fake.activities.set("9003", detailedActivity({ id: 9003, athleteId: 4003 }));
    runWorkers(env);
    expect(
      (await settledEvent(env, await deliver(stravaEvent({ objectId: 9003, ownerId: 4003 }))))?.status,
    ).toBe("processed");
    expect(tokenCalls()).toBe(0);
    expect(fake.requests.find((r) => r.path === "/activities/9003")?.token).toBe("seed-access-4003");
  });

  it("is refreshed at once when Strava answers 401 to it, and the call is made again", async () => {
    await seedStravaAthlete(env, { ownerId: 4004, expiresInMs: 3 * 3_600_000 });
    fake.activities.set("9004", detailedActivity({ id: 9004, athleteId: 4004 }));
    fake.rejectedTokens.add("seed-access-4004");
    runWorkers(env);
    expect(
      (await settledEvent(env, await deliver(stravaEvent({ objectId: 9004, ownerId: 4004 }))))?.status,
    ).toBe("processed");
    expect(tokenCalls()).toBe(1);
    expect(fake.requests.filter((r) => r.path === "/activities/9004").map((r) => r.token)).toEqual([
      "seed-access-4004",
      "access-1",
    ]);
  });
});

describe("a refused refresh", () => {
  it("marks the connection needs_reauth with a reason and fails the job without retrying", async () => {
    await seedStravaAthlete(env, { ownerId: 4005, expiresInMs: 2 * MIN });
    fake.activities.set("9005", detailedActivity({ id: 9005, athleteId: 4005 }));
    fake.token.refuse = true;
    const qe = queueEvents(env, "strava");
    await qe.waitUntilReady();
    const eventId = await deliver(stravaEvent({ objectId: 9005, ownerId: 4005 }));
    runWorkers(env);
    const job = await stravaEventJob(env, eventId);
    await expect(job.waitUntilFinished(qe, 10_000)).rejects.toThrow(/connect Strava again/);

    const [connection] = await env.pool.db
      .select()
      .from(providerConnections)
      .where(eq(providerConnections.externalAthleteId, "4005"));
    expect(connection?.status).toBe("needs_reauth");
    expect(connection?.statusReason).toMatch(/refused the token refresh \(400\)/);
    expect((await settledEvent(env, eventId))?.status).toBe("failed");
    expect((await env.queues.strava.getJob(stravaEventJobId(env.queues, eventId)))?.attemptsMade).toBe(1);
    expect(fake.count("GET", /^\/activities\/9005$/)).toBe(0);
    expect(tokenCalls()).toBe(1);
    // Logged for the athlete to be told, without the token itself.
    const line = env.logs.find(
      (l) => l.msg === "Strava refused the refresh token; connection needs re-authorization",
    );
    expect(line).toMatchObject({ athleteId: connection?.athleteId });
    expect(JSON.stringify(env.logs)).not.toContain("seed-refresh-4005");
    expect(ReauthorizationNeeded.name).toBe("ReauthorizationNeeded");
  });
});
