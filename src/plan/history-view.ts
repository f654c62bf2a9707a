// The athlete's plan versions as they are told: each with what caused it (in a
// sentence too) and what changed, as sentences. GET /api/plan/history answers it
// and the /plan page lists it.

import type { Executor } from "../db/client.ts";
import type { StoredChange } from "../db/columns.ts";
import { planHistory } from "../db/repos/plans.ts";
import { type ReplanCause, replanCause } from "./cause.ts";

/** The cause of a version as the athlete would say it. */
export function describeCause(cause: ReplanCause): string {
  switch (cause.type) {
    case "activity":
      return `a ${cause.provider === "strava" ? "Strava" : "Garmin"} activity was ${cause.change}`;
    case "settings":
      return `you changed ${cause.fields.join(", ") || "your settings"}`;
    case "override":
      return `you ${cause.what}`;
    case "connect":
      return `you connected ${cause.provider === "strava" ? "Strava" : "Garmin"}`;
    case "disconnect":
      return `${cause.provider === "strava" ? "Strava" : "Garmin"} was disconnected`;
    case "backfill":
      return `${cause.activities} earlier activities were imported`;
    case "roll-forward":
      return "the daily look ahead moved the plan on by a day";
    case "running-plan":
      return `your running plan calendar was read (${cause.entries} ${cause.entries === 1 ? "entry" : "entries"})`;
    case "busy-calendar":
      return `your calendar's busy times were read (${cause.intervals})`;
    case "strength-log":
      return cause.source === "api"
        ? "you logged a session's sets"
        : "a strength activity's sets were logged";
  }
}

function changesOf(diff: readonly StoredChange[]): { type: string; sentence: string }[] {
  return diff.map(({ type, sentence }) => ({ type, sentence }));
}

/** The newest `limit` versions, newest first. */
export async function planHistoryView(db: Executor, athleteId: number, limit: number) {
  const rows = await planHistory(db, athleteId, limit);
  return rows.map((v) => {
    const cause = replanCause.safeParse(v.cause);
    return {
      version: v.version,
      createdAt: v.createdAt.toISOString(),
      window: { from: v.windowFrom, to: v.windowTo },
      cause: v.cause,
      because: cause.success ? describeCause(cause.data) : null,
      changes: changesOf(v.diff),
    };
  });
}
