// The shapes of the columns Postgres cannot type for us: text columns that hold
// one of a few words, and jsonb. The tables declare the TypeScript type with
// `$type`; the repositories parse every such value that leaves them with the
// schemas here, so a value that drifted (a renamed phase, an exercise without
// sets) fails where it is read, naming the table, column and row, instead of
// travelling on as `undefined` into a plan or an answer.
import { z } from "zod";
import type { Sport } from "../domain/activity.ts";
import type { ActivityKind, DayKind, RunKind, RunSubtype } from "../domain/classify/types.ts";
import type { Exercise, Phase, SessionLetter, UnplacedSession } from "../domain/plan/input.ts";

/**
 * One of the words of a string union. The record lists every member, so a word
 * added to the union is a compile error here until it is listed.
 */
function oneOf<T extends string>(what: string, words: Record<T, true>) {
  return z.custom<T>((v) => typeof v === "string" && Object.hasOwn(words, v), {
    message: `not a known ${what}`,
  });
}

export type SessionStatus = "planned" | "done" | "skipped";

export const sessionLetter = oneOf<SessionLetter>("session letter", { A: true, B: true });
export const phase = oneOf<Phase>("phase", { base: true, build: true, sharpening: true, taper: true });
export const sessionStatus = oneOf<SessionStatus>("session status", {
  planned: true,
  done: true,
  skipped: true,
});
export const sport = oneOf<Sport>("sport", { run: true, strength: true, other: true });
export const activityKind = oneOf<ActivityKind>("activity kind", {
  easy: true,
  quality: true,
  strength: true,
  other: true,
});
export const runKind = oneOf<RunKind>("run kind", { easy: true, quality: true });
export const runSubtype = oneOf<RunSubtype>("run subtype", {
  recovery: true,
  easy: true,
  long: true,
  tempo: true,
  intervals: true,
  race: true,
  workout: true,
});
export const dayKind = oneOf<DayKind>("day kind", { easy: true, quality: true, rest: true });

export const reasons = z.array(z.string());

/** planned_sessions.exercises: the planner's exercises; keys beyond these are kept, after them. */
export const exercises = z.array(
  z.looseObject({
    name: z.string(),
    sets: z.number(),
    reps: z.string(),
    load: z.string(),
    loadKg: z.number().optional(),
  }),
) satisfies z.ZodType<Exercise[]>;

/** plan_versions.unplaced: the sessions a week could not hold, and why. */
export const unplaced = z.array(
  z.object({ week: z.string(), session: sessionLetter, reason: z.string() }),
) satisfies z.ZodType<UnplacedSession[]>;

/**
 * plan_versions.cause: why the version was made. Every cause has a `type`; the
 * rest is kept as stored and read by the cause's own schema (src/plan/cause.ts)
 * where it is worded, which still answers for a version stored under a cause
 * since retired.
 */
export interface StoredCause {
  type: string;
}
export const storedCause: z.ZodType<StoredCause> = z.looseObject({ type: z.string() });

/**
 * plan_versions.diff: the changes as the athlete was told them (the domain's
 * PlanChange). Each has a type and a sentence; the rest (session, week, before,
 * after, rule, key) is kept as stored and handed on with it.
 */
// A type, not an interface: it must fit the plan-changed payload's open object.
export type StoredChange = { type: string; sentence: string };
export const storedChanges: z.ZodType<StoredChange[]> = z.array(
  z.looseObject({ type: z.string(), sentence: z.string() }),
);

/** A stored value that does not have its column's shape: a bug or a migration missed, never retried away. */
export class UnreadableColumnError extends Error {
  override name = "UnreadableColumnError";
  readonly code = "unreadable_column";
}

/** `value` as `schema` reads it, or an UnreadableColumnError naming where it was read. */
export function readColumn<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: { table: string; column: string; row: string | number },
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const path = issue?.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new UnreadableColumnError(
    `${where.table}.${where.column} of row ${where.row}${path}: ${issue?.message ?? "unreadable"}`,
  );
}
