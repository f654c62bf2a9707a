// The athlete's busy times are a hard rule beside R5 availability: no session may
// overlap one (touching is fine). The planner moves a session out of one, the API's
// check refuses a manual move into one, the diff and an unplaced week name it, and
// over random weeks and busy times no placed session overlaps any.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { planContextOf } from "../../src/domain/plan/context.ts";
import { diffPlans } from "../../src/domain/plan/diff.ts";
import type { PlanInput } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";
import { checkSession } from "../../src/domain/plan/rules.ts";
import { addDays, isoWithOffset, zonedInstant } from "../../src/domain/time.ts";

const run = (date: string, time: string, durationMin: number, title: string) => ({
  start: `${date}T${time}:00+01:00`,
  durationMin,
  title,
});
/** The evidence's sample week: A Monday 18:00, B Thursday 18:00 without busy times. */
const sampleWeek: PlanInput = {
  from: "2026-12-07",
  to: "2026-12-13",
  athlete: { timezone: "Europe/Berlin" },
  runs: [
    run("2026-12-07", "07:00", 45, "Easy run"),
    run("2026-12-08", "07:00", 60, "Intervals 6x800m"),
    run("2026-12-09", "07:00", 45, "Easy run"),
    run("2026-12-10", "07:00", 35, "Easy run"),
    run("2026-12-12", "07:00", 35, "Easy run"),
    run("2026-12-13", "07:30", 120, "Long run"),
  ],
};
const mondayEvening = { start: "2026-12-07T17:00:00+01:00", end: "2026-12-07T20:00:00+01:00" };

describe("busy times", () => {
  it("move a session out of a busy evening, and the diff says why", () => {
    const old = planStrength(sampleWeek).sessions;
    expect(old[0]?.start).toBe("2026-12-07T18:00:00+01:00");
    const input: PlanInput = {
      ...sampleWeek,
      busy: [mondayEvening],
      currentPlan: old.map((s) => ({ start: s.start, end: s.end, session: s.session })),
    };
    const next = planStrength(input).sessions;
    // Monday still fits: 16:15-17:00 ends as the busy time starts.
    expect(next.map((s) => [s.start, s.end])).toEqual([
      ["2026-12-07T16:15:00+01:00", "2026-12-07T17:00:00+01:00"],
      ["2026-12-10T18:00:00+01:00", "2026-12-10T18:45:00+01:00"],
    ]);
    expect(diffPlans(old, next, planContextOf(input)).map((c) => c.sentence)).toEqual([
      "Strength A moved from Mon 18:00 to Mon 16:15: you are busy Mon 17:00-20:00",
    ]);
  });

  it("are refused for a manual move by the same check the planner uses", () => {
    const ctx = planContextOf({ ...sampleWeek, busy: [mondayEvening] });
    const into = checkSession({ start: "2026-12-07T17:30:00+01:00", end: "2026-12-07T18:15:00+01:00" }, ctx);
    expect(into).toEqual([{ rule: "R5", message: "R5: you are busy Mon 17:00-20:00" }]);
    expect(
      checkSession({ start: "2026-12-07T16:00:00+01:00", end: "2026-12-07T17:01:00+01:00" }, ctx),
    ).toEqual(into);
    // Ending as the busy time starts is not overlapping it.
    expect(
      checkSession({ start: "2026-12-07T16:15:00+01:00", end: "2026-12-07T17:00:00+01:00" }, ctx),
    ).toEqual([]);
  });

  it("leave a week without a free slot unplaced, naming the busy time", () => {
    const out = planStrength({
      ...sampleWeek,
      busy: [{ start: "2026-12-07T00:00:00+01:00", end: "2026-12-14T00:00:00+01:00" }],
    });
    expect(out.sessions).toEqual([]);
    expect(out.unplaced.map((u) => u.session)).toEqual(["A", "B"]);
    expect(out.unplaced[0]?.reason).toContain(
      "Fri has no 45 min in 06:00-21:30 that is clear of your busy time 2026-12-07 00:00 to 2026-12-14 00:00",
    );
  });
});

const TZ = ["Europe/Berlin", "America/New_York", "Asia/Kathmandu"] as const;
const HOUR = 3_600_000;
const scenario = fc.record({
  tz: fc.constantFrom(...TZ),
  monday: fc.constantFrom("2027-03-08", "2027-03-22", "2027-10-25", "2027-06-07"),
  runs: fc.array(
    fc.record({
      day: fc.integer({ min: 0, max: 13 }),
      minute: fc.integer({ min: 300, max: 1200 }),
      durationMin: fc.integer({ min: 20, max: 120 }),
      kind: fc.constantFrom("easy", "easy", "quality") as fc.Arbitrary<"easy" | "quality">,
    }),
    { maxLength: 12 },
  ),
  busy: fc.array(
    fc.record({
      day: fc.integer({ min: -1, max: 14 }),
      minute: fc.integer({ min: 0, max: 1439 }),
      lengthMin: fc.integer({ min: 15, max: 16 * 60 }),
    }),
    { maxLength: 14 },
  ),
  sessionsPerWeek: fc.integer({ min: 1, max: 3 }),
  withPlan: fc.boolean(),
});

describe("planStrength with random busy times", () => {
  it("never places a session overlapping a busy time, or two within 48 h, and plans the same input the same way", () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const at = (day: number, minute: number) => zonedInstant(addDays(s.monday, day), minute, s.tz);
        const base: PlanInput = {
          from: s.monday,
          to: addDays(s.monday, 13),
          athlete: { timezone: s.tz, sessionsPerWeek: s.sessionsPerWeek },
          runs: s.runs.map((r) => ({
            start: isoWithOffset(at(r.day, r.minute), s.tz),
            durationMin: r.durationMin,
            kind: r.kind,
            title: r.kind === "easy" ? "Easy run" : "Tempo",
          })),
        };
        const busy = s.busy.map((b) => {
          const start = at(b.day, b.minute);
          return {
            start: isoWithOffset(start, s.tz),
            end: isoWithOffset(start + b.lengthMin * 60_000, s.tz),
          };
        });
        // A plan made without the busy times, then re-planned with them: kept sessions must move out too.
        const currentPlan = s.withPlan
          ? planStrength(base).sessions.map((x) => ({ start: x.start, end: x.end, session: x.session }))
          : [];
        const input: PlanInput = { ...base, busy, currentPlan };
        const out = planStrength(input);
        const starts: number[] = [];
        for (const session of out.sessions) {
          const start = Date.parse(session.start);
          const end = Date.parse(session.end);
          for (const b of busy) {
            const overlaps = start < Date.parse(b.end) && Date.parse(b.start) < end;
            expect(overlaps, `${session.start} overlaps busy ${b.start}-${b.end}`).toBe(false);
          }
          for (const other of starts) expect(Math.abs(start - other)).toBeGreaterThanOrEqual(48 * HOUR);
          starts.push(start);
        }
        expect(JSON.stringify(planStrength(structuredClone(input)))).toBe(JSON.stringify(out));
      }),
      { numRuns: Number(process.env.PLAN_PROPERTY_RUNS ?? 200) },
    );
  }, 120_000);
});
