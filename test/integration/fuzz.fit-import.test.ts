// Mutated strength .FIT files through Garmin's activity-file path, end to end on
// real Postgres with msw as Garmin: the ping is stored, the worker downloads the
// file, and a file that cannot be read ends as a failed inbox event with its reason
// (never an error retried as if transient); one that is read stores a well-formed log.
import { eq } from "drizzle-orm";
import fc from "fast-check";
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { strengthLogs, webhookEvents } from "../../src/db/schema/index.ts";
import { createApp } from "../../src/server/app.ts";
import { webhookPath } from "../../src/server/webhook-path.ts";
import { handleGarminEvent } from "../../src/workers/garmin/handle-event.ts";
import { createGarminFake, GARMIN_API, GARMIN_TEST_ENV, seedGarminAthlete } from "../support/garmin-fake.ts";
import { pair, strengthFit, times } from "../support/strength-fit.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv({
  ...GARMIN_TEST_ENV,
  REPLAN_DEBOUNCE_MS: "0",
  RATE_LIMIT_WEBHOOK_PER_MINUTE: "0",
});
const now = new Date("2026-12-07T19:30:00Z");
const deps = workerDeps(env, () => now);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });

const fake = createGarminFake();
let file: Uint8Array = new Uint8Array();
const server = setupServer(
  ...fake.handlers,
  http.get(`${GARMIN_API}/wellness-api/rest/activityFile`, () => new HttpResponse(Buffer.from(file))),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => fake.reset());
afterAll(() => server.close());

const FILES_URL = `${webhookPath("garmin", GARMIN_TEST_ENV.GARMIN_WEBHOOK_SECRET)}/activity-files`;
const GOOD = strengthFit(
  new Date("2026-12-07T17:02:00Z"),
  [...times(3, { exercise: pair("Back squat"), reps: 9, weightKg: 65 })],
  80,
);

const mutated = fc
  .array(
    fc.record({
      at: fc.nat({ max: GOOD.length - 1 }),
      byte: fc.integer({ min: 0, max: 255 }),
      cut: fc.boolean(),
    }),
    {
      minLength: 1,
      maxLength: 3,
    },
  )
  .map((steps) => {
    let bytes = GOOD;
    for (const s of steps)
      bytes = s.cut ? bytes.slice(0, s.at) : Uint8Array.from(bytes, (b, j) => (j === s.at ? s.byte : b));
    return bytes;
  });

describe("mutated strength .FIT files through Garmin's activity-file import", () => {
  it("end as a failed import with its reason, or a well-formed log; never a retried plain error", async () => {
    const { athlete } = await seedGarminAthlete(env, fake, { userId: "garmin-fuzz-lifter" });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(mutated, async (bytes) => {
        file = bytes;
        n++;
        const res = await app.request(FILES_URL, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            activityFiles: [
              {
                userId: "garmin-fuzz-lifter",
                summaryId: `fuzz-${n}`,
                fileType: "FIT",
                callbackURL: `${GARMIN_API}/wellness-api/rest/activityFile?id=${n}`,
                startTimeInSeconds: 1_765_126_800,
                activityId: 1000 + n,
              },
            ],
          }),
        });
        expect(res.status).toBe(200);
        const [row] = await env.pool.db
          .select()
          .from(webhookEvents)
          .where(eq(webhookEvents.objectType, "activityFiles"))
          .orderBy(webhookEvents.id)
          .then((rows) => rows.slice(-1));
        if (!row) throw new Error("the ping was not stored");
        try {
          await handleGarminEvent({ eventId: row.id }, deps, jobContext(env));
        } catch (err) {
          expect((err as Error).name).toBe("UnrecoverableError");
        }
        const [after] = await env.pool.db.select().from(webhookEvents).where(eq(webhookEvents.id, row.id));
        expect(["processed", "failed", "ignored"]).toContain(after?.status);
        if (after?.status === "failed") expect(after.error ?? "").not.toBe("");
        for (const log of await env.pool.db
          .select()
          .from(strengthLogs)
          .where(eq(strengthLogs.athleteId, athlete.id)))
          for (const e of log.exercises)
            for (const s of e.sets) expect(Number.isFinite(s.weightKg) && s.weightKg >= 0).toBe(true);
      }),
      { numRuns: 60 },
    );
  });
});
