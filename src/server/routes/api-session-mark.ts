// POST /api/sessions/:key/done and /skipped: a planned session done or skipped,
// stored as a new plan version (the calendar feed, plan-changed consumers and
// GET /api/plan/history read versions) whose cause says what the athlete did; the
// re-plan that follows fits the rest of the plan around it.
import type { Hono } from "hono";
import { markSession } from "../../plan/mark-session.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { requireAthlete } from "../session.ts";

export function registerApiSessionMark(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requireAthlete(deps);
  for (const status of ["done", "skipped"] as const) {
    app.post(`/api/sessions/:key/${status}`, guard, async (c) => {
      const result = await markSession(verbDeps(deps, c), c.get("athlete"), c.req.param("key"), status);
      c.get("logger").info(
        { sessionKey: result.session.key, status, version: result.version },
        "session marked",
      );
      return c.json(result);
    });
  }
}
