// The evidence's "Sample Weekly Schedule (Marathon Training Block)": easy Monday,
// quality Tuesday, easy Wednesday and Thursday, rest Friday, easy Saturday, long
// Sunday, every run in the morning. Its answer: Session A Monday PM and Session B
// Thursday PM, 3+ hours after the run. The planner must reach the same.
import { describe, expect, it } from "vitest";
import type { PlanInput } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";

const BERLIN = "Europe/Berlin";
const run = (date: string, time: string, durationMin: number, title: string, kind?: "easy" | "quality") => ({
  start: `${date}T${time}:00+01:00`,
  durationMin,
  title,
  ...(kind ? { kind } : {}),
});

const sampleWeek: PlanInput = {
  from: "2026-12-07",
  to: "2026-12-13",
  athlete: { timezone: BERLIN },
  runs: [
    run("2026-12-07", "07:00", 45, "Easy run"),
    run("2026-12-08", "07:00", 60, "Intervals 6x800m"),
    run("2026-12-09", "07:00", 45, "Easy run"),
    run("2026-12-10", "07:00", 35, "Easy run"),
    run("2026-12-12", "07:00", 35, "Easy run"),
    run("2026-12-13", "07:30", 120, "Long run"),
  ],
};

describe("the evidence's sample marathon week", () => {
  const out = planStrength(sampleWeek);

  it("classifies the days as the sample does", () => {
    expect(out.days.map((d) => [d.date, d.kind])).toEqual([
      ["2026-12-07", "easy"],
      ["2026-12-08", "quality"],
      ["2026-12-09", "easy"],
      ["2026-12-10", "easy"],
      ["2026-12-11", "rest"],
      ["2026-12-12", "easy"],
      ["2026-12-13", "quality"],
    ]);
  });

  it("places exactly two sessions, A on Monday and B on Thursday, in the afternoon or evening", () => {
    expect(out.unplaced).toEqual([]);
    expect(out.sessions).toHaveLength(2);
    const [monday, thursday] = out.sessions;
    expect(monday?.start.slice(0, 10)).toBe("2026-12-07");
    expect(thursday?.start.slice(0, 10)).toBe("2026-12-10");
    expect(monday?.session).toBe("A");
    expect(thursday?.session).toBe("B");
    for (const s of out.sessions) {
      const hour = Number(s.start.slice(11, 13));
      expect(hour).toBeGreaterThanOrEqual(12);
      expect(s.start.endsWith("+01:00")).toBe(true);
      expect(s.phase).toBe("base");
    }
  });

  it("keeps 6 h from the morning run and explains the choice", () => {
    const monday = out.sessions[0];
    expect(monday?.start).toBe("2026-12-07T18:00:00+01:00");
    expect(monday?.end).toBe("2026-12-07T18:45:00+01:00");
    expect(monday?.reasons[0]).toBe("easy day");
    expect(monday?.reasons).toContain("10 h 15 min after the 07:00 run ends");
    expect(monday?.reasons.some((r) => r.includes("quality run"))).toBe(true);
    expect(out.sessions[1]?.reasons).toContain("3 days after Monday's session");
  });

  it("holds the evidence's sample sessions A and B", () => {
    const names = out.sessions.map((s) => s.exercises.map((e) => e.name));
    expect(names[0]).toEqual(["Back squat", "Bulgarian split squat", "Heavy calf raise", "Box jump"]);
    expect(names[1]).toEqual(["Romanian deadlift", "Step-up", "Single-leg calf raise", "Single-leg hop"]);
  });
});
