// GET /api/plan on real Postgres: 401 JSON without a valid session; with one, the
// `runstrong plan` output shape (contracts/cli.md) for the athlete's next 14 local
// days, planned from that athlete's stored data and nobody else's.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { athletes } from "../../src/db/schema/index.ts";
import { addDays, localDate } from "../../src/domain/time.ts";
import { signToken } from "../../src/security/crypto.ts";
import { SESSION_COOKIE, SESSION_PURPOSE, sessionToken } from "../../src/server/session.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, testApp, useTestEnv, workerDeps } from "../support/test-env.ts";

const env = await useTestEnv();
/** Tuesday 8 December 2026, 13:00 in Berlin: the default template's 07:00 intervals are past. */
const NOW = new Date("2026-12-08T12:00:00Z");
const TODAY = "2026-12-08";

const app = testApp(env, () => NOW);

function getPlan(cookie?: string) {
  return app.request("/api/plan", { headers: cookie ? { cookie: `${SESSION_COOKIE}=${cookie}` } : {} });
}

interface PlanBody {
  version: number | null;
  generatedAt: string;
  days: { date: string; kind: string; reasons: string[] }[];
  sessions: {
    start: string;
    end: string;
    session: string;
    phase: string;
    exercises: { name: string; sets: number; reps: string; load: string }[];
    reasons: string[];
    key?: string;
    status?: string;
    sequence?: number;
  }[];
  unplaced: { week: string; session: string; reason: string }[];
}

describe("GET /api/plan", () => {
  it("answers 401 JSON without a valid session", async () => {
    const gone = await seedAthlete(env.pool.db);
    const goneCookie = sessionToken(gone.id, env.config, NOW.getTime());
    await env.pool.db.delete(athletes).where(eq(athletes.id, gone.id));
    const secret = env.config.secrets.sessionSecret;
    const cookies = [
      undefined,
      "not-a-token",
      signToken(
        { a: 1 },
        SESSION_PURPOSE,
        "another-secret-of-at-least-32-characters",
        NOW.getTime() + 60_000,
      ),
      signToken({ a: 1 }, SESSION_PURPOSE, secret, NOW.getTime() - 1),
      signToken({ a: 1 }, "oauth-state", secret, NOW.getTime() + 60_000),
      // Signed and current, but the athlete was deleted (deauthorized).
      goneCookie,
    ];
    for (const cookie of cookies) {
      const res = await getPlan(cookie);
      expect(res.status, String(cookie)).toBe(401);
      const body = (await res.json()) as { error: { code: string; message: string; requestId: string } };
      expect(body.error).toMatchObject({ code: "unauthorized" });
      expect(body.error.message).toBe("sign in first: connect Strava or Garmin at /");
      expect(body.error.requestId).toBeTruthy();
    }
  });

  it("plans the next 14 local days in the contract's shape, from that athlete's data only", async () => {
    const mine = await seedAthlete(env.pool.db, {
      timezone: "Europe/Berlin",
      settings: { sessionsPerWeek: 2 },
    });
    const theirs = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
    await seedActivity(env.pool.db, mine.id, {
      start: "2026-12-08T06:00:00Z",
      minutes: 40,
      name: "Mine: easy jog",
      kind: "easy",
    });
    await seedActivity(env.pool.db, mine.id, {
      start: "2026-12-06T07:00:00Z",
      minutes: 110,
      name: "Mine: long run",
      kind: "quality",
      subtype: "long",
    });
    await seedActivity(env.pool.db, theirs.id, {
      start: "2026-12-08T06:00:00Z",
      minutes: 50,
      name: "Theirs: 5x1000m",
      kind: "quality",
      subtype: "intervals",
    });

    const res = await getPlan(sessionToken(mine.id, env.config, NOW.getTime()));
    expect(res.status).toBe(200);
    const body = (await res.json()) as PlanBody;
    expect(Object.keys(body).sort()).toEqual(["days", "generatedAt", "sessions", "unplaced", "version"]);
    // Before the first re-plan has stored anything, the plan is made on the fly.
    expect(body.version).toBeNull();

    const dates = Array.from({ length: 14 }, (_, i) => addDays(TODAY, i));
    expect(body.days.map((d) => d.date)).toEqual(dates);
    for (const d of body.days) {
      expect(["easy", "quality", "rest"]).toContain(d.kind);
      expect(d.reasons.every((r) => typeof r === "string")).toBe(true);
    }
    // Today: my easy jog, not their intervals.
    expect(body.days[0]?.kind).toBe("easy");
    expect(JSON.stringify(body)).not.toMatch(/Theirs|5x1000m/);

    expect(body.sessions.length).toBeGreaterThan(0);
    for (const s of body.sessions) {
      expect(s.start).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?[+-]\d{2}:\d{2}$/);
      expect(Date.parse(s.end)).toBeGreaterThan(Date.parse(s.start));
      expect(Date.parse(s.start)).toBeGreaterThan(NOW.getTime());
      const day = localDate(Date.parse(s.start), "Europe/Berlin");
      expect(day >= TODAY && day <= addDays(TODAY, 13)).toBe(true);
      expect(["A", "B"]).toContain(s.session);
      expect(["base", "build", "sharpening", "taper"]).toContain(s.phase);
      expect(s.exercises.length).toBeGreaterThan(0);
      expect(s.exercises[0]).toEqual({
        name: expect.any(String),
        sets: expect.any(Number),
        reps: expect.any(String),
        load: expect.any(String),
      });
      expect(s.reasons.length).toBeGreaterThan(0);
      // R1: never on a quality day.
      expect(body.days.find((d) => d.date === day)?.kind).not.toBe("quality");
    }
    for (const u of body.unplaced) {
      expect(u).toEqual({
        week: expect.stringMatching(/^\d{4}-\d{2}-\d{2}$/),
        session: expect.any(String),
        reason: expect.any(String),
      });
      expect(u.week <= addDays(TODAY, 13)).toBe(true);
    }

    const other = (await (
      await getPlan(sessionToken(theirs.id, env.config, NOW.getTime()))
    ).json()) as PlanBody;
    expect(other.days[0]?.kind).toBe("quality");
    expect(JSON.stringify(other)).not.toMatch(/Mine:/);
  });

  it("answers from the stored plan once the re-plan worker has run, with its version and keys", async () => {
    const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
    await replanAthlete(
      { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
      workerDeps(env, () => NOW),
      jobContext(env, "t"),
    );
    const stored = await latestPlan(env.pool.db, athlete.id);
    const res = await getPlan(sessionToken(athlete.id, env.config, NOW.getTime()));
    expect(res.status).toBe(200);
    const body = (await res.json()) as PlanBody & {
      sessions: { key: string; status: string; sequence: number }[];
    };
    expect(body.version).toBe(1);
    expect(body.generatedAt).toBe(stored?.createdAt.toISOString());
    expect(body.days.map((d) => d.date)).toEqual(Array.from({ length: 14 }, (_, i) => addDays(TODAY, i)));
    const inRange = (stored?.sessions ?? []).filter((s) => {
      const day = localDate(s.startAt.getTime(), "Europe/Berlin");
      return day >= TODAY && day <= addDays(TODAY, 13);
    });
    expect(inRange.length).toBeGreaterThan(0);
    expect(body.sessions.map((s) => s.key)).toEqual(inRange.map((s) => s.sessionKey));
    expect(body.sessions.every((s) => s.status === "planned" && s.sequence === 0)).toBe(true);
    // Offsets are the athlete's own, as in the `runstrong plan` output.
    expect(body.sessions[0]?.start).toMatch(/\+01:00$/);
  });
});
