// The connect backfill on real Postgres and Redis with msw as Strava: it pages
// through the list, fetches details for runs only (other activities are stored
// from the summary), reports {done, total} progress, re-plans once, resumes
// without fetching or storing anything twice, and yields to live webhook jobs.
import { count, eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { setConnectionStatus } from "../../src/db/repos/connections.ts";
import { activities, athletes } from "../../src/db/schema/index.ts";
import type { Activity } from "../../src/domain/activity.ts";
import type { JobContext } from "../../src/workers/context.ts";
import { BACKFILL_PRIORITY } from "../../src/workers/jobs.ts";
import {
  BACKFILL_PAGE_SIZE,
  type BackfillProgress,
  backfillStrava,
  enqueueBackfill,
} from "../../src/workers/strava/backfill.ts";
import { enqueueStravaEvents, stravaEventJobId } from "../../src/workers/strava/event-jobs.ts";
import {
  detailedActivity,
  queueEvents,
  runWorkers,
  STRAVA_TEST_ENV,
  type StravaFake,
  seedStravaAthlete,
  useStravaFake,
} from "../support/strava-fake.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ ...STRAVA_TEST_ENV, REPLAN_DEBOUNCE_MS: "0" });
const fake = useStravaFake();
const DAY_MS = 86_400_000;

type Payload = Record<string, unknown>;

/**
 * The fake lists every activity on every page; Strava pages. These activities
 * answer the list with the page and page size the request asked for (the fake
 * records each request before it reads the map).
 */
function pagedActivities(f: StravaFake): Map<string, Payload> {
  class Paged extends Map<string, Payload> {
    override values(): MapIterator<Payload> {
      const last = f.requests.at(-1);
      const all = super.values();
      if (last?.method !== "GET" || last.path !== "/athlete/activities") return all;
      const q = new URLSearchParams(last.search);
      const page = Number(q.get("page") ?? 1);
      const per = Number(q.get("per_page") ?? 30);
      return [...all].slice((page - 1) * per, page * per).values() as unknown as MapIterator<Payload>;
    }
  }
  return new Paged();
}

function daysAgo(n: number, hourUtc = 6): string {
  const d = new Date(Date.now() - n * DAY_MS);
  d.setUTCHours(hourUtc, 0, 0, 0);
  return d.toISOString().replace(/\.000Z$/, "Z");
}

function run(id: number, owner: number, day: number) {
  return detailedActivity({
    id,
    athleteId: owner,
    name: `Run ${id}`,
    startDate: daysAgo(day),
    workoutType: 0,
  });
}

function other(id: number, owner: number, day: number, sportType: string) {
  const a = detailedActivity({
    id,
    athleteId: owner,
    name: `${sportType} ${id}`,
    sportType,
    startDate: daysAgo(day, 17),
  });
  // A summary carries no laps; neither does what is stored from one.
  const { laps: _laps, splits_metric: _splits, ...summary } = a;
  return summary;
}

async function stored(athleteId: number) {
  return env.pool.db
    .select({
      externalId: activities.externalId,
      sport: activities.sport,
      kind: activities.kind,
      summary: activities.summary,
    })
    .from(activities)
    .where(eq(activities.athleteId, athleteId));
}

function directContext(): JobContext {
  return {
    jobId: "direct",
    attempt: 1,
    logger: env.logger,
    delayUntil: async () => new Error("no delays expected here"),
  };
}

const workerDeps = () => ({
  config: env.config,
  db: env.pool.db,
  queues: env.queues,
  logger: env.logger,
  now: () => new Date(),
});

describe("strava-backfill", () => {
  it("pages through the list, fetches details for runs only, reports progress and re-plans once", async () => {
    const owner = 7001;
    const { athlete } = await seedStravaAthlete(env, { ownerId: owner });
    fake.activities = pagedActivities(fake);
    const runIds = [11, 12, 13, 14, 15];
    for (const [i, id] of runIds.entries()) fake.activities.set(String(id), run(id, owner, 2 + i * 5));
    // Enough other activities to need a second page; two of them strength sessions.
    for (let i = 0; i < BACKFILL_PAGE_SIZE; i++) {
      const id = 1000 + i;
      fake.activities.set(String(id), other(id, owner, 1 + (i % 40), i < 2 ? "WeightTraining" : "Ride"));
    }
    const total = runIds.length + BACKFILL_PAGE_SIZE;

    const qe = queueEvents(env, "strava");
    await qe.waitUntilReady();
    const progress: BackfillProgress[] = [];
    qe.on("progress", ({ data }) => progress.push(data as BackfillProgress));
    const jobId = await enqueueBackfill(env.queues, athlete.id, 6);
    const job = await env.queues.strava.getJob(jobId ?? "");
    expect(job?.opts.priority).toBe(BACKFILL_PRIORITY);
    runWorkers(env, ["strava"], 1);
    const result = await job?.waitUntilFinished(qe, 20_000);

    expect(result).toEqual({
      status: "done",
      listed: total,
      imported: total,
      alreadyStored: 0,
      detailsFetched: runIds.length,
      vanished: 0,
    });
    // Two pages, the zones once, and one detail GET per run: none for the others.
    expect(fake.count("GET", /^\/athlete\/activities$/)).toBe(2);
    const pages = fake.requests
      .filter((r) => r.path === "/athlete/activities")
      .map((r) => new URLSearchParams(r.search));
    expect(pages.map((q) => q.get("page"))).toEqual(["1", "2"]);
    const after = Number(pages[0]?.get("after"));
    expect(Math.abs(after * 1000 - (Date.now() - 42 * DAY_MS))).toBeLessThan(60_000);
    expect(fake.count("GET", /^\/athlete\/zones$/)).toBe(1);
    const detailGets = fake.requests.filter((r) => /^\/activities\/\d+$/.test(r.path)).map((r) => r.path);
    expect(detailGets.sort()).toEqual(runIds.map((id) => `/activities/${id}`).sort());

    const rows = await stored(athlete.id);
    expect(rows).toHaveLength(total);
    const runs = rows.filter((r) => r.sport === "run");
    expect(runs.map((r) => r.externalId).sort()).toEqual(runIds.map(String).sort());
    // Runs were stored from their details (laps), classified like a webhook import.
    for (const r of runs) {
      expect((r.summary as Activity).laps.length).toBeGreaterThan(0);
      expect(["easy", "quality"]).toContain(r.kind);
    }
    expect(rows.filter((r) => r.kind === "strength")).toHaveLength(2);
    const [a] = await env.pool.db.select().from(athletes).where(eq(athletes.id, athlete.id));
    expect(a?.hrZones?.length).toBeGreaterThan(2);

    expect(progress.at(0)).toEqual({ done: 0, total });
    expect(progress.at(-1)).toEqual({ done: total, total });
    for (let i = 1; i < progress.length; i++)
      expect(progress[i]?.done).toBeGreaterThanOrEqual(progress[i - 1]?.done ?? 0);

    const replans = await env.queues.replan.getJobs(["waiting", "delayed", "prioritized"]);
    expect(replans.map((j) => j.data)).toContainEqual({
      athleteId: athlete.id,
      cause: { type: "backfill", provider: "strava", activities: total },
    });
  });

  it("resumes: a second run fetches and stores only what the first did not", async () => {
    const owner = 7002;
    const { athlete } = await seedStravaAthlete(env, { ownerId: owner });
    fake.activities = pagedActivities(fake);
    for (const id of [21, 22, 23]) fake.activities.set(String(id), run(id, owner, id - 19));
    fake.activities.set("2100", other(2100, owner, 3, "Ride"));
    const first = await backfillStrava({ athleteId: athlete.id, weeks: 6 }, workerDeps(), directContext());
    expect(first).toMatchObject({ status: "done", imported: 4, detailsFetched: 3 });

    // As if the first attempt had stopped here: two runs more on Strava since.
    for (const id of [24, 25]) fake.activities.set(String(id), run(id, owner, id - 19));
    fake.requests.length = 0;
    const second = await backfillStrava({ athleteId: athlete.id, weeks: 6 }, workerDeps(), directContext());
    expect(second).toEqual({
      status: "done",
      listed: 6,
      imported: 2,
      alreadyStored: 4,
      detailsFetched: 2,
      vanished: 0,
    });
    expect(
      fake.requests
        .filter((r) => r.path.startsWith("/activities/"))
        .map((r) => r.path)
        .sort(),
    ).toEqual(["/activities/24", "/activities/25"]);
    // Zones were stored by the first run, so the second does not ask again.
    expect(fake.count("GET", /^\/athlete\/zones$/)).toBe(0);
    const [n] = await env.pool.db
      .select({ n: count() })
      .from(activities)
      .where(eq(activities.athleteId, athlete.id));
    expect(n?.n).toBe(6);
  });

  it("a run deleted between the list and its details is skipped, not retried", async () => {
    const owner = 7003;
    const { athlete } = await seedStravaAthlete(env, { ownerId: owner });
    fake.activities = pagedActivities(fake);
    fake.activities.set("31", run(31, owner, 2));
    fake.activities.set("32", run(32, owner, 3));
    fake.notFoundFor.set("32", 99);
    const result = await backfillStrava({ athleteId: athlete.id, weeks: 6 }, workerDeps(), directContext());
    expect(result).toMatchObject({ status: "done", listed: 2, imported: 1, vanished: 1 });
  });

  it("does nothing for a connection that needs re-authorization", async () => {
    const owner = 7004;
    const { athlete, connection } = await seedStravaAthlete(env, { ownerId: owner });
    await setConnectionStatus(env.pool.db, connection.id, "needs_reauth", "refresh refused");
    const result = await backfillStrava({ athleteId: athlete.id, weeks: 6 }, workerDeps(), directContext());
    expect(result).toEqual({ status: "skipped", reason: "the Strava connection is needs_reauth" });
    expect(fake.requests).toHaveLength(0);
  });

  it("runs after live webhook jobs: an event queued later is handled first", async () => {
    const owner = 7005;
    const { athlete } = await seedStravaAthlete(env, { ownerId: owner });
    fake.activities = pagedActivities(fake);
    fake.activities.set("41", run(41, owner, 2));
    const qe = queueEvents(env, "strava");
    await qe.waitUntilReady();
    const order: string[] = [];
    qe.on("active", ({ jobId }) => order.push(jobId));

    const backfillId = await enqueueBackfill(env.queues, athlete.id, 6);
    // No inbox row behind it: the handler finds nothing to do, which is all this test needs.
    await enqueueStravaEvents(env.queues, [987_654]);
    runWorkers(env, ["strava"], 1);
    await (await env.queues.strava.getJob(backfillId ?? ""))?.waitUntilFinished(qe, 20_000);
    expect(order.indexOf(stravaEventJobId(env.queues, 987_654))).toBeGreaterThanOrEqual(0);
    expect(order.indexOf(stravaEventJobId(env.queues, 987_654))).toBeLessThan(
      order.indexOf(backfillId ?? ""),
    );
  });
});
