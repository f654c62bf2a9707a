import { UnrecoverableError } from "bullmq";
import { and, eq } from "drizzle-orm";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { dayClassifications, plannedRuns } from "../../src/db/schema/index.ts";
import {
  FeedFetchError,
  fetchCalendarFeed,
  type ResolveHost,
} from "../../src/integrations/calendar/fetch-feed.ts";
import { createApp } from "../../src/server/app.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { RUNNING_PLAN_EVERY_MS, runningPlanSchedulerId } from "../../src/workers/athlete-schedules.ts";
import { importRunningPlan } from "../../src/workers/processors/calendar.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { replanCausesOf } from "../support/api-calls.ts";
import { runningPlanIcs, seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
// Monday 7 December 2026, 05:00 in Berlin: the imported week lies ahead.
const now = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => now);
const ctx = jobContext(env);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });

const FEED_URL = "https://plans.example.com/u/7f3a9c/marathon.ics";
// No DNS in tests: plans.example.com resolves to a public address.
const publicResolve: ResolveHost = async () => [{ address: "93.184.215.14", family: 4 }];
const FEED = { resolve: publicResolve };
const feed = { text: runningPlanIcs(), status: 200, fetches: 0 };
const server = setupServer(
  http.get(FEED_URL, () => {
    feed.fetches++;
    if (feed.status !== 200) return new HttpResponse("nope", { status: feed.status });
    return new HttpResponse(feed.text, { headers: { "content-type": "text/calendar; charset=utf-8" } });
  }),
);
server.listen({ onUnhandledRequest: "error" });
afterAll(() => server.close());
beforeEach(() => {
  feed.text = runningPlanIcs();
  feed.status = 200;
});

async function storedRuns(athleteId: number) {
  return env.pool.db
    .select({
      uid: plannedRuns.uid,
      startAt: plannedRuns.startAt,
      durationMin: plannedRuns.durationMin,
      title: plannedRuns.title,
    })
    .from(plannedRuns)
    .where(eq(plannedRuns.athleteId, athleteId))
    .orderBy(plannedRuns.startAt);
}

const replanCauses = replanCausesOf(env.queues);

const athleteWithFeed = () =>
  seedAthlete(env.pool.db, {
    settings: { runningPlanIcsUrl: "webcal://plans.example.com/u/7f3a9c/marathon.ics" },
  });

