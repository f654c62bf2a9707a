// GET /api/strength-log: every logged session, per exercise, oldest first, with
// weights in the athlete's unit (weightKg or weightLb).
import type { Hono } from "hono";
import { strengthHistory } from "../../plan/strength-log.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireAthlete } from "../session.ts";

export function registerApiStrengthLog(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/strength-log", requireAthlete(deps), async (c) => {
    return c.json(await strengthHistory(deps, c.get("athlete")));
  });
}
