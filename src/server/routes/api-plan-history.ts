// GET /api/plan/history?limit=20: the athlete's plan versions, newest first, each
// with what caused it (in a sentence too) and what changed, as the sentences the
// athlete was told.
import type { Hono } from "hono";
import { planHistoryView } from "../../plan/history-view.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

export { describeCause } from "../../plan/history-view.ts";

export const DEFAULT_HISTORY_LIMIT = 20;
export const MAX_HISTORY_LIMIT = 100;

export function registerApiPlanHistory(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/plan/history", requireAthlete(deps), async (c) => {
    const raw = c.req.query("limit");
    const limit = raw === undefined ? DEFAULT_HISTORY_LIMIT : Number(raw);
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_HISTORY_LIMIT) {
      const message = `must be a whole number from 1 to ${MAX_HISTORY_LIMIT}`;
      throw new AppError("validation_failed", `limit: ${message}`, { fields: [{ field: "limit", message }] });
    }
    return c.json({ versions: await planHistoryView(deps.db, c.get("athleteId"), limit) });
  });
}
