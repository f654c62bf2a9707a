// The load rules as invariants over random logs, maxes, units, increments, phases
// and gaps: every load is a weight a gym can put on the bar, no load rises after a
// session with missed reps or a set to failure, and the same input always gives
// the same plan. The checks below do not use the planner's own judging code.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { PlanInput, StrengthLogEntry } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";
import { loadableDown } from "../../src/domain/strength/loadable.ts";
import { addDays, isoWithOffset, zonedInstant } from "../../src/domain/time.ts";

const TZ = "Europe/Berlin";
const RUNS = { numRuns: Number(process.env.PLAN_PROPERTY_RUNS ?? 200) };
const TIMEOUT_MS = 120_000;
/** A whole multiple, allowing for the decimal places a multiple of 2.26796 needs. */
const isMultiple = (kg: number, inc: number) => Math.abs(kg / inc - Math.round(kg / inc)) < 1e-6;

const increment = fc.oneof(
  fc.constantFrom(1, 1.25, 2.5, 2.26796, 5),
  fc.double({ min: 0.5, max: 10, noNaN: true, noDefaultInfinity: true }),
);

describe("loadableDown", () => {
  it("lands on a whole multiple of the increment, at most the weight and less than one increment below it", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 500, noNaN: true, noDefaultInfinity: true }),
        increment,
        (kg, inc) => {
          const out = loadableDown(kg, inc);
          expect(isMultiple(out, inc)).toBe(true);
          expect(out).toBeGreaterThanOrEqual(0);
          // A hair above `kg` is allowed only where `kg` is a multiple within the step tolerance (185 lb stored as 83.914 kg).
          expect(out).toBeLessThanOrEqual(kg + inc * 1e-3 + 1e-9);
          expect(kg - out).toBeLessThan(inc + 1e-9);
        },
      ),
      { numRuns: 2000 },
    );
  });
});

const LIFT_NAMES = ["Back squat", "Romanian deadlift"] as const;

const scenario = fc.record({
  weekOffset: fc.integer({ min: 0, max: 20 }),
  raceIn: fc.option(fc.integer({ min: 0, max: 80 }), { nil: undefined }),
  units: fc.constantFrom("kg", "lb", undefined),
  inc: fc.option(increment, { nil: undefined }),
  maxes: fc.record({
    backSquat: fc.option(
      fc.record({ kg: fc.integer({ min: 20, max: 250 }), daysAgo: fc.option(fc.nat(60)) }),
    ),
    romanianDeadlift: fc.option(
      fc.record({ kg: fc.integer({ min: 20, max: 250 }), daysAgo: fc.option(fc.nat(60)) }),
    ),
  }),
  log: fc.array(
    fc.record({
      daysAgo: fc.integer({ min: 1, max: 60 }),
      exercises: fc.array(
        fc.record({
          name: fc.constantFrom(...LIFT_NAMES),
          sets: fc.array(
            fc.record({
              reps: fc.integer({ min: 0, max: 12 }),
              weightKg: fc.integer({ min: 0, max: 400 }).map((x) => x / 2),
              repsInReserve: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined }),
            }),
            { minLength: 1, maxLength: 5 },
          ),
        }),
        { maxLength: 2 },
      ),
    }),
    { maxLength: 12 },
  ),
});
type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function toInput(s: Scenario): PlanInput {
  const monday = addDays("2027-01-04", 7 * s.weekOffset);
  const at = (day: number, minute: number) =>
    isoWithOffset(zonedInstant(addDays(monday, day), minute, TZ), TZ);
  const runs: PlanInput["runs"] = [];
  for (const d of [0, 7]) {
    runs.push(
      { start: at(d, 420), durationMin: 45, kind: "easy", title: "Easy run" },
      { start: at(d + 1, 420), durationMin: 60, kind: "quality", title: "Intervals" },
      { start: at(d + 3, 420), durationMin: 35, kind: "easy", title: "Easy run" },
      { start: at(d + 6, 450), durationMin: 120, kind: "quality", title: "Long run" },
    );
  }
  const lifts: NonNullable<PlanInput["lifts"]> = {};
  for (const key of ["backSquat", "romanianDeadlift"] as const) {
    const m = s.maxes[key];
    if (m)
      lifts[key] = {
        oneRepMaxKg: m.kg,
        ...(m.daysAgo !== null ? { date: addDays(monday, -m.daysAgo) } : {}),
      };
  }
  const strengthLog: StrengthLogEntry[] = s.log.map((e) => ({
    date: addDays(monday, -e.daysAgo),
    exercises: e.exercises.map((x) => ({
      name: x.name,
      sets: x.sets.map((set) => ({
        reps: set.reps,
        weightKg: set.weightKg,
        ...(set.repsInReserve !== undefined ? { repsInReserve: set.repsInReserve } : {}),
      })),
    })),
  }));
  return {
    now: at(0, 300),
    from: monday,
    to: addDays(monday, 13),
    athlete: {
      timezone: TZ,
      ...(s.raceIn !== undefined ? { raceDate: addDays(monday, s.raceIn) } : {}),
      ...(s.units ? { units: s.units } : {}),
      ...(s.inc !== undefined ? { loadIncrementKg: s.inc } : {}),
    },
    runs,
    lifts,
    strengthLog,
  };
}

