// POST /api/sessions/:key/log {exercises: [{name, sets: [{reps, weightKg | weightLb,
// repsInReserve?}]}]}: the sets done in a planned session, in the athlete's unit;
// stored, and the session marked done, so the re-plan sets the next loads from them.
import type { Hono } from "hono";
import { logBodySchema, logSession } from "../../plan/strength-log.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { jsonBody } from "../json-body.ts";
import { requireAthlete } from "../session.ts";

export function registerApiSessionLog(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/api/sessions/:key/log", requireAthlete(deps), async (c) => {
    const body = await jsonBody(c, logBodySchema);
    const result = await logSession(verbDeps(deps, c), c.get("athlete"), c.req.param("key"), body);
    c.get("logger").info(
      { sessionKey: result.session.key, version: result.version, exercises: body.exercises.length },
      "session logged",
    );
    return c.json(result);
  });
}
