import type { Exercise } from "../domain/plan/input.ts";

/**
 * A stored session's exercises in the planner's key order: jsonb hands objects
 * back with their keys reordered, and comparisons and answers should not depend
 * on that. Nothing is dropped: keys beyond the four come after them.
 */
export function exercisesOf(stored: readonly Exercise[]): Exercise[] {
  return stored.map(({ name, sets, reps, load, ...rest }) => ({
    name,
    sets,
    reps,
    load,
    ...rest,
  }));
}

/**
 * The part of each exercise a re-plan compares to tell whether a session changed:
 * name, sets, reps, load as written and the load in kilograms (a load-only change
 * is a new version with its diff sentence: the athlete lifts a different weight).
 */
export function comparedExercises(exercises: readonly Exercise[]): Exercise[] {
  return exercises.map(({ name, sets, reps, load, loadKg }) => ({
    name,
    sets,
    reps,
    load,
    ...(loadKg !== undefined ? { loadKg } : {}),
  }));
}
