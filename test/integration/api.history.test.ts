import { describe, expect, it } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { createApp } from "../../src/server/app.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
let now = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => now);
const ctx = jobContext(env);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });

async function history(athleteId: number | null, query = "") {
  const headers: Record<string, string> = {};
  if (athleteId !== null)
    headers.cookie = `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}`;
  const res = await app.request(`/api/plan/history${query}`, { headers });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers by path
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

describe("GET /api/plan/history", () => {
  it("lists the versions newest first with their cause, in words too, and the change sentences", async () => {
    const athlete = await seedAthlete(env.pool.db);
    now = new Date("2026-12-07T04:00:00Z");
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
    const first = await latestPlan(env.pool.db, athlete.id);
    const target = first?.sessions[0];
    if (!target) throw new Error("no session");
    const day = target.startAt.toISOString().slice(0, 10);

    // A tempo run on a session's morning moves it: version 2, caused by that activity.
    now = new Date(`${day}T09:00:00Z`);
    const run = await seedActivity(env.pool.db, athlete.id, {
      start: `${day}T06:00:00Z`,
      minutes: 50,
      name: "Tempo 3x10 min",
      kind: "quality",
    });
    const cause = {
      type: "activity",
      provider: "strava",
      activityId: run.externalId,
      change: "created",
    } as const;
    await replanAthlete({ athleteId: athlete.id, cause }, deps, ctx);

    const { status, body } = await history(athlete.id);
    expect(status).toBe(200);
    expect(body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const [v2, v1] = body.versions;
    expect(v2).toMatchObject({ cause, because: "a Strava activity was created" });
    expect(Date.parse(v2.createdAt)).toBeGreaterThan(0);
    expect(v2.window).toEqual({ from: expect.any(String), to: expect.any(String) });
    expect(v2.changes).toEqual(
      expect.arrayContaining([
        { type: "moved", sentence: expect.stringMatching(/moved from .*Tempo 3x10 min/) },
      ]),
    );
    expect(v1).toMatchObject({ version: 1, because: "you connected Strava" });
    expect(v1.changes.length).toBeGreaterThan(0);
    expect(v1.changes.every((c: { type: string }) => c.type === "added")).toBe(true);
    now = new Date("2026-12-07T04:00:00Z");
  });

  it("takes ?limit= from 1 to 100 and shows only the athlete's own versions", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const other = await seedAthlete(env.pool.db);
    await replanAthlete({ athleteId: athlete.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
    await replanAthlete({ athleteId: other.id, cause: { type: "connect", provider: "strava" } }, deps, ctx);
    expect((await history(athlete.id, "?limit=1")).body.versions).toHaveLength(1);
    expect((await history(other.id)).body.versions).toHaveLength(1);
    for (const bad of ["0", "101", "abc", "2.5"]) {
      const { status, body } = await history(athlete.id, `?limit=${bad}`);
      expect(status).toBe(400);
      expect(body.error.details.fields[0].field).toBe("limit");
    }
    const fresh = await seedAthlete(env.pool.db);
    expect((await history(fresh.id)).body).toEqual({ versions: [] });
    expect((await history(null)).status).toBe(401);
  });
});
