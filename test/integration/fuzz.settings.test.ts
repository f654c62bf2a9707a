// Property-based fuzzing of PATCH /api/settings against the real app and Postgres:
// mutated, hostile and non-JSON bodies. Never a 5xx; a refusal is a 4xx JSON error
// and leaves the athlete's row exactly as it was; an accepted change is stored as a
// settings object that still reads, and reads back as what the PATCH answered.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { storedSettingsSchema } from "../../src/domain/settings.ts";
import { apiCaller, sessionCookie } from "../support/api-calls.ts";
import { seedAthlete } from "../support/builders.ts";
import { expectJsonError, jsonValue, mutatedJson } from "../support/fuzz.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0", PUBLIC_URL: "https://runstrong.example" });
const now = new Date("2026-12-07T04:00:00Z");
const app = testApp(env, () => now);
const call = apiCaller(app, env.config, () => now);

/** A change the API takes (no feed URLs: setting one fetches it). */
const validPatch = fc.record(
  {
    sessionsPerWeek: fc.integer({ min: 1, max: 4 }),
    raceDate: fc.constantFrom("2027-04-18", null),
    timezone: fc.constantFrom("UTC", "Europe/Berlin", "America/New_York", "Asia/Kolkata"),
    availability: fc.constant([{ weekday: 2, from: "06:00", to: "20:00" }]),
    preferredWeekdays: fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { maxLength: 3 }),
    strengthTiming: fc.constantFrom("after-run", "before-run"),
    notifications: fc.record(
      { email: fc.boolean(), push: fc.boolean(), quietHours: fc.constant({ from: "22:00", to: "06:30" }) },
      { requiredKeys: [] },
    ),
    qualityBufferHours: fc.integer({ min: 0, max: 48 }),
    runTemplate: fc.constant([
      { weekday: 2, time: "07:00", durationMin: 60, kind: "quality", title: "Intervals" },
      { weekday: 5, time: "18:30", durationMin: 45, kind: "easy", title: "Easy" },
    ]),
  },
  { requiredKeys: [] },
);

const rowOf = async (id: number) => {
  const a = await getAthlete(env.pool.db, id);
  return (
    a && { timezone: a.timezone, timezoneChosen: a.timezoneChosen, settings: a.settings, email: a.email }
  );
};

describe("PATCH /api/settings under fuzzed bodies", () => {
  it("answers below 500; a refusal is a JSON error and changes nothing; what is stored reads back", async () => {
    const athlete = await seedAthlete(env.pool.db, { settings: { raceDate: "2027-05-01" } });
    const body = fc.oneof(
      { weight: 4, arbitrary: mutatedJson(validPatch) },
      { weight: 1, arbitrary: validPatch.map((p) => JSON.stringify(p)) },
      { weight: 1, arbitrary: jsonValue.map((v) => JSON.stringify(v)) },
      { weight: 1, arbitrary: fc.string({ maxLength: 120 }) },
    );
    let accepted = 0;
    let refused = 0;
    await fc.assert(
      fc.asyncProperty(body, async (text) => {
        const before = await rowOf(athlete.id);
        const res = await app.request("/api/settings", {
          method: "PATCH",
          headers: {
            "content-type": "application/json",
            cookie: sessionCookie(env.config, athlete.id, now),
          },
          body: text,
        });
        expect(res.status).toBeLessThan(500);
        const after = await rowOf(athlete.id);
        if (res.status !== 200) {
          refused++;
          await expectJsonError(res);
          expect(after).toEqual(before);
          return;
        }
        accepted++;
        const answered = await res.json();
        expect(storedSettingsSchema.safeParse(after?.settings).success).toBe(true);
        expect((await call(athlete.id, "GET", "/api/settings")).body).toEqual(answered);
      }),
      {
        numRuns: 250,
        // Found by this property: each once answered 500 (a refinement parsed a time its regex had refused).
        examples: [
          [JSON.stringify({ availability: [{ weekday: 2, from: "", to: "20:00" }] })],
          [
            JSON.stringify({
              runTemplate: [
                { weekday: 2, time: "7am", durationMin: 60, kind: "easy", title: "a" },
                { weekday: 2, time: "08:00", durationMin: 60, kind: "easy", title: "b" },
              ],
            }),
          ],
          [JSON.stringify({ runTemplate: [1, 2] })],
        ],
      },
    );
    // The property saw both sides.
    expect(accepted).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });
});
