// What a gym can load, and how a weight reads in the athlete's unit. The domain
// works in kilograms; pounds are only a display and the default increment.

/** The smallest step a gym loads in kilograms: two 1.25 kg plates. */
export const DEFAULT_INCREMENT_KG = 2.5;
/** 5 lb (two 2.5 lb plates) in kilograms, as the contract writes it. */
export const DEFAULT_INCREMENT_LB_KG = 2.26796;
export const KG_PER_LB = 0.45359237;

export type Units = "kg" | "lb";

/**
 * A weight a few parts per million below a whole multiple counts as that multiple:
 * 185 lb stored as 83.914 kg is still 37 steps of 5 lb, not 36.
 */
const STEP_TOLERANCE = 1e-3;

/** `steps` increments as a number of kilograms, free of floating-point dust (37 x 2.26796 = 83.91452). */
export function incrementsKg(steps: number, incrementKg: number): number {
  return Math.round(steps * incrementKg * 1e6) / 1e6;
}

/** Whole increments at or below `kg`, never negative. */
export function stepsDown(kg: number, incrementKg: number): number {
  return Math.max(0, Math.floor(kg / incrementKg + STEP_TOLERANCE));
}

/**
 * The heaviest loadable weight at or below `kg`. Rounding is always down: a
 * prescription is a ceiling the athlete should reach with reps in reserve, so the
 * plate maths never makes a set heavier than the evidence asks.
 */
export function loadableDown(kg: number, incrementKg: number): number {
  return incrementsKg(stepsDown(kg, incrementKg), incrementKg);
}

/** "82.5 kg", "81.25 kg", "185 lb": kilograms to 0.01 (small plates), pounds to 0.1, no trailing zeros. */
export function formatWeight(kg: number, units: Units): string {
  const text = units === "lb" ? (kg / KG_PER_LB).toFixed(1) : kg.toFixed(2);
  return `${text.replace(/\.?0+$/, "")} ${units}`;
}
