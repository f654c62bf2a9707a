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
 * name, sets, reps and load as written. A load in kilograms alone does not (yet)
 * count as a change, as before the normalizer had one home.
 */
export function comparedExercises(exercises: readonly Exercise[]): Exercise[] {
  return exercises.map(({ name, sets, reps, load }) => ({ name, sets, reps, load }));
}
