import { and, asc, eq, gte, lt } from "drizzle-orm";
import type { SessionLetter } from "../../domain/plan/input.ts";
import type { Executor } from "../client.ts";
import { type StoredLoggedExercise, strengthLogs } from "../schema/index.ts";

export interface StrengthLogRow {
  sessionKey: string;
  date: string;
  session: SessionLetter | null;
  source: "api" | "garmin" | "fit";
  exercises: StoredLoggedExercise[];
  loggedAt: Date;
}

const columns = {
  sessionKey: strengthLogs.sessionKey,
  date: strengthLogs.date,
  session: strengthLogs.session,
  source: strengthLogs.source,
  exercises: strengthLogs.exercises,
  loggedAt: strengthLogs.loggedAt,
};

/** Stores a session's log; a second log of the same session replaces the first. */
export async function saveStrengthLog(
  db: Executor,
  athleteId: number,
  log: Omit<StrengthLogRow, "loggedAt">,
  at: Date,
): Promise<void> {
  await db
    .insert(strengthLogs)
    .values({ athleteId, ...log, loggedAt: at })
    .onConflictDoUpdate({
      target: [strengthLogs.athleteId, strengthLogs.sessionKey],
      set: {
        date: log.date,
        session: log.session,
        source: log.source,
        exercises: log.exercises,
        loggedAt: at,
      },
    });
}

/** The athlete's logs, oldest first; `before` (a local date) excludes it and later. */
export async function strengthLogsOf(
  db: Executor,
  athleteId: number,
  range: { from?: string; before?: string } = {},
): Promise<StrengthLogRow[]> {
  const where = [eq(strengthLogs.athleteId, athleteId)];
  if (range.from) where.push(gte(strengthLogs.date, range.from));
  if (range.before) where.push(lt(strengthLogs.date, range.before));
  return db
    .select(columns)
    .from(strengthLogs)
    .where(and(...where))
    .orderBy(asc(strengthLogs.date), asc(strengthLogs.loggedAt));
}
