// A stored session (planned_sessions) in the shapes the rest of the code speaks:
// the diff's SessionRef and the planner's PlannedSession. One mapper, so the
// re-plan worker, the overrides and GET /api/plan read a row the same way.
import type { StoredSession } from "../db/repos/plans.ts";
import type { SessionRef } from "../domain/plan/diff.ts";
import type { Phase, PlannedSession, SessionLetter } from "../domain/plan/input.ts";
import { isoWithOffset } from "../domain/time.ts";
import { comparedExercises, exercisesOf } from "./exercises.ts";

/** The session's letter (read and checked by the repository). */
export function letterOf(s: Pick<StoredSession, "session">): SessionLetter {
  return s.session;
}

export function phaseOf(s: Pick<StoredSession, "phase">): Phase {
  return s.phase;
}

/** The session as the diff compares it: key, times, letter, phase and exercises. */
export function sessionRef(s: StoredSession): SessionRef {
  return {
    start: s.startAt.toISOString(),
    end: s.endAt.toISOString(),
    session: letterOf(s),
    key: s.sessionKey,
    phase: phaseOf(s),
    exercises: comparedExercises(exercisesOf(s.exercises)),
  };
}

/** Whether the planner's session is the stored one unchanged: same times, letter, phase and exercises. */
export function sameSession(stored: StoredSession, planned: PlannedSession): boolean {
  return (
    stored.startAt.getTime() === Date.parse(planned.start) &&
    stored.endAt.getTime() === Date.parse(planned.end) &&
    stored.session === planned.session &&
    stored.phase === planned.phase &&
    JSON.stringify(comparedExercises(exercisesOf(stored.exercises))) ===
      JSON.stringify(comparedExercises(planned.exercises))
  );
}

/** The session as `runstrong plan` prints one, in the athlete's zone, with the stored session's handles. */
export function plannedSessionOf(s: StoredSession, timezone: string) {
  return {
    start: isoWithOffset(s.startAt.getTime(), timezone),
    end: isoWithOffset(s.endAt.getTime(), timezone),
    session: letterOf(s),
    phase: phaseOf(s),
    exercises: exercisesOf(s.exercises),
    reasons: s.reasons,
    key: s.sessionKey,
    status: s.status,
    pinned: s.pinned,
    sequence: s.sequence,
  } satisfies PlannedSession & Record<string, unknown>;
}
