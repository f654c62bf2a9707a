// Workouts out: the plan reaches Garmin (Training API V2) and intervals.icu, both
// played by msw with the reference's request shapes (test/support/destination-fakes.ts).
// Proves: linking pushes every future session at once; a moved session is updated
// in place at both (one entry per session, none left behind) and a dropped one
// deleted at both; a destination answering 500 then 200 ends with the session
// there once; a revoked destination does not stop the other, and shows as revoked.
import { randomUUID } from "node:crypto";
import { QueueEvents } from "bullmq";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { connectAthlete } from "../../src/db/repos/connections.ts";
import { insertPlanVersionOn, latestPlan, type StoredSession } from "../../src/db/repos/plans.ts";
import { activePushes } from "../../src/db/repos/workout-pushes.ts";
import { sessionContent } from "../../src/domain/plan/sessions.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import type { WorkerDeps } from "../../src/workers/context.ts";
import { workoutDestinationsConsumer } from "../../src/workers/destinations/consumer.ts";
import { pushJobId, queueLinkPush } from "../../src/workers/destinations/registry.ts";
import { startWorkers } from "../../src/workers/run-workers.ts";
import { seedAthlete } from "../support/builders.ts";
import { FakeGarminTraining, FakeIntervals } from "../support/destination-fakes.ts";
import { GARMIN_TEST_ENV, GARMIN_TOKEN_URL, garminFixture } from "../support/garmin-fake.ts";
import { separateRedis, testApp, useTestEnv } from "../support/test-env.ts";

const GARMIN = "https://garmin.test";
const INTERVALS = "https://intervals.test";
const env = await useTestEnv({
  // Garmin configured, so the push refreshes tokens through Garmin-in's refresh.
  ...GARMIN_TEST_ENV,
  GARMIN_API_BASE_URL: GARMIN,
  INTERVALS_API_BASE_URL: INTERVALS,
  PUBLIC_URL: "https://runstrong.example",
});
// Monday 7 December 2026, 05:00 in Berlin: the week lies ahead.
const now = new Date("2026-12-07T04:00:00Z");
const deps: WorkerDeps = {
  config: env.config,
  db: env.pool.db,
  queues: env.queues,
  logger: env.logger,
  now: () => now,
};
const app = testApp(env, () => now);

const garmin = new FakeGarminTraining();
const intervals = new FakeIntervals();
/** refresh tokens Garmin refuses (the athlete withdrew runstrong) */
const refusedRefresh = new Set<string>();
const server = setupServer(
  // Garmin's token endpoint, refresh grant only: the recorded answer with new tokens.
  http.post(GARMIN_TOKEN_URL, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    const refresh = form.get("refresh_token") ?? "";
    if (form.get("grant_type") !== "refresh_token" || refusedRefresh.has(refresh))
      return HttpResponse.json({ error: "invalid_grant" }, { status: 400 });
    return HttpResponse.json({
      ...garminFixture<Record<string, unknown>>("oauth2-token.json"),
      access_token: `fresh-${refresh}`,
      refresh_token: `next-${refresh}`,
    });
  }),
  http.all(`${GARMIN}/*`, ({ request }) => garmin.handle(request)),
  http.all(`${INTERVALS}/*`, ({ request }) => intervals.handle(request)),
  http.all("*", ({ request }) => HttpResponse.json({ unexpected: request.url }, { status: 599 })),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterAll(() => server.close());

const connection = separateRedis();
const workers = startWorkers(deps, {
  connection,
  prefix: env.prefix,
  concurrency: 2,
  metrics: env.metrics,
  queues: ["destinations"],
});
const events = new QueueEvents("destinations", { connection: separateRedis(), prefix: env.prefix });
await events.waitUntilReady();
afterAll(async () => {
  await workers.close(5_000);
  connection.disconnect();
  await events.close();
});

let athleteSeq = 0;

