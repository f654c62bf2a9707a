// Property-based fuzzing of POST /api/sessions/{key}/log against the real app and
// Postgres: mutated, hostile and non-JSON bodies and keys that are not the
// athlete's session. Never a 5xx; a refusal is a 4xx JSON error and stores no log;
// an accepted log is stored with whole reps and finite, non-negative kilograms.
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { strengthLogs } from "../../src/db/schema/index.ts";
import { createApp } from "../../src/server/app.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { sessionCookie } from "../support/api-calls.ts";
import { seedAthlete } from "../support/builders.ts";
import { expectJsonError, jsonValue, mutatedJson } from "../support/fuzz.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
const now = new Date("2026-12-07T19:30:00Z");
const deps = workerDeps(env, () => now);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });

const validLog = fc.record({
  exercises: fc.array(
    fc.record({
      name: fc.constantFrom("Back squat", "Box jump", "Heavy calf raise"),
      sets: fc.array(
        fc.record(
          {
            reps: fc.integer({ min: 1, max: 20 }),
            weightKg: fc.integer({ min: 0, max: 200 }),
            repsInReserve: fc.integer({ min: 0, max: 5 }),
          },
          { requiredKeys: ["reps", "weightKg"] },
        ),
        { minLength: 1, maxLength: 4 },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
});

describe("POST /api/sessions/{key}/log under fuzzed bodies and keys", () => {
  it("answers below 500; a refusal is a JSON error and stores nothing; a stored log is well formed", async () => {
    const athlete = await seedAthlete(env.pool.db, { settings: { units: "kg" } });
    await replanAthlete(
      { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
      workerDeps(env, () => new Date("2026-12-07T04:00:00Z")),
      jobContext(env),
    );
    const plan = await latestPlan(env.pool.db, athlete.id);
    const key = plan?.sessions[0]?.sessionKey ?? "";
    expect(key).not.toBe("");
    const other = await seedAthlete(env.pool.db);
    const cookie = sessionCookie(env.config, athlete.id, now);
    const logsOf = () =>
      env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athlete.id));

    const input = fc.record({
      key: fc.oneof(
        { weight: 6, arbitrary: fc.constant(key) },
        { weight: 1, arbitrary: fc.uuid() },
        { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 40 }).map(encodeURIComponent) },
      ),
      body: fc.oneof(
        { weight: 4, arbitrary: mutatedJson(validLog) },
        { weight: 1, arbitrary: validLog.map((l) => JSON.stringify(l)) },
        { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
        { weight: 1, arbitrary: fc.string({ maxLength: 120 }) },
      ),
    });
    const seen = { accepted: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(input, async ({ key: k, body }) => {
        const before = await logsOf();
        const res = await app.request(`/api/sessions/${k}/log`, {
          method: "POST",
          headers: { "content-type": "application/json", cookie },
          body,
        });
        expect(res.status).toBeLessThan(500);
        const after = await logsOf();
        if (res.status !== 200) {
          seen.refused++;
          await expectJsonError(res);
          expect(after).toEqual(before);
          return;
        }
        seen.accepted++;
        expect(k).toBe(key);
        for (const log of after)
          for (const e of log.exercises)
            for (const s of e.sets) {
              expect(Number.isInteger(s.reps) && s.reps >= 0).toBe(true);
              expect(Number.isFinite(s.weightKg) && s.weightKg >= 0).toBe(true);
            }
      }),
      { numRuns: 200 },
    );
    expect(seen.accepted).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
    // The other athlete got nothing from any of it.
    expect(await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, other.id))).toEqual(
      [],
    );
  });
});
