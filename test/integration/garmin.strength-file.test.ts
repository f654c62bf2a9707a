// A Garmin strength activity's file, end to end: Garmin pings /activity-files, the
// worker downloads the FIT with the athlete's token, its sets become the log of
// that day's session, the session is done, and the next session's load follows.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { wipeGarminUser } from "../../src/db/repos/garmin-data.ts";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { athletes, strengthLogs, webhookEvents } from "../../src/db/schema/index.ts";
import { createApp } from "../../src/server/app.ts";
import { webhookPath } from "../../src/server/webhook-path.ts";
import { FOREIGN_CALLBACK_NOTE, handleGarminEvent } from "../../src/workers/garmin/handle-event.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { createGarminFake, GARMIN_API, GARMIN_TEST_ENV, seedGarminAthlete } from "../support/garmin-fake.ts";
import { pair, strengthFit, times } from "../support/strength-fit.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ ...GARMIN_TEST_ENV, REPLAN_DEBOUNCE_MS: "0" });
const MONDAY = new Date("2026-12-07T04:00:00Z");
let now = MONDAY;
const deps = workerDeps(env, () => now);
const ctx = jobContext(env);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });

// Garmin as the other tests fake it, plus the activity-file download (Activity API 5.2).
const fake = createGarminFake();
const files = new Map<string, Uint8Array>();
const downloads: string[] = [];
const server = setupServer(
  ...fake.handlers,
  http.get(`${GARMIN_API}/wellness-api/rest/activityFile`, ({ request }) => {
    const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    if (!fake.accessTokens.has(token)) return new HttpResponse(null, { status: 401 });
    const id = new URL(request.url).searchParams.get("id") ?? "";
    downloads.push(id);
    const file = files.get(id);
    return file
      ? new HttpResponse(file, { headers: { "content-type": "application/octet-stream" } })
      : new HttpResponse(null, { status: 404 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => fake.reset());
afterAll(() => server.close());

const FILES_URL = `${webhookPath("garmin", GARMIN_TEST_ENV.GARMIN_WEBHOOK_SECRET)}/activity-files`;

/** Garmin's ping for one file; answers the stored inbox row after the worker handled it with the test clock. */
async function deliverFile(userId: string, callbackURL: string) {
  const res = await app.request(FILES_URL, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      activityFiles: [
        {
          userId,
          userAccessToken: "legacy-token-never-stored",
          summaryId: "17650012345",
          fileType: "FIT",
          callbackURL,
          startTimeInSeconds: 1_765_126_800,
          activityId: 17650012345,
          activityName: "Strength",
          manual: false,
        },
      ],
    }),
  });
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ status: "received" });
  const [row] = await env.pool.db
    .select()
    .from(webhookEvents)
    .where(eq(webhookEvents.objectType, "activityFiles"))
    .orderBy(webhookEvents.id)
    .then((rows) => rows.slice(-1));
  if (!row) throw new Error("the ping was not stored");
  expect(JSON.stringify(row.payload)).not.toContain("legacy-token-never-stored");
  return { row, outcome: await handleGarminEvent({ eventId: row.id }, deps, ctx) };
}

describe("a Garmin strength activity's file", () => {
  it("becomes the log of that day's session, which is done, and the next session's load follows", async () => {
    now = MONDAY;
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-lifter" });
    await env.pool.db
      .update(athletes)
      .set({ settings: { lifts: { backSquat: { oneRepMaxKg: 100 } } } })
      .where(eq(athletes.id, athlete.id));
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "garmin" } }, deps, ctx);
    const plan = await latestPlan(env.pool.db, athlete.id);
    const [monday, , nextA] = plan?.sessions ?? [];
    expect(monday?.session).toBe("A");
    expect(nextA?.exercises.find((e) => e.name === "Back squat")?.loadKg).toBe(65);

    now = new Date("2026-12-07T19:30:00Z");
    files.set(
      "17650012345",
      strengthFit(
        new Date("2026-12-07T17:02:00Z"),
        [
          ...times(3, { exercise: pair("Back squat"), reps: 9, weightKg: 65 }),
          ...times(3, { exercise: pair("Heavy calf raise"), reps: 10, weightKg: 40 }),
        ],
        80,
      ),
    );
    const { outcome } = await deliverFile(
      "garmin-lifter",
      `${GARMIN_API}/wellness-api/rest/activityFile?id=17650012345&token=abc`,
    );
    expect(outcome).toMatchObject({ status: "processed", sessionKey: monday?.sessionKey });
    expect(downloads).toEqual(["17650012345"]);

    const marked = await latestPlan(env.pool.db, athlete.id);
    expect(marked?.sessions.find((s) => s.sessionKey === monday?.sessionKey)?.status).toBe("done");
    const [log] = await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athlete.id));
    expect(log?.source).toBe("garmin");
    expect(log?.exercises).toEqual([
      { name: "Back squat", sets: Array(3).fill({ reps: 9, weightKg: 65, repsInReserve: 2 }) },
      { name: "Heavy calf raise", sets: Array(3).fill({ reps: 10, weightKg: 40, repsInReserve: 2 }) },
    ]);

    await replanAthlete(
      { athleteId: athlete.id, cause: { type: "strength-log", source: "garmin" } },
      deps,
      ctx,
    );
    const after = await latestPlan(env.pool.db, athlete.id);
    const next = after?.sessions.find((s) => s.sessionKey === nextA?.sessionKey);
    expect(next?.exercises.find((e) => e.name === "Back squat")?.loadKg).toBe(67.5);
    // A load-only change is a new plan version whose diff tells the athlete.
    expect(after?.version).toBeGreaterThan(marked?.version ?? Number.POSITIVE_INFINITY);
    expect(after?.diff.map((c) => c.sentence).join(" ")).toMatch(/Back squat .*67\.5 kg/);
  });

  it("goes with the rest of the athlete's Garmin data when they disconnect", async () => {
    now = new Date("2026-12-07T19:30:00Z");
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-leaver" });
    await env.pool.db.insert(strengthLogs).values([
      {
        athleteId: athlete.id,
        sessionKey: randomUUID(),
        date: "2026-12-07",
        source: "garmin",
        exercises: [],
      },
      { athleteId: athlete.id, sessionKey: randomUUID(), date: "2026-12-03", source: "api", exercises: [] },
    ]);
    await wipeGarminUser(env.pool.db, "garmin-leaver", { keepAthlete: true });
    const left = await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athlete.id));
    expect(left.map((l) => l.source)).toEqual(["api"]);
  });

  it("never downloads a file whose callbackURL points away from Garmin", async () => {
    now = new Date("2026-12-07T19:30:00Z");
    await seedGarminAthlete(env, fake, { userId: "garmin-foreign-file" });
    downloads.length = 0;
    const { outcome } = await deliverFile("garmin-foreign-file", "https://evil.example/activityFile?id=1");
    expect(outcome).toEqual({ status: "ignored", note: FOREIGN_CALLBACK_NOTE });
    expect(downloads).toEqual([]);
  });
});