/** An athlete in Berlin with Garmin (WORKOUT_IMPORT granted unless told) and intervals.icu linked. */
async function linkedAthlete(o: { permissions?: string[]; expiresAt?: Date } = {}) {
  const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
  athleteSeq++;
  const garminToken = `garmin-access-${athleteSeq}`;
  const garminRefresh = `garmin-refresh-${athleteSeq}`;
  await connectAthlete(env.pool.db, env.config.secrets.tokenEncryptionKey, {
    provider: "garmin",
    externalAthleteId: `garmin-user-${athlete.id}`,
    displayName: null,
    tokens: {
      accessToken: garminToken,
      refreshToken: garminRefresh,
      expiresAt: o.expiresAt ?? new Date("2027-01-01T00:00:00Z"),
    },
    scopes: o.permissions ?? ["ACTIVITY_EXPORT", "WORKOUT_IMPORT"],
    signedInAthleteId: athlete.id,
  });
  const intervalsId = `i${70_000 + athlete.id}`;
  const apiKey = `key-${randomUUID()}`;
  intervals.keys.set(intervalsId, apiKey);
  const res = await app.request("/api/settings", {
    method: "PATCH",
    headers: {
      "content-type": "application/json",
      cookie: `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, now.getTime())}`,
    },
    body: JSON.stringify({ intervalsIcu: { athleteId: intervalsId, apiKey } }),
  });
  expect(res.status).toBe(200);
  const view = (await res.json()) as { intervalsIcu: unknown };
  // write-only: the key never comes back
  expect(view.intervalsIcu).toEqual({ athleteId: intervalsId, connected: true });
  return { athlete, intervalsId, garminToken, garminRefresh };
}

function session(key: string, start: string, letter: "A" | "B", sequence = 0): StoredSession {
  const startAt = new Date(start);
  return {
    sessionKey: key,
    session: letter,
    phase: "base",
    startAt,
    endAt: new Date(startAt.getTime() + 45 * 60_000),
    exercises: sessionContent(letter, "base").exercises.map((e, i) => (i === 0 ? { ...e, loadKg: 60 } : e)),
    reasons: ["easy day, 6 h after the run"],
    status: "planned",
    pinned: false,
    sequence,
  };
}

async function storePlan(athleteId: number, sessions: StoredSession[]) {
  const current = await latestPlan(env.pool.db, athleteId);
  return env.pool.db.transaction((tx) =>
    insertPlanVersionOn(tx, current?.version ?? 0, {
      athleteId,
      windowFrom: "2026-12-07",
      windowTo: "2026-12-20",
      cause: { type: "settings", fields: ["availability"] } as { type: string },
      diff: [],
      unplaced: [],
      sessions,
    }),
  );
}

async function finished(jobId: string | undefined) {
  const job = jobId ? await env.queues.destinations.getJob(jobId) : undefined;
  if (!job) throw new Error(`no job ${jobId}`);
  return job.waitUntilFinished(events, 20_000);
}

/** Hands a stored version to the destinations consumer and waits for each push it queued. */
async function planChanged(athleteId: number, version: { id: number; version: number }) {
  await workoutDestinationsConsumer.consume(
    { athleteId, planVersionId: version.id, version: version.version, changes: [] },
    deps,
  );
  return Promise.allSettled(
    (["garmin", "intervals_icu"] as const).map((d) =>
      finished(pushJobId(env.queues, d, athleteId, version.id)),
    ),
  );
}

