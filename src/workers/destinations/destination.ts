// One interface for every place a planned session is pushed to (Garmin Training
// API, intervals.icu): create-or-update by our session key, delete. The push job
// (push.ts) decides what to send; a destination only knows how.
import { createHash } from "node:crypto";
import type { StoredSession } from "../../db/repos/plans.ts";
import type { DestinationName, WorkoutPush } from "../../db/repos/workout-pushes.ts";
import { isoWithOffset, localDate } from "../../domain/time.ts";
import { type ExerciseStep, exerciseSteps } from "../../integrations/garmin-training/exercises.ts";
import { exercisesOf } from "../../plan/exercises.ts";
import type { WorkerDeps } from "../context.ts";

/** A planned session as every destination needs it, in the athlete's zone. */
export interface SessionToPush {
  key: string;
  sequence: number;
  startAt: Date;
  /** the session's date where the athlete lives ("2026-12-01"): a UTC date shows a day early */
  localDate: string;
  /** the wall clock without an offset ("2026-12-01T18:00:00") */
  localStart: string;
  durationSeconds: number;
  /** "Strength A" */
  name: string;
  /** "runstrong strength A, build phase": the first line of the description */
  summary: string;
  steps: ExerciseStep[];
}

export function sessionToPush(s: StoredSession, timezone: string): SessionToPush {
  const startMs = s.startAt.getTime();
  return {
    key: s.sessionKey,
    sequence: s.sequence,
    startAt: s.startAt,
    localDate: localDate(startMs, timezone),
    localStart: isoWithOffset(startMs, timezone).slice(0, 19),
    durationSeconds: Math.max(0, Math.round((s.endAt.getTime() - startMs) / 1000)),
    name: `Strength ${s.session}`,
    // The phase only: a reworded reason alone must not send every session again
    // (Garmin allows a user 1,000 calls a day, 200 on evaluation keys).
    summary: `runstrong strength ${s.session}, ${s.phase} phase`,
    steps: exerciseSteps(exercisesOf(s.exercises)),
  };
}

/** What a destination holds for one session: its own ids there. */
export interface PushedRef {
  externalId: string | null;
  scheduleId: string | null;
}

/** Why a destination cannot take pushes now, shown as its state. */
export interface NotReady {
  state: "off" | "revoked";
  reason: string;
}

/** A destination bound to one athlete's credentials, for the length of one push job. */
export interface BoundDestination {
  /**
   * Creates or updates the session there. `save` records ids made on the way (a
   * workout before its schedule), so a failure after it retries without a twin.
   */
  upsert(
    session: SessionToPush,
    existing: WorkoutPush | null,
    save: (partial: PushedRef) => Promise<void>,
  ): Promise<PushedRef>;
  remove(existing: WorkoutPush): Promise<void>;
  /**
   * Pushes several sessions at once when the destination can (intervals.icu's bulk
   * upsert); absent: one upsert per session.
   */
  upsertMany?(sessions: SessionToPush[]): Promise<Map<string, PushedRef>>;
}

export interface WorkoutDestination {
  name: DestinationName;
  /** whether the athlete linked it at all (a plan change queues a push only then) */
  linked(athleteId: number, deps: WorkerDeps): Promise<boolean>;
  /** the destination for this athlete, or why there is none (not linked, revoked, permission missing) */
  bind(athleteId: number, deps: WorkerDeps): Promise<BoundDestination | NotReady>;
}

export function isNotReady(b: BoundDestination | NotReady): b is NotReady {
  return "state" in b && "reason" in b;
}

/**
 * What is sent for a session, hashed: an unchanged hash is not pushed again. The
 * sequence alone is not enough (a load in kilograms does not raise it).
 */
export function contentHash(destination: DestinationName, s: SessionToPush): string {
  const { key, sequence: _sequence, startAt: _startAt, ...content } = s;
  return createHash("sha256")
    .update(JSON.stringify([destination, key, content]))
    .digest("hex")
    .slice(0, 32);
}
