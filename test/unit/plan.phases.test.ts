// Phase boundaries: weeks are whole Monday-Sunday weeks counted to race week
// (race week = 1 out), so a phase changes on a Monday, never mid-week.
import { describe, expect, it } from "vitest";
import { isPreRaceDate, phaseOf, sessionsForWeek, weeksOut } from "../../src/domain/plan/phases.ts";

// Race on Sunday 2027-04-18; its week starts Monday 2027-04-12.
const RACE = "2027-04-18";
const mondayWeeksOut = (n: number) => {
  const d = new Date(Date.UTC(2027, 3, 12 - 7 * (n - 1)));
  return d.toISOString().slice(0, 10);
};

describe("weeksOut", () => {
  it("counts race week as 1 and the week before as 2", () => {
    expect(weeksOut("2027-04-12", RACE)).toBe(1);
    expect(weeksOut("2027-04-05", RACE)).toBe(2);
    expect(weeksOut(mondayWeeksOut(9), RACE)).toBe(9);
  });

  it("treats a race on Monday as inside its own week", () => {
    expect(weeksOut("2027-04-19", "2027-04-19")).toBe(1);
    expect(weeksOut("2027-04-12", "2027-04-19")).toBe(2);
  });

  it("is null without a race or once the race is run", () => {
    expect(weeksOut("2027-04-12", null)).toBeNull();
    expect(weeksOut("2027-04-19", RACE)).toBeNull();
  });
});

describe("phaseOf", () => {
  it.each([
    [1, "taper"],
    [2, "taper"],
    [3, "sharpening"],
    [4, "sharpening"],
    [5, "build"],
    [8, "build"],
    [9, "base"],
    [20, "base"],
  ])("%i weeks out is %s", (n, phase) => {
    expect(phaseOf(mondayWeeksOut(n), RACE)).toBe(phase);
  });

  it("is base with no race set and after the race", () => {
    expect(phaseOf("2027-04-12", null)).toBe("base");
    expect(phaseOf("2027-04-26", RACE)).toBe("base");
  });
});

describe("sessionsForWeek", () => {
  it.each([
    [12, 2, 2],
    [12, 3, 3],
    [6, 3, 2],
    [4, 2, 2],
    [3, 2, 1],
    [2, 2, 1],
    [1, 2, 0],
    [12, 1, 1],
    [6, 1, 1],
  ])("%i weeks out, %i asked: %i", (n, asked, expected) => {
    expect(sessionsForWeek(mondayWeeksOut(n), RACE, asked)).toBe(expected);
  });

  it("keeps at least one session in every race-specific week (build and sharpening)", () => {
    for (let n = 3; n <= 8; n++)
      expect(sessionsForWeek(mondayWeeksOut(n), RACE, 2)).toBeGreaterThanOrEqual(1);
  });
});

describe("isPreRaceDate", () => {
  it("blocks race day and the five days before it", () => {
    expect(isPreRaceDate("2027-04-12", RACE)).toBe(false);
    expect(isPreRaceDate("2027-04-13", RACE)).toBe(true);
    expect(isPreRaceDate(RACE, RACE)).toBe(true);
    expect(isPreRaceDate("2027-04-19", RACE)).toBe(false);
    expect(isPreRaceDate("2027-04-13", null)).toBe(false);
  });
});
