// GET /api/sessions/{key}.fit: a session of the athlete's current plan as a FIT
// workout file their watch takes; another athlete's session, or no session, is a 404.
import { randomUUID } from "node:crypto";
import { Decoder, Stream } from "@garmin/fitsdk";
import { describe, expect, it } from "vitest";
import { insertPlanVersionOn } from "../../src/db/repos/plans.ts";
import { sessionContent } from "../../src/domain/plan/sessions.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { seedAthlete } from "../support/builders.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv();
const now = new Date("2026-12-07T04:00:00Z");
const app = testApp(env, () => now);
const cookie = (id: number) => `${SESSION_COOKIE}=${sessionToken(id, env.config, now.getTime())}`;

async function athleteWithSession() {
  const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
  const key = randomUUID();
  const startAt = new Date("2026-12-08T17:00:00Z");
  await env.pool.db.transaction((tx) =>
    insertPlanVersionOn(tx, 0, {
      athleteId: athlete.id,
      windowFrom: "2026-12-07",
      windowTo: "2026-12-20",
      cause: { type: "settings" },
      diff: [],
      unplaced: [],
      sessions: [
        {
          sessionKey: key,
          session: "B",
          phase: "build",
          startAt,
          endAt: new Date(startAt.getTime() + 45 * 60_000),
          exercises: sessionContent("B", "build").exercises.map((e, i) =>
            i === 0 ? { ...e, loadKg: 100 } : e,
          ),
          reasons: ["easy day"],
          status: "planned",
          pinned: false,
          sequence: 0,
        },
      ],
    }),
  );
  return { athlete, key };
}

describe("GET /api/sessions/{key}.fit", () => {
  it("answers the session as a FIT workout file", async () => {
    const { athlete, key } = await athleteWithSession();
    const res = await app.request(`/api/sessions/${key}.fit`, { headers: { cookie: cookie(athlete.id) } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("runstrong-2026-12-08-strength-b.fit");
    const decoder = new Decoder(Stream.fromByteArray(Array.from(new Uint8Array(await res.arrayBuffer()))));
    expect(decoder.checkIntegrity()).toBe(true);
    const { messages } = decoder.read();
    expect(messages.workoutMesgs?.[0]).toMatchObject({ sport: "training", subSport: "strengthTraining" });
    const first = messages.workoutStepMesgs?.[0];
    // Romanian deadlift 4x5 at 100 kg (build phase, session B)
    expect(first).toMatchObject({
      exerciseCategory: "deadlift",
      exerciseName: 23,
      durationType: "reps",
      durationValue: 5,
      exerciseWeight: 100,
    });
    expect(messages.workoutStepMesgs?.find((s) => s.durationType === "repeatUntilStepsCmplt")).toMatchObject({
      durationValue: 0,
      targetValue: 4,
    });
  });

  it("is a 404 for another athlete's session and for a key that is no session", async () => {
    const { key } = await athleteWithSession();
    const other = await seedAthlete(env.pool.db);
    const theirs = await app.request(`/api/sessions/${key}.fit`, { headers: { cookie: cookie(other.id) } });
    expect(theirs.status).toBe(404);
    expect(((await theirs.json()) as { error: { code: string } }).error.code).toBe("not_found");
    const bad = await app.request("/api/sessions/not-a-key.fit", { headers: { cookie: cookie(other.id) } });
    expect(bad.status).toBe(404);
    const anonymous = await app.request(`/api/sessions/${key}.fit`);
    expect(anonymous.status).toBe(401);
  });
});