describe("the running-plan import", () => {
  it("stores the timed and all-day entries of a webcal feed and re-plans", async () => {
    const athlete = await athleteWithFeed();
    const result = await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);
    expect(result).toEqual({ entries: 6, changed: true });

    const runs = await storedRuns(athlete.id);
    expect(runs.map((r) => [r.uid, r.startAt.toISOString(), r.durationMin, r.title])).toEqual([
      ["wk1-mon@plan.example", "2026-12-07T06:00:00.000Z", 45, "Easy run 45 min"],
      ["wk1-tue@plan.example", "2026-12-08T17:00:00.000Z", 70, "6x800m @ 5k pace"],
      ["wk1-wed@plan.example", "2026-12-09T06:00:00.000Z", 30, "Recovery run 30'"],
      ["wk1-thu@plan.example", "2026-12-10T06:00:00.000Z", 50, "Tempo 3x10 min"],
      ["wk1-fri@plan.example", "2026-12-11T06:00:00.000Z", 45, "Rest day"],
      ["wk1-sun@plan.example", "2026-12-13T06:00:00.000Z", 105, "Long run 1:45h"],
    ]);
    expect(await replanCauses(athlete.id)).toEqual([{ type: "running-plan", entries: 6 }]);
  });

  it("a re-import replaces the previous one, and one that finds the same plan re-plans nothing", async () => {
    const athlete = await athleteWithFeed();
    await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);

    // The coach moves Thursday's tempo to Wednesday evening and drops the recovery run.
    feed.text = runningPlanIcs({
      "wk1-wed@plan.example": null,
      "wk1-thu@plan.example": [
        "BEGIN:VEVENT",
        "UID:wk1-thu@plan.example",
        "DTSTAMP:20261206T120000Z",
        "DTSTART;TZID=Europe/Berlin:20261209T183000",
        "DTEND;TZID=Europe/Berlin:20261209T192000",
        "SUMMARY:Tempo 3x10 min",
        "END:VEVENT",
      ].join("\r\n"),
    });
    expect(await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).toEqual({
      entries: 5,
      changed: true,
    });
    const runs = await storedRuns(athlete.id);
    expect(runs.map((r) => r.uid)).not.toContain("wk1-wed@plan.example");
    expect(runs.find((r) => r.uid === "wk1-thu@plan.example")?.startAt.toISOString()).toBe(
      "2026-12-09T17:30:00.000Z",
    );

    expect(await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).toEqual({
      entries: 5,
      changed: false,
    });
    expect(await replanCauses(athlete.id)).toEqual([
      { type: "running-plan", entries: 6 },
      { type: "running-plan", entries: 5 },
    ]);
  });

  it("the re-plan plans around the imported runs instead of the weekly template", async () => {
    const athlete = await athleteWithFeed();
    await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);
    await replanAthlete({ athleteId: athlete.id, cause: { type: "running-plan", entries: 6 } }, deps, ctx);

    const verdicts = await env.pool.db
      .select({ date: dayClassifications.date, kind: dayClassifications.kind })
      .from(dayClassifications)
      .where(eq(dayClassifications.athleteId, athlete.id));
    const kindOn = new Map(verdicts.map((v) => [v.date, v.kind]));
    // The template says Thursday easy and Saturday easy; the imported plan says tempo and (a swim, so) no run.
    expect(kindOn.get("2026-12-10")).toBe("quality");
    expect(kindOn.get("2026-12-12")).toBe("rest");
    expect(kindOn.get("2026-12-11")).toBe("rest");
    expect(kindOn.get("2026-12-08")).toBe("quality");
    // After the imported week the template takes over again (Tuesday intervals).
    expect(kindOn.get("2026-12-15")).toBe("quality");
    expect(kindOn.get("2026-12-17")).toBe("easy");
  });

  it("keeps the previous import when the feed fails; retries a 503, gives up on a 404", async () => {
    const athlete = await athleteWithFeed();
    await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);
    feed.status = 503;
    const transient = importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);
    await expect(transient).rejects.toThrow(/HTTP 503/);
    await expect(transient).rejects.not.toBeInstanceOf(UnrecoverableError);
    feed.status = 404;
    await expect(importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    feed.status = 200;
    feed.text = "<html><body>Please sign in</body></html>";
    await expect(importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).rejects.toBeInstanceOf(
      UnrecoverableError,
    );
    expect(await storedRuns(athlete.id)).toHaveLength(6);
    // The URL may carry the calendar's secret: it is never logged.
    expect(JSON.stringify(env.logs)).not.toContain("7f3a9c");
  });

  it("setting the URL queues an import and a 6-hourly schedule; clearing it removes both and the runs", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const cookie = `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, now.getTime())}`;
    const patch = (body: unknown) =>
      app.request("/api/settings", {
        method: "PATCH",
        headers: { cookie, "content-type": "application/json" },
        body: JSON.stringify(body),
      });

    expect(
      (await patch({ runningPlanIcsUrl: "webcal://plans.example.com/u/7f3a9c/marathon.ics" })).status,
    ).toBe(200);
    const scheduler = await env.queues.calendar.getJobScheduler(runningPlanSchedulerId(athlete.id));
    expect(Number(scheduler?.every)).toBe(RUNNING_PLAN_EVERY_MS);
    expect(scheduler?.template?.data).toEqual({ athleteId: athlete.id });
    const waiting = await env.queues.calendar.getJobs(["waiting", "prioritized"]);
    expect(
      waiting.filter((j) => j.name === "import-running-plan" && j.data.athleteId === athlete.id),
    ).toHaveLength(1);

    await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);
    expect(await storedRuns(athlete.id)).toHaveLength(6);

    expect((await patch({ runningPlanIcsUrl: null })).status).toBe(200);
    expect(await env.queues.calendar.getJobScheduler(runningPlanSchedulerId(athlete.id))).toBeUndefined();
    expect(await storedRuns(athlete.id)).toHaveLength(0);
    const runsLeft = await env.pool.db
      .select()
      .from(plannedRuns)
      .where(and(eq(plannedRuns.athleteId, athlete.id), eq(plannedRuns.source, "ics")));
    expect(runsLeft).toEqual([]);
    // A queued import that runs after the URL was cleared imports nothing.
    expect(await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).toEqual({
      entries: 0,
      changed: false,
    });
  });
});

