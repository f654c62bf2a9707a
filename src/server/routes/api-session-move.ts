// POST /api/sessions/:key/move {start}: a session moved where the athlete wants it,
// if the hard rules allow (422 naming the rule otherwise), stored as a new plan
// version and followed by a re-plan that keeps it there.
import type { Hono } from "hono";
import { z } from "zod";
import { PlanRunSchema } from "../../domain/plan/input.ts";
import { moveSession } from "../../plan/move-session.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { jsonBody } from "../json-body.ts";
import { requireAthlete } from "../session.ts";

const moveBody = z.object({ start: PlanRunSchema.shape.start }).strict();

export function registerApiSessionMove(app: Hono<AppEnv>, deps: AppDeps): void {
  app.post("/api/sessions/:key/move", requireAthlete(deps), async (c) => {
    const { start } = await jsonBody(c, moveBody);
    const result = await moveSession(verbDeps(deps, c), c.get("athlete"), c.req.param("key"), start);
    c.get("logger").info({ sessionKey: result.session.key, version: result.version }, "session moved");
    return c.json(result);
  });
}
