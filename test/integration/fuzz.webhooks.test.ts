// Property-based fuzzing of the Strava and Garmin webhooks against the real app,
// Postgres and Redis: hostile, mutated and oversized bodies. Every request is
// answered below 500; a refusal is a 4xx JSON error; and the inbox holds a row only
// for an accepted event of a connected athlete, holding what the event said.
import { and, eq, sql } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { webhookEvents } from "../../src/db/schema/index.ts";
import { createApp } from "../../src/server/app.ts";
import { expectJsonError, jsonValue, mutatedJson } from "../support/fuzz.ts";
import {
  GARMIN_TEST_ENV,
  garminFixture,
  garminWebhook,
  seedGarminAthlete,
  useGarminFake,
} from "../support/garmin-fake.ts";
import {
  STRAVA_TEST_ENV,
  STRAVA_WEBHOOK,
  SUBSCRIPTION_ID,
  seedStravaAthlete,
  useStravaFake,
} from "../support/strava-fake.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  ...GARMIN_TEST_ENV,
  // The per-address webhook limit would answer most of these 429 (also a 4xx, but it proves less).
  RATE_LIMIT_WEBHOOK_PER_MINUTE: "0",
});
useStravaFake();
const garmin = useGarminFake();
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

const STRAVA_OWNER = 4401;
const GARMIN_USER = "4aacafe82427c251df9c9592d0c06768";

function post(path: string, body: string | ReadableStream<Uint8Array>, headers: Record<string, string> = {}) {
  return app.request(path, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
    ...(typeof body === "string" ? {} : { duplex: "half" }),
  } as RequestInit);
}

async function inboxCount(provider: "strava" | "garmin"): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(webhookEvents)
    .where(eq(webhookEvents.provider, provider));
  return row?.n ?? 0;
}

const nowS = () => Math.floor(Date.now() / 1000);

/** A Strava event that would be stored, for the connected owner or another. */
const stravaEventArb = fc.record({
  object_type: fc.constantFrom("activity", "athlete"),
  object_id: fc.oneof(fc.integer({ min: 1, max: 2 ** 40 }), fc.constant(STRAVA_OWNER)),
  aspect_type: fc.constantFrom("create", "update", "delete"),
  updates: fc.oneof(
    fc.constant({}),
    fc.dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.boolean())),
  ),
  owner_id: fc.constantFrom(STRAVA_OWNER, 999_999_001),
  subscription_id: fc.constant(SUBSCRIPTION_ID),
  event_time: fc.integer({ min: nowS() - 86_400 * 30, max: nowS() }),
});

describe("the Strava webhook under fuzzed bodies", () => {
  it("answers below 500, refuses with a JSON error, and stores only accepted events of the connected athlete", async () => {
    await seedStravaAthlete(env, { ownerId: STRAVA_OWNER });
    const body = fc.oneof(
      { weight: 3, arbitrary: mutatedJson(stravaEventArb) },
      { weight: 1, arbitrary: stravaEventArb.map((e) => JSON.stringify(e)) },
      { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
    );
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await inboxCount("strava");
        const res = await post(STRAVA_WEBHOOK, text);
        expect(res.status).toBeLessThan(500);
        const after = await inboxCount("strava");
        if (res.status !== 200) {
          await expectJsonError(res);
          expect(after).toBe(before);
          return;
        }
        expect(after - before).toBeLessThanOrEqual(1);
        if (after > before) {
          const sent = JSON.parse(text) as { owner_id: number; object_id: number };
          const [row] = await db
            .select()
            .from(webhookEvents)
            .where(eq(webhookEvents.provider, "strava"))
            .orderBy(sql`${webhookEvents.id} desc`)
            .limit(1);
          expect(sent.owner_id).toBe(STRAVA_OWNER);
          expect(row?.externalAthleteId).toBe(String(STRAVA_OWNER));
          expect(row?.objectId).toBe(String(sent.object_id));
        }
      }),
      { numRuns: 250 },
    );
  });
});

const garminBodies = {
  activities: garminFixture<Record<string, unknown>>("activity-api-push-activities.json"),
  deregistrations: garminFixture<Record<string, unknown>>("health-api-deregistrations.json"),
  permissions: garminFixture<Record<string, unknown>>("health-api-user-permissions-change.json"),
} as const;