/**
 * Per lift, the last logged day before `date` (latest date, later entries of a
 * date last): its heaviest weight and whether a set at that weight went to failure
 * or stopped below 3 reps, the fewest any phase prescribes for these lifts.
 */
function lastDay(input: PlanInput, name: string, date: string): { top: number; missed: boolean } | null {
  let best: { date: string; sets: Array<{ reps: number; weightKg: number; repsInReserve?: number }> } | null =
    null;
  for (const e of input.strengthLog ?? []) {
    if (e.date >= date) continue;
    const sets = e.exercises.filter((x) => x.name === name).flatMap((x) => x.sets);
    if (sets.length === 0 || Math.max(...sets.map((x) => x.weightKg)) <= 0) continue;
    if (best === null || e.date >= best.date) best = { date: e.date, sets };
  }
  if (best === null) return null;
  const top = Math.max(...best.sets.map((x) => x.weightKg));
  const atTop = best.sets.filter((x) => x.weightKg === top);
  return { top, missed: atTop.some((x) => x.repsInReserve === 0 || x.reps < 3) };
}

describe("loads over random logs", () => {
  it(
    "are whole multiples of the increment, and never rise after a session with missed reps or a set to failure",
    () => {
      let loaded = 0;
      let afterMiss = 0;
      fc.assert(
        fc.property(scenario, (s) => {
          const input = toInput(s);
          const inc = input.athlete.loadIncrementKg ?? (input.athlete.units === "lb" ? 2.26796 : 2.5);
          for (const session of planStrength(input).sessions) {
            const date = session.start.slice(0, 10);
            for (const e of session.exercises) {
              if (e.loadKg === undefined) continue;
              loaded++;
              expect(isMultiple(e.loadKg, inc)).toBe(true);
              expect(e.loadKg).toBeGreaterThanOrEqual(0);
              const last = lastDay(input, e.name, date);
              if (last?.missed) {
                afterMiss++;
                expect(e.loadKg).toBeLessThanOrEqual(last.top + 1e-9);
              }
            }
          }
        }),
        RUNS,
      );
      // The generator reaches what the property is about.
      expect(loaded).toBeGreaterThan(RUNS.numRuns);
      expect(afterMiss).toBeGreaterThan(RUNS.numRuns / 10);
    },
    TIMEOUT_MS,
  );

  it(
    "give the same plan for the same input",
    () => {
      fc.assert(
        fc.property(scenario, (s) => {
          const input = toInput(s);
          expect(JSON.stringify(planStrength(structuredClone(input)))).toBe(
            JSON.stringify(planStrength(input)),
          );
        }),
        RUNS,
      );
    },
    TIMEOUT_MS,
  );
});
