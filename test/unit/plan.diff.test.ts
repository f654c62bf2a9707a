// Plan diffs in plain words: what moved, was added, removed or changed, and the
// rule and run that forced it. Session identity: key, then same start, then same
// week and letter (nearest), then same week (nearest).
import { describe, expect, it } from "vitest";
import { planContextOf } from "../../src/domain/plan/context.ts";
import { diffPlans, matchSessions } from "../../src/domain/plan/diff.ts";
import type { PlanInput } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";

const TZ = "Europe/Berlin";
const DAYS = [
  "2026-12-07",
  "2026-12-08",
  "2026-12-09",
  "2026-12-10",
  "2026-12-11",
  "2026-12-12",
  "2026-12-13",
];
const at = (day: number, time: string) => `${DAYS[day]}T${time}:00+01:00`;
const run = (day: number, time: string, durationMin: number, title: string, kind?: "easy" | "quality") => ({
  start: at(day, time),
  durationMin,
  title,
  ...(kind ? { kind } : {}),
});
const input = (runs: PlanInput["runs"], over: Partial<PlanInput> = {}): PlanInput => ({
  from: DAYS[0] as string,
  to: DAYS[6] as string,
  athlete: {
    timezone: TZ,
    availability: [3, 4, 6].map((weekday) => ({ weekday, from: "06:00", to: "21:30" })),
  },
  runs,
  ...over,
});

describe("diffPlans", () => {
  it("explains a move forced by a quality run, naming the run", () => {
    const before = [
      run(2, "07:00", 45, "Easy run"),
      run(3, "07:00", 45, "Easy run"),
      run(5, "07:00", 45, "Easy run"),
    ];
    const old = planStrength(input(before)).sessions;
    expect(old.map((s) => [s.start, s.session])).toEqual([
      [at(2, "18:00"), "A"],
      [at(5, "18:00"), "B"],
    ]);
    const after = [run(2, "07:00", 50, "Tempo 3x10 min"), before[1], before[2]] as PlanInput["runs"];
    const nextInput = input(after, { currentPlan: old.map((s) => ({ start: s.start, session: s.session })) });
    const next = planStrength(nextInput).sessions;
    const changes = diffPlans(old, next, planContextOf(nextInput));
    expect(changes).toHaveLength(1);
    expect(changes[0]).toMatchObject({ type: "moved", session: "A", week: "2026-12-07", rule: "R1" });
    expect(changes[0]?.sentence).toBe(
      'Strength A moved from Wed 18:00 to Thu 18:00: Wednesday\'s 07:00 run "Tempo 3x10 min" is a quality session',
    );
  });

  it("says nothing changed for an identical plan", () => {
    const i = input([run(3, "07:00", 45, "Easy run")]);
    const out = planStrength(i).sessions;
    expect(diffPlans(out, out, planContextOf(i))).toEqual([]);
  });

  it("reports a session completed by logged strength as removed, and says so", () => {
    const base = input([run(2, "07:00", 45, "Easy run"), run(5, "07:00", 45, "Easy run")]);
    const old = planStrength(base).sessions;
    const nextInput: PlanInput = {
      ...base,
      now: at(3, "08:00"),
      strengthDone: [{ start: at(2, "19:00"), durationMin: 40 }],
      currentPlan: old.map((s) => ({ start: s.start, session: s.session })),
    };
    const next = planStrength(nextInput).sessions;
    const changes = diffPlans(old, next, planContextOf(nextInput));
    expect(changes.map((c) => c.type)).toEqual(["removed"]);
    expect(changes[0]?.sentence).toBe(
      "Strength A on Wed 18:00 removed: completed by the strength session you logged on Wed 19:00",
    );
  });

  it("explains an added session with its first reasons", () => {
    const i = input([run(3, "07:00", 45, "Easy run")]);
    const next = planStrength(i).sessions;
    const changes = diffPlans([], next, planContextOf(i));
    expect(changes.every((c) => c.type === "added")).toBe(true);
    expect(changes[0]?.sentence).toBe(
      "Strength A added on Thu 18:00: easy day, 10 h 15 min after the 07:00 run ends",
    );
  });

  it("removes a session the phase no longer asks for", () => {
    const i = input([], { athlete: { timezone: TZ, raceDate: "2026-12-20" } });
    const next = planStrength(i).sessions;
    expect(next).toHaveLength(1);
    const old = [
      { start: at(0, "18:00"), session: "A" as const },
      ...next.map((s) => ({ start: s.start, session: "B" as const })),
    ];
    const changes = diffPlans(old, next, planContextOf(i));
    const removed = changes.find((c) => c.type === "removed");
    expect(removed?.sentence).toMatch(/the taper phase asks for 1 session that week/);
  });

  it("marks a letter swap at the same time as changed", () => {
    const i = input([]);
    const changes = diffPlans(
      [{ start: at(3, "18:00"), session: "A" }],
      [{ start: at(3, "18:00"), session: "B" }],
      planContextOf(i),
    );
    expect(changes).toEqual([
      expect.objectContaining({
        type: "changed",
        session: "B",
        sentence: "Strength A on Thu 18:00 is now Strength B, to keep A and B alternating",
      }),
    ]);
  });
});

describe("matchSessions", () => {
  const ctx = planContextOf(input([]));
  it("matches by key first, then same start, then week and letter, never across weeks", () => {
    const old = [
      { start: at(0, "18:00"), session: "A" as const, key: "k1" },
      { start: at(3, "18:00"), session: "B" as const },
      { start: at(5, "18:00"), session: "A" as const },
    ];
    const next = [
      { start: at(2, "18:00"), session: "B" as const, key: "k1" },
      { start: at(3, "18:00"), session: "A" as const },
      { start: "2026-12-14T18:00:00+01:00", session: "A" as const },
    ];
    expect(matchSessions(old, next, ctx.clock)).toEqual([
      [0, 0],
      [1, 1],
    ]);
  });

  it("pairs the nearest session of the same letter in the week", () => {
    const old = [
      { start: at(0, "18:00"), session: "A" as const },
      { start: at(3, "18:00"), session: "B" as const },
    ];
    const next = [
      { start: at(4, "18:00"), session: "B" as const },
      { start: at(1, "18:00"), session: "A" as const },
    ];
    expect(matchSessions(old, next, ctx.clock)).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });
});

describe("keys through planStrength", () => {
  it("carries a current-plan key to where its session lands", () => {
    const currentPlan = [
      { start: at(2, "18:00"), session: "A" as const, key: "uid-a" },
      { start: at(5, "18:00"), session: "B" as const, key: "uid-b" },
    ];
    const out = planStrength(input([run(2, "07:00", 50, "Tempo 3x10 min")], { currentPlan }));
    expect(out.sessions.map((s) => [s.start.slice(0, 10), s.session, s.key])).toEqual([
      ["2026-12-10", "A", "uid-a"],
      ["2026-12-12", "B", "uid-b"],
    ]);
  });
});
