// GET /api/plan/history?limit=20: the athlete's plan versions, newest first, each
// with what caused it (in a sentence too) and what changed, as the sentences the
// athlete was told.
import type { Hono } from "hono";
import type { StoredChange } from "../../db/columns.ts";
import { planHistory } from "../../db/repos/plans.ts";
import { type ReplanCause, replanCause } from "../../plan/cause.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 100;

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
  }
}

function changesOf(diff: readonly StoredChange[]): { type: string; sentence: string }[] {
  return diff.map(({ type, sentence }) => ({ type, sentence }));
}

export function registerApiPlanHistory(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/plan/history", requireAthlete(deps), async (c) => {
    const raw = c.req.query("limit");
    const limit = raw === undefined ? DEFAULT_HISTORY_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
      const message = `must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`;
      throw new AppError("validation_failed", `limit: ${message}`, { fields: [{ field: "limit", message }] });
    }
    const rows = await planHistory(deps.db, c.get("athleteId"), limit);
    return c.json({
      versions: rows.map((v) => {
        const cause = replanCause.safeParse(v.cause);
        return {
          version: v.version,
          createdAt: v.createdAt.toISOString(),
          window: { from: v.windowFrom, to: v.windowTo },
          cause: v.cause,
          because: cause.success ? describeCause(cause.data) : null,
          changes: changesOf(v.diff),
        };
      }),
    });
  });
}
