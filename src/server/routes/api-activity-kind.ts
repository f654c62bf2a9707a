// PUT /api/activities/:id/kind {kind: "easy"|"quality"|null}: the athlete's verdict
// on one of their runs (null clears it), answered by a re-plan whose cause says so.
import type { Hono } from "hono";
import { z } from "zod";
import { markRunKind } from "../../plan/mark-run-kind.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { AppError } from "../errors.ts";
import { jsonBody } from "../json-body.ts";
import { requireAthlete } from "../session.ts";

const kindBody = z.object({ kind: z.enum(["easy", "quality"]).nullable() }).strict();

/** An id no activity can have reads as absent, as another athlete's does. */
function activityId(raw: string): number {
  const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(id) || id <= 0) throw new AppError("not_found", `you have no activity ${raw}`);
  return id;
}

export function registerApiActivityKind(app: Hono<AppEnv>, deps: AppDeps): void {
  app.put("/api/activities/:id/kind", requireAthlete(deps), async (c) => {
    const id = activityId(c.req.param("id"));
    const { kind } = await jsonBody(c, kindBody);
    const view = await markRunKind(verbDeps(deps, c), c.get("athlete"), id, kind);
    c.get("logger").info({ activityId: id, kindOverride: kind }, "run kind marked");
    return c.json(view);
  });
}
