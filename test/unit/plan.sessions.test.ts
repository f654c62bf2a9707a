// Session contents against the evidence: 3-5 compound exercises of 2-4 sets, at
// least one single-leg exercise, 1-2 plyometric drills, 30-45 min, loads by phase,
// and a new athlete's first 4 weeks of light form work.
import { describe, expect, it } from "vitest";
import type { Phase, SessionLetter } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";
import { type Prescription, prescriptionFor, sessionContent } from "../../src/domain/plan/sessions.ts";

const PRESCRIPTIONS: Prescription[] = ["form", "base", "build", "sharpening", "taper"];
const LETTERS: SessionLetter[] = ["A", "B"];
const SINGLE_LEG = /Bulgarian|Step-up|Single-leg/;
const PLYO = /jump|hop|Bounding/i;

describe("sessionContent", () => {
  for (const p of PRESCRIPTIONS) {
    for (const letter of LETTERS) {
      it(`${p} ${letter} follows the evidence's session shape`, () => {
        const c = sessionContent(letter, p);
        expect(c.exercises.length).toBeGreaterThanOrEqual(3);
        expect(c.exercises.length).toBeLessThanOrEqual(5);
        expect(c.exercises.some((e) => SINGLE_LEG.test(e.name))).toBe(true);
        const plyo = c.exercises.filter((e) => PLYO.test(e.name)).length;
        expect(plyo).toBeGreaterThanOrEqual(1);
        expect(plyo).toBeLessThanOrEqual(2);
        for (const e of c.exercises) {
          expect(e.sets).toBeGreaterThanOrEqual(2);
          expect(e.sets).toBeLessThanOrEqual(4);
        }
        expect(c.durationMin).toBeGreaterThanOrEqual(30);
        expect(c.durationMin).toBeLessThanOrEqual(45);
      });
    }
  }

  it("builds on the evidence's sample A and B", () => {
    expect(sessionContent("A", "build").exercises.map((e) => e.name)).toEqual([
      "Back squat",
      "Bulgarian split squat",
      "Heavy calf raise",
      "Box jump",
    ]);
    expect(sessionContent("B", "build").exercises.map((e) => e.name)).toEqual([
      "Romanian deadlift",
      "Step-up",
      "Single-leg calf raise",
      "Single-leg hop",
    ]);
    expect(sessionContent("A", "build").exercises[0]).toEqual({
      name: "Back squat",
      sets: 4,
      reps: "5",
      load: "75-85% 1RM, 1-2 reps in reserve",
    });
  });

  it("loads by phase: moderate 8-10 in base, heavy 3-6 in build, 3-5 in sharpening, minimal taper, light 12-15 form", () => {
    const main = (p: Prescription) => sessionContent("A", p).exercises[0];
    expect(main("base")?.reps).toBe("8-10");
    expect(main("base")?.load).toMatch(/moderate/);
    expect(main("build")?.load).toMatch(/75-85% 1RM/);
    expect(main("sharpening")?.reps).toBe("3-5");
    expect(sessionContent("A", "sharpening").exercises.filter((e) => PLYO.test(e.name))).toHaveLength(2);
    expect(main("taper")?.sets).toBe(2);
    expect(main("form")?.reps).toBe("12-15");
    expect(main("form")?.load).toMatch(/light/);
  });

  it("returns copies, so a caller cannot change the table", () => {
    const c = sessionContent("A", "base");
    (c.exercises[0] as { sets: number }).sets = 99;
    expect(sessionContent("A", "base").exercises[0]?.sets).toBe(3);
  });
});

describe("prescriptionFor", () => {
  it("gives a new athlete 4 weeks of form work from liftingSince, then the phase", () => {
    expect(prescriptionFor("build", "2026-12-07", "2026-12-07")).toBe("form");
    expect(prescriptionFor("build", "2027-01-03", "2026-12-07")).toBe("form");
    expect(prescriptionFor("build", "2027-01-04", "2026-12-07")).toBe("build");
    expect(prescriptionFor("base", "2027-01-04", null)).toBe("base");
  });

  it("keeps the taper a taper", () => {
    expect(prescriptionFor("taper" as Phase, "2026-12-07", "2026-12-07")).toBe("taper");
  });
});

describe("planStrength session contents", () => {
  it("starts a new athlete light and moves to the phase's loads after 4 weeks", () => {
    const out = planStrength({
      from: "2026-12-07",
      to: "2027-01-17",
      athlete: { timezone: "Europe/Berlin", strengthExperience: "new", liftingSince: "2026-12-07" },
      runs: [],
    });
    const reps = out.sessions.map((s) => [s.start.slice(0, 10), s.exercises[0]?.reps]);
    expect(reps.filter(([d]) => (d as string) < "2027-01-04").every(([, r]) => r === "12-15")).toBe(true);
    expect(reps.filter(([d]) => (d as string) >= "2027-01-04").every(([, r]) => r === "8-10")).toBe(true);
    expect(out.sessions[0]?.reasons).toContain("new to lifting: light loads until 2027-01-03");
  });

  it("alternates A and B through the plan", () => {
    const out = planStrength({
      from: "2026-12-07",
      to: "2027-01-03",
      athlete: { timezone: "UTC" },
      runs: [],
    });
    expect(out.sessions.map((s) => s.session).join("")).toBe("ABABABAB");
  });

  it("makes the session end 30-45 min after it starts", () => {
    const out = planStrength({
      from: "2026-12-07",
      to: "2026-12-13",
      athlete: { timezone: "Asia/Kathmandu" },
      runs: [],
    });
    for (const s of out.sessions) {
      const min = (Date.parse(s.end) - Date.parse(s.start)) / 60_000;
      expect(min).toBeGreaterThanOrEqual(30);
      expect(min).toBeLessThanOrEqual(45);
      expect(s.start.endsWith("+05:45")).toBe(true);
    }
  });
});