async function destinationsOf(athleteId: number) {
  const res = await app.request("/api/destinations", {
    headers: { cookie: `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}` },
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { destinations: { name: string }[] };
  return Object.fromEntries(body.destinations.map((d) => [d.name, d]));
}

describe("linking a destination", () => {
  it("pushes every future session of the current plan at once, dated in the athlete's zone", async () => {
    const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
    const [past, tue, thu, sat] = [randomUUID(), randomUUID(), randomUUID(), randomUUID()];
    await storePlan(athlete.id, [
      session(past, "2026-12-05T16:00:00Z", "A"),
      session(tue, "2026-12-08T17:00:00Z", "A"),
      session(thu, "2026-12-10T17:00:00Z", "B"),
      // 00:30 on Sunday in Berlin, still Saturday in UTC: Garmin must get Sunday.
      session(sat, "2026-12-12T23:30:00Z", "A"),
    ]);
    const workoutsBefore = garmin.workouts.size;
    const intervalsId = `i${90_000 + athlete.id}`;
    intervals.keys.set(intervalsId, "first-key-123");
    await connectAthlete(env.pool.db, env.config.secrets.tokenEncryptionKey, {
      provider: "garmin",
      externalAthleteId: `garmin-user-${athlete.id}`,
      displayName: null,
      tokens: { accessToken: "link-token", refreshToken: "r", expiresAt: new Date("2027-01-01T00:00:00Z") },
      scopes: ["WORKOUT_IMPORT"],
      signedInAthleteId: athlete.id,
    });
    const garminJob = await queueLinkPush(env.queues, athlete.id, "garmin", now);
    const res = await app.request("/api/settings", {
      method: "PATCH",
      headers: {
        "content-type": "application/json",
        cookie: `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, now.getTime())}`,
      },
      body: JSON.stringify({ intervalsIcu: { athleteId: intervalsId, apiKey: "first-key-123" } }),
    });
    expect(res.status).toBe(200);
    const linkJobs = (
      await env.queues.destinations.getJobs(["waiting", "active", "completed", "delayed"])
    ).filter((j) => j.data.athleteId === athlete.id && j.data.destination === "intervals_icu");
    expect(linkJobs).toHaveLength(1);
    await Promise.all([finished(garminJob), finished(linkJobs[0]?.id)]);

    const ours = [...garmin.schedules.values()];
    const pushed = await activePushes(env.pool.db, athlete.id, "garmin");
    expect(pushed.map((p) => p.sessionKey).sort()).toEqual([tue, thu, sat].sort());
    const dates = pushed.map((p) => ours.find((s) => String(s.scheduleId) === p.scheduleId)?.date).sort();
    expect(dates).toEqual(["2026-12-08", "2026-12-10", "2026-12-13"]);
    expect(garmin.workouts.size - workoutsBefore).toBe(3);
    const w = garmin.workouts.get(Number(pushed.find((p) => p.sessionKey === tue)?.externalId));
    expect(w?.body).toMatchObject({ sport: "STRENGTH_TRAINING", workoutName: "Strength A" });
    const firstRepeat = (w?.body.segments as { steps: Record<string, unknown>[] }[] | undefined)?.[0]
      ?.steps[0];
    expect(firstRepeat).toMatchObject({
      type: "WorkoutRepeatStep",
      repeatType: "REPEAT_UNTIL_STEPS_CMPLT",
      repeatValue: 3,
      steps: [
        {
          type: "WorkoutStep",
          intensity: "ACTIVE",
          durationType: "REPS",
          durationValue: 8,
          exerciseCategory: "SQUAT",
          exerciseName: "BARBELL_BACK_SQUAT",
          weightValue: 60,
          weightDisplayUnit: "KILOGRAM",
        },
        { type: "WorkoutStep", intensity: "REST", durationType: "FIXED_REST", durationValue: 120 },
      ],
    });

    const evs = intervals.of(intervalsId);
    expect(evs.map((e) => [e.external_id, e.start_date_local]).sort()).toEqual(
      [
        [tue, "2026-12-08T18:00:00"],
        [thu, "2026-12-10T18:00:00"],
        [sat, "2026-12-13T00:30:00"],
      ].sort(),
    );
    expect(evs[0]).toMatchObject({ category: "WORKOUT", type: "WeightTraining" });
    expect(String(evs.find((e) => e.external_id === tue)?.description)).toContain(
      "Back squat 3×8-10 @ 60 kg",
    );
    const bulk = intervals.calls.find((c) => c.path.startsWith(`/api/v1/athlete/${intervalsId}/events/bulk`));
    expect(bulk?.path).toBe(`/api/v1/athlete/${intervalsId}/events/bulk?upsert=true`);

    const shown = await destinationsOf(athlete.id);
    expect(shown.garmin).toMatchObject({
      connected: true,
      state: "ok",
      lastPushAt: now.toISOString(),
      lastError: null,
    });
    expect(shown.intervals_icu).toMatchObject({
      connected: true,
      state: "ok",
      lastPushAt: now.toISOString(),
    });
    expect(shown.calendar).toMatchObject({ connected: true, state: "ok" });
  });
});

describe("a plan change", () => {
  it("moves a session in place at Garmin and intervals.icu and deletes a dropped one at both", async () => {
    const { athlete, intervalsId } = await linkedAthlete();
    const [tue, thu, sat] = [randomUUID(), randomUUID(), randomUUID()];
    const v1 = await storePlan(athlete.id, [
      session(tue, "2026-12-08T17:00:00Z", "A"),
      session(thu, "2026-12-10T17:00:00Z", "B"),
      session(sat, "2026-12-12T10:00:00Z", "A"),
    ]);
    const first = await planChanged(athlete.id, v1);
    expect(first.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    const before = new Map(
      (await activePushes(env.pool.db, athlete.id, "garmin")).map((p) => [p.sessionKey, p]),
    );
    const thuBefore = before.get(thu);
    const eventIdBefore = [...intervals.events.values()].find((e) => e.body.external_id === thu)?.id;

    // Thursday's session moves to Friday; Saturday's is dropped.
    const v2 = await storePlan(athlete.id, [
      session(tue, "2026-12-08T17:00:00Z", "A"),
      session(thu, "2026-12-11T16:00:00Z", "B", 1),
    ]);
    const second = await planChanged(athlete.id, v2);
    expect(second.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);

    const after = await activePushes(env.pool.db, athlete.id, "garmin");
    expect(after.map((p) => p.sessionKey).sort()).toEqual([tue, thu].sort());
    const thuAfter = after.find((p) => p.sessionKey === thu);
    // in place: the same workout and the same schedule entry, on the new date
    expect(thuAfter?.externalId).toBe(thuBefore?.externalId);
    expect(thuAfter?.scheduleId).toBe(thuBefore?.scheduleId);
    expect(garmin.schedules.get(Number(thuAfter?.scheduleId))?.date).toBe("2026-12-11");
    // the dropped session: its schedule and its workout are gone
    const satBefore = before.get(sat);
    expect(garmin.schedules.has(Number(satBefore?.scheduleId))).toBe(false);
    expect(garmin.workouts.has(Number(satBefore?.externalId))).toBe(false);
    // one entry per session on the watch's calendar, none left behind
    const mine = new Set(after.map((p) => Number(p.scheduleId)));
    const ownedWorkouts = new Set([...before.values()].map((p) => Number(p.externalId)));
    const left = [...garmin.schedules.values()].filter((s) => ownedWorkouts.has(s.workoutId));
    expect(left.map((s) => s.scheduleId).sort()).toEqual([...mine].sort());
    expect(left.map((s) => s.date).sort()).toEqual(["2026-12-08", "2026-12-11"]);

    const evs = intervals.of(intervalsId);
    expect(evs.map((e) => [e.external_id, e.start_date_local]).sort()).toEqual(
      [
        [tue, "2026-12-08T18:00:00"],
        [thu, "2026-12-11T17:00:00"],
      ].sort(),
    );
    expect([...intervals.events.values()].find((e) => e.body.external_id === thu)?.id).toBe(eventIdBefore);
    expect(intervals.calls.some((c) => c.method === "PUT" && c.path.endsWith("/events/bulk-delete"))).toBe(
      true,
    );

    // Handing the same version over again changes nothing anywhere.
    const callsBefore = garmin.calls.length;
    const v3 = await storePlan(athlete.id, (await latestPlan(env.pool.db, athlete.id))?.sessions ?? []);
    await planChanged(athlete.id, v3);
    expect(garmin.calls.length).toBe(callsBefore);
  });
});

describe("a failing destination", () => {
  it("answering 500 then 200 ends with the session pushed once", async () => {
    const { athlete, intervalsId } = await linkedAthlete();
    const key = randomUUID();
    const version = await storePlan(athlete.id, [session(key, "2026-12-09T17:00:00Z", "B")]);
    // The workout is made, then scheduling it fails once; intervals.icu fails its first call.
    garmin.failNext = { status: 500, times: 1, match: "POST /training-api/schedule/" };
    intervals.failNext = { status: 502, times: 1 };
    await workoutDestinationsConsumer.consume(
      { athleteId: athlete.id, planVersionId: version.id, version: version.version, changes: [] },
      deps,
    );
    const ids = (["garmin", "intervals_icu"] as const).map((d) =>
      pushJobId(env.queues, d, athlete.id, version.id),
    );
    // Each retries on its own with backoff: wait for the retry to be scheduled, then run it now.
    for (const id of ids) {
      await vi.waitFor(async () => expect(await env.queues.destinations.getJobState(id)).toBe("delayed"), {
        timeout: 10_000,
        interval: 25,
      });
    }
    const failing = await destinationsOf(athlete.id);
    expect(failing.garmin).toMatchObject({ state: "failing" });
    expect(String((failing.garmin as unknown as { lastError: string }).lastError)).toContain("500");
    for (const id of ids) await (await env.queues.destinations.getJob(id))?.promote();
    await Promise.all(ids.map((id) => finished(id)));

    const pushes = await activePushes(env.pool.db, athlete.id, "garmin");
    expect(pushes).toHaveLength(1);
    // One workout made (the retry updated it rather than making a second) and one schedule entry.
    const workoutId = Number(pushes[0]?.externalId);
    const token = `garmin-access-${athleteSeq}`;
    expect(garmin.created.filter((c) => c.token === token).map((c) => c.workoutId)).toEqual([workoutId]);
    expect([...garmin.schedules.values()].filter((s) => s.workoutId === workoutId)).toHaveLength(1);
    expect(intervals.of(intervalsId).map((e) => e.external_id)).toEqual([key]);
    const shown = await destinationsOf(athlete.id);
    expect(shown.garmin).toMatchObject({ state: "ok", lastError: null });
    expect(shown.intervals_icu).toMatchObject({ state: "ok", lastError: null });
  });

  it("revoked at Garmin does not stop intervals.icu, and shows as revoked", async () => {
    const { athlete, intervalsId, garminToken, garminRefresh } = await linkedAthlete();
    // Withdrawn on Garmin Connect: the token is refused, and so is its refresh.
    garmin.revokedTokens.add(garminToken);
    refusedRefresh.add(garminRefresh);
    const key = randomUUID();
    const version = await storePlan(athlete.id, [session(key, "2026-12-09T17:00:00Z", "A")]);
    const [g, i] = await planChanged(athlete.id, version);
    expect(g?.status).toBe("rejected");
    expect(i?.status).toBe("fulfilled");
    expect(
      await env.queues.destinations.getJobState(pushJobId(env.queues, "garmin", athlete.id, version.id)),
    ).toBe("failed");
    expect(intervals.of(intervalsId).map((e) => e.external_id)).toEqual([key]);
    const shown = await destinationsOf(athlete.id);
    expect(shown.garmin).toMatchObject({ connected: true, state: "revoked" });
    expect(String((shown.garmin as unknown as { lastError: string }).lastError)).toContain("401");
    expect(shown.intervals_icu).toMatchObject({ state: "ok" });
  });

  it("refreshes an expiring Garmin token before pushing, and a refused one once", async () => {
    // expires within Garmin's 10 minutes: refreshed before the first call
    const soon = await linkedAthlete({ expiresAt: new Date(now.getTime() + 5 * 60_000) });
    // good for weeks, yet Garmin answers 401: refreshed once and the call made again
    const refused = await linkedAthlete();
    garmin.revokedTokens.add(refused.garminToken);
    for (const a of [soon, refused]) {
      const key = randomUUID();
      const version = await storePlan(a.athlete.id, [session(key, "2026-12-09T17:00:00Z", "A")]);
      const settled = await planChanged(a.athlete.id, version);
      expect(settled.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
      const [push] = await activePushes(env.pool.db, a.athlete.id, "garmin");
      expect(garmin.created.find((c) => c.workoutId === Number(push?.externalId))?.token).toBe(
        `fresh-${a.garminRefresh}`,
      );
      expect((await destinationsOf(a.athlete.id)).garmin).toMatchObject({ state: "ok" });
    }
  });

  it("skips Garmin without WORKOUT_IMPORT and says so", async () => {
    const { athlete, intervalsId } = await linkedAthlete({ permissions: ["ACTIVITY_EXPORT"] });
    const callsBefore = garmin.calls.length;
    const version = await storePlan(athlete.id, [session(randomUUID(), "2026-12-09T17:00:00Z", "A")]);
    const settled = await planChanged(athlete.id, version);
    expect(settled.map((r) => r.status)).toEqual(["fulfilled", "fulfilled"]);
    expect(garmin.calls.length).toBe(callsBefore);
    expect(intervals.of(intervalsId)).toHaveLength(1);
    const shown = await destinationsOf(athlete.id);
    expect(shown.garmin).toMatchObject({ state: "revoked" });
    expect(String((shown.garmin as unknown as { lastError: string }).lastError)).toContain("WORKOUT_IMPORT");
  });
});

describe("settings", () => {
  it("refuses a bad intervals.icu link by name and keeps the key write-only", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const cookie = `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, now.getTime())}`;
    const bad = await app.request("/api/settings", {
      method: "PATCH",
      headers: { "content-type": "application/json", cookie },
      body: JSON.stringify({ intervalsIcu: { athleteId: "bob", apiKey: "x" }, sessionsPerWeek: 9 }),
    });
    expect(bad.status).toBe(400);
    const body = (await bad.json()) as { error: { code: string; details?: { fields: { field: string }[] } } };
    expect(body.error.code).toBe("validation_failed");
    const got = await app.request("/api/settings", { headers: { cookie } });
    const view = (await got.json()) as Record<string, unknown>;
    expect(view.intervalsIcu).toEqual({ athleteId: null, connected: false });
  });
});
