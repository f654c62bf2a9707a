// The plan's verbs without HTTP: a form handler or a worker calls them with a small
// deps object and gets coded PlanErrors, which the HTTP edge maps to statuses once.
import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import type { PlanDeps } from "../../src/plan/deps.ts";
import { PlanError } from "../../src/plan/errors.ts";
import { markRunKind } from "../../src/plan/mark-run-kind.ts";
import { markSession } from "../../src/plan/mark-session.ts";
import { moveSession } from "../../src/plan/move-session.ts";
import { updateSettings } from "../../src/plan/update-settings.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0" });
const now = new Date("2026-12-07T04:00:00Z");
const deps: PlanDeps = {
  db: env.pool.db,
  queues: env.queues,
  config: env.config,
  now: () => now,
  logger: env.logger,
};

async function athlete() {
  const seeded = await seedAthlete(env.pool.db);
  const row = await getAthlete(env.pool.db, seeded.id);
  if (!row) throw new Error("seeded athlete missing");
  return row;
}

async function refusal(
  promise: Promise<unknown>,
): Promise<{ code: string; message: string; details: unknown }> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(PlanError);
  const { code, message, details } = err as PlanError;
  return { code, message, details };
}

describe("the plan's verbs, called directly", () => {
  it("updateSettings stores a change and names every bad field of a refused one", async () => {
    const a = await athlete();
    const ok = await updateSettings(deps, a.id, { sessionsPerWeek: 3 });
    expect(ok.changed).toEqual(["sessionsPerWeek"]);
    expect(ok.view.sessionsPerWeek).toBe(3);
    const bad = await refusal(updateSettings(deps, a.id, { sessionsPerWeek: 9, bogus: 1 }));
    expect(bad.code).toBe("invalid_input");
    expect(bad.details).toMatchObject({
      fields: expect.arrayContaining([expect.objectContaining({ field: "bogus", message: "unknown field" })]),
    });
    expect((await refusal(updateSettings(deps, 999_999_999, { sessionsPerWeek: 3 }))).code).toBe(
      "unknown_athlete",
    );
  });

  it("markRunKind refuses what is not the athlete's run, and stores a verdict on one", async () => {
    const a = await athlete();
    const run = await seedActivity(env.pool.db, a.id, {
      start: "2026-12-05T08:00:00+01:00",
      minutes: 40,
      name: "Morning run",
      kind: "easy",
    });
    const lift = await seedActivity(env.pool.db, a.id, {
      start: "2026-12-05T18:00:00+01:00",
      minutes: 40,
      name: "Gym",
      kind: "strength",
    });
    expect((await markRunKind(deps, a, run.id, "quality")).kindOverride).toBe("quality");
    expect((await refusal(markRunKind(deps, a, lift.id, "easy"))).code).toBe("conflict");
    const other = await athlete();
    expect((await refusal(markRunKind(deps, other, run.id, "easy"))).code).toBe("not_found");
  });

  it("markSession and moveSession refuse a session that is not in the athlete's plan", async () => {
    const a = await athlete();
    expect((await refusal(markSession(deps, a, "no-such-key", "done"))).code).toBe("not_found");
    const moved = await refusal(moveSession(deps, a, "no-such-key", "2026-12-10T19:00:00+01:00"));
    expect(moved).toMatchObject({
      code: "not_found",
      message: "no session no-such-key in your current plan",
    });
  });
});