describe("the Garmin webhooks under fuzzed bodies", () => {
  it("answer below 500, refuse with a JSON error, and store items only of the connected user", async () => {
    await seedGarminAthlete(env, garmin, { userId: GARMIN_USER });
    // Deregistration and permission items are stored as they come; the fixture's user is ours.
    const kind = fc.constantFrom("activities", "deregistrations", "permissions" as const);
    const body = kind.chain((k) =>
      fc.tuple(
        fc.constant(k),
        fc.oneof(
          { weight: 4, arbitrary: mutatedJson(fc.constant(garminBodies[k])) },
          { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
        ),
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async ([k, text]) => {
        const before = await inboxCount("garmin");
        const res = await post(garminWebhook(k), text);
        expect(res.status).toBeLessThan(500);
        const after = await inboxCount("garmin");
        if (res.status !== 200) {
          await expectJsonError(res);
          expect(after).toBe(before);
        }
        const strangers = await db
          .select({ id: webhookEvents.id })
          .from(webhookEvents)
          .where(
            and(
              eq(webhookEvents.provider, "garmin"),
              sql`${webhookEvents.externalAthleteId} is distinct from ${GARMIN_USER}`,
            ),
          );
        expect(strangers).toEqual([]);
      }),
      { numRuns: 200 },
    );
  });
});

/** A body of `bytes` sent as a stream with no Content-Length, as a chunked upload is. */
function chunked(bytes: number): ReadableStream<Uint8Array> {
  const chunk = new Uint8Array(64 * 1024).fill(0x20);
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= bytes) return controller.close();
      const n = Math.min(chunk.length, bytes - sent);
      controller.enqueue(chunk.subarray(0, n));
      sent += n;
    },
  });
}

describe("bodies over the size limit", () => {
  it("a Strava event over 1 MiB is refused 413 with a JSON error, declared or streamed, and not stored", async () => {
    await seedStravaAthlete(env, { ownerId: 4402 });
    const event = {
      object_type: "activity",
      object_id: 77,
      aspect_type: "update",
      updates: { title: "x".repeat(1024 * 1024) },
      owner_id: 4402,
      subscription_id: SUBSCRIPTION_ID,
      event_time: nowS(),
    };
    const before = await inboxCount("strava");
    const text = JSON.stringify(event);
    const declared = await post(STRAVA_WEBHOOK, text, { "content-length": String(Buffer.byteLength(text)) });
    expect(declared.status).toBe(413);
    expect((await expectJsonError(declared)).code).toBe("payload_too_large");
    const streamed = await post(STRAVA_WEBHOOK, chunked(1024 * 1024 + 1));
    expect(streamed.status).toBe(413);
    await expectJsonError(streamed);
    expect(await inboxCount("strava")).toBe(before);
  });

  it("a Garmin notification over 10 MB is refused 413 with a JSON error and nothing is stored", async () => {
    await seedGarminAthlete(env, garmin, { userId: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2" });
    const item = (i: number) => ({
      userId: "b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2",
      summaryId: `big-${i}`,
      pad: "p".repeat(1000),
    });
    const text = JSON.stringify({ deregistrations: Array.from({ length: 10_500 }, (_, i) => item(i)) });
    expect(Buffer.byteLength(text)).toBeGreaterThan(10 * 1024 * 1024);
    const before = await inboxCount("garmin");
    const declared = await post(garminWebhook("deregistrations"), text, {
      "content-length": String(Buffer.byteLength(text)),
    });
    expect(declared.status).toBe(413);
    expect((await expectJsonError(declared)).code).toBe("payload_too_large");
    const streamed = await post(garminWebhook("deregistrations"), chunked(10 * 1024 * 1024 + 1));
    expect(streamed.status).toBe(413);
    await expectJsonError(streamed);
    expect(await inboxCount("garmin")).toBe(before);
  });

  it("a settings PATCH over 1 MiB is refused 413 with a JSON error", async () => {
    const res = await app.request("/api/settings", {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: chunked(1024 * 1024 + 1),
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    expect((await expectJsonError(res)).code).toBe("payload_too_large");
  });
});