describe("an import racing a settings change", () => {
  const patchAs = (athleteId: number, body: unknown) =>
    app.request("/api/settings", {
      method: "PATCH",
      headers: {
        cookie: `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}`,
        "content-type": "application/json",
      },
      body: JSON.stringify(body),
    });
  /** The feed answers only after the athlete's settings were changed through the API. */
  const changeSettingsWhileFetching = (athleteId: number, body: unknown) =>
    server.use(
      http.get(
        FEED_URL,
        async () => {
          expect((await patchAs(athleteId, body)).status).toBe(200);
          return new HttpResponse(feed.text, { headers: { "content-type": "text/calendar" } });
        },
        { once: true },
      ),
    );

  it("stores nothing when the URL is cleared while the feed is fetched", async () => {
    const athlete = await athleteWithFeed();
    await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED);
    expect(await storedRuns(athlete.id)).toHaveLength(6);

    changeSettingsWhileFetching(athlete.id, { runningPlanIcsUrl: null });
    expect(await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).toEqual({
      entries: 0,
      changed: false,
      superseded: true,
    });
    expect(await storedRuns(athlete.id)).toEqual([]);
    expect(env.logs.some((l) => /superseded/.test(String(l.msg)) && l.athleteId === athlete.id)).toBe(true);
  });

  it("stores nothing when the URL is replaced by another while the feed is fetched", async () => {
    const athlete = await athleteWithFeed();
    changeSettingsWhileFetching(athlete.id, {
      runningPlanIcsUrl: "https://plans.example.com/u/7f3a9c/half.ics",
    });
    expect(await importRunningPlan({ athleteId: athlete.id }, deps, ctx, FEED)).toMatchObject({
      superseded: true,
    });
    expect(await storedRuns(athlete.id)).toEqual([]);
  });
});

describe("fetching a feed", () => {
  it("follows a redirect, but not to a local address, and stops at the size limit", async () => {
    server.use(
      http.get("https://plans.example.com/moved.ics", () =>
        HttpResponse.redirect("https://plans.example.com/u/7f3a9c/marathon.ics", 301),
      ),
      http.get("https://plans.example.com/sneaky.ics", () =>
        HttpResponse.redirect("http://127.0.0.1:6379/", 302),
      ),
    );
    expect(await fetchCalendarFeed("https://plans.example.com/moved.ics", FEED)).toContain("BEGIN:VCALENDAR");
    await expect(fetchCalendarFeed("https://plans.example.com/sneaky.ics", FEED)).rejects.toMatchObject({
      permanent: true,
      message: expect.stringMatching(/127\.0\.0\.1/),
    });
    const tooBig = fetchCalendarFeed(FEED_URL, { ...FEED, maxBytes: 1_000 });
    await expect(tooBig).rejects.toBeInstanceOf(FeedFetchError);
    await expect(tooBig).rejects.toMatchObject({ permanent: true, message: expect.stringMatching(/limit/) });
  });

  it("gives up on a feed that does not answer in time, for a later retry", async () => {
    server.use(
      http.get("https://plans.example.com/slow.ics", async () => {
        await new Promise((r) => setTimeout(r, 2_000));
        return new HttpResponse("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n");
      }),
    );
    await expect(
      fetchCalendarFeed("https://plans.example.com/slow.ics", { ...FEED, timeoutMs: 200 }),
    ).rejects.toMatchObject({
      permanent: false,
      message: expect.stringMatching(/200 ms/),
    });
  });
});
