// Periodisation (DESIGN.md R6, the evidence's "Periodisation Across the Training
// Cycle"). Weeks are counted in whole Monday-Sunday weeks: the week holding race
// day is week 1 out, the week before it week 2, and so on. So with the table's
// overlapping edges resolved towards the race: taper = weeks 1-2, sharpening =
// weeks 3-4, build = weeks 5-8, base = week 9 and earlier, or no race ahead (no
// race date, or the race already run).
import { daysBetween, type LocalDate } from "../time.ts";
import type { Phase } from "./input.ts";

/** Race day and the five days before it hold no strength (taper: "none in the final 5 days"). */
export const NO_STRENGTH_DAYS_BEFORE_RACE = 5;

/** Whole weeks from the week starting `monday` to race week (race week = 1); null when no race lies ahead. */
export function weeksOut(monday: LocalDate, raceDate: LocalDate | null): number | null {
  if (!raceDate) return null;
  const days = daysBetween(monday, raceDate);
  if (days < 0) return null;
  return Math.floor(days / 7) + 1;
}

export function phaseOf(monday: LocalDate, raceDate: LocalDate | null): Phase {
  const w = weeksOut(monday, raceDate);
  if (w === null || w > 8) return "base";
  if (w > 4) return "build";
  if (w > 2) return "sharpening";
  return "taper";
}

/**
 * Sessions the week asks for. Base gives 2, or 3 when the athlete asks (the
 * evidence's 2-3); build 2; sharpening 2 four weeks out and 1 three weeks out
 * (its 1-2, tapering off); taper 1 two weeks out and none in race week (its
 * 0-1, "reducing to one short session in the final two weeks"). An athlete
 * asking for fewer gets fewer, never more than the phase allows.
 */
export function sessionsForWeek(monday: LocalDate, raceDate: LocalDate | null, asked: number): number {
  const w = weeksOut(monday, raceDate);
  const phase = phaseOf(monday, raceDate);
  const byPhase =
    phase === "base"
      ? asked >= 3
        ? 3
        : 2
      : phase === "build"
        ? 2
        : phase === "sharpening"
          ? w === 4
            ? 2
            : 1
          : w === 2
            ? 1
            : 0;
  return Math.min(byPhase, asked);
}

/** Whether `date` is race day or one of the five days before it, when no session may go. */
export function isPreRaceDate(date: LocalDate, raceDate: LocalDate | null): boolean {
  if (!raceDate) return false;
  const d = daysBetween(date, raceDate);
  return d >= 0 && d <= NO_STRENGTH_DAYS_BEFORE_RACE;
}
