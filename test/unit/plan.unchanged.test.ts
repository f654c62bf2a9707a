// Inputs without the strength-log fields plan byte for byte as before them. The
// fixture holds inputs and the exact `runstrong plan` output the planner gave them
// at commit 4aca099, before loads, logs and busy times existed: a 16-week season,
// eight two-week athletes from the bench's generator, a new lifter, and a re-plan
// with keys and a run that forces a move.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { PlanInput } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";

const fixture = JSON.parse(
  readFileSync(new URL("../fixtures/plan/outputs-before-loads.json", import.meta.url), "utf8"),
) as { cases: Array<{ name: string; input: PlanInput; output: string }> };

const print = (input: PlanInput) => JSON.stringify(planStrength(input), null, 2);

describe("an input without lifts, strengthLog, busy, units or loadIncrementKg", () => {
  it.each(fixture.cases.map((c) => [c.name, c] as const))("plans %s exactly as before", (_name, c) => {
    expect(print(c.input)).toBe(c.output);
  });

  it.each(fixture.cases.map((c) => [c.name, c] as const))(
    "plans %s exactly as before with the new fields given empty or at their defaults",
    (_name, c) => {
      const withEmpty: PlanInput = {
        ...c.input,
        athlete: { ...c.input.athlete, units: "kg", loadIncrementKg: 2.5 },
        lifts: {},
        strengthLog: [],
        busy: [],
      };
      expect(print(withEmpty)).toBe(c.output);
    },
  );
});
