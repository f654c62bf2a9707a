// Future runs known only by a title and a planned length.
import { describe, expect, it } from "vitest";
import { classifyPlannedRun } from "../../src/domain/classify/planned.ts";

describe("classifyPlannedRun", () => {
  it.each([
    ["6x800m", 60, "intervals"],
    ["Intervalle 5x1000", 70, "intervals"],
    ["Tempo 30'", 55, "tempo"],
    ["Seuil 3x10", 65, "intervals"],
    ["Parkrun", 30, "race"],
    ["Wedstrijd", null, "race"],
    ["Fartlek", 45, "workout"],
    ["Long run", 100, "long"],
  ] as const)("%s (%s min) is quality: %s", (title, minutes, subtype) => {
    const c = classifyPlannedRun(title, minutes);
    expect(c.kind).toBe("quality");
    expect(c.subtype).toBe(subtype);
    expect(c.reasons[0]).toContain(title);
  });

  it("a plan's 90 minutes or more is a long run whatever the title says", () => {
    const c = classifyPlannedRun("Easy run", 95);
    expect(c).toMatchObject({ kind: "quality", subtype: "long" });
    expect(c.reasons[0]).toMatch(/1 h 35 min is a long run/);
  });

  it("easy and recovery titles are easy, and surer than a bare title", () => {
    const easy = classifyPlannedRun("Easy run", 45);
    const recovery = classifyPlannedRun("Recovery jog", 30);
    const bare = classifyPlannedRun("Run", 45);
    expect(easy).toMatchObject({ kind: "easy", subtype: "easy" });
    expect(recovery).toMatchObject({ kind: "easy", subtype: "recovery" });
    expect(bare.kind).toBe("easy");
    expect(easy.confidence).toBeGreaterThan(bare.confidence);
  });

  it("an ambiguous word ('course') does not make a quality run and lowers confidence", () => {
    const course = classifyPlannedRun("Course du mardi", 45);
    expect(course.kind).toBe("easy");
    expect(course.confidence).toBeLessThan(classifyPlannedRun("Mardi", 45).confidence);
  });

  it("a rest day in a plan is not a run", () => {
    for (const title of ["Rest", "Ruhetag", "Repos", "Descanso", "Rustdag"]) {
      expect(classifyPlannedRun(title, null)).toMatchObject({ kind: "other", subtype: null });
    }
  });

  it("an empty title with no length is an easy run said plainly", () => {
    const c = classifyPlannedRun("", null);
    expect(c.kind).toBe("easy");
    expect(c.reasons[0]).toMatch(/Nothing in "\(untitled\)" marks it as a quality session/);
  });
});
