// What the athlete says by hand, each answered by a re-plan:
//   GET  /api/activities?days=14          their recent activities, to find ids
//   PUT  /api/activities/:id/kind         {kind: "easy"|"quality"|null}: their verdict on a run
//   POST /api/sessions/:key/done|skipped  a planned session done or skipped
//   POST /api/sessions/:key/move          {start}: a session moved, if the hard rules allow
// Session changes store a new plan version (versions are the plan's history: the
// calendar feed, plan-changed consumers and GET /api/plan/history all read them)
// whose cause says what the athlete did; the re-plan that follows then fits the
// rest of the plan around it. Only the session's athlete is ever read or written.
import type { Hono } from "hono";
import { z } from "zod";
import { getAthlete } from "../../db/repos/athletes.ts";
import { recentActivities } from "../../db/repos/overrides.ts";
import { PlanRunSchema } from "../../domain/plan/input.ts";
import type { Logger } from "../../observability/logger.ts";
import { activityView } from "../../plan/activity-view.ts";
import { markRunKind } from "../../plan/mark-run-kind.ts";
import { markSession } from "../../plan/mark-session.ts";
import { moveSession } from "../../plan/move-session.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

const DEFAULT_DAYS = 14;
const MAX_DAYS = 365;

const kindBody = z.object({ kind: z.enum(["easy", "quality"]).nullable() }).strict();
const moveBody = z.object({ start: PlanRunSchema.shape.start }).strict();

// ---- routes --------------------------------------------------------------------

async function jsonBody<T>(c: { req: { json: () => Promise<unknown> } }, schema: z.ZodType<T>): Promise<T> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new AppError("bad_request", "the body must be JSON (Content-Type: application/json)");
  }
  const parsed = schema.safeParse(body);
  if (parsed.success) return parsed.data;
  const fields = parsed.error.issues.flatMap((i) =>
    i.code === "unrecognized_keys"
      ? i.keys.map((k) => ({ field: k, message: "unknown field" }))
      : [{ field: i.path.map(String).join(".") || "(body)", message: i.message }],
  );
  throw new AppError("validation_failed", fields.map((f) => `${f.field}: ${f.message}`).join("; "), {
    fields,
  });
}

export function registerApiOverrides(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requireAthlete(deps);
  const athleteOf = async (id: number) => {
    const athlete = await getAthlete(deps.db, id);
    if (!athlete) throw new AppError("unauthorized", "sign in first: connect Strava at /auth/strava");
    return athlete;
  };
  // The verbs log with the request's logger (its requestId), not the process's.
  const withLog = (c: { get: (key: "logger") => Logger }): AppDeps => ({ ...deps, logger: c.get("logger") });
  const activityId = (raw: string) => {
    const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!Number.isSafeInteger(id) || id <= 0) throw new AppError("not_found", `you have no activity ${raw}`);
    return id;
  };

  app.get("/api/activities", guard, async (c) => {
    const raw = c.req.query("days");
    const days = raw === undefined ? DEFAULT_DAYS : Number(raw);
    if (!Number.isInteger(days) || days < 1 || days > MAX_DAYS) {
      const message = `must be a whole number of days from 1 to ${MAX_DAYS}`;
      throw new AppError("validation_failed", `days: ${message}`, { fields: [{ field: "days", message }] });
    }
    const athlete = await athleteOf(c.get("athleteId"));
    const since = new Date(deps.now().getTime() - days * 86_400_000);
    const list = await recentActivities(deps.db, athlete.id, since);
    return c.json({ activities: list.map((a) => activityView(a, athlete.timezone)) });
  });

  app.put("/api/activities/:id/kind", guard, async (c) => {
    const id = activityId(c.req.param("id"));
    const { kind } = await jsonBody(c, kindBody);
    const athlete = await athleteOf(c.get("athleteId"));
    const view = await markRunKind(withLog(c), athlete, id, kind);
    c.get("logger").info({ activityId: id, kindOverride: kind }, "run kind marked");
    return c.json(view);
  });

  for (const status of ["done", "skipped"] as const) {
    app.post(`/api/sessions/:key/${status}`, guard, async (c) => {
      const athlete = await athleteOf(c.get("athleteId"));
      const result = await markSession(withLog(c), athlete, c.req.param("key"), status);
      c.get("logger").info(
        { sessionKey: result.session.key, status, version: result.version },
        "session marked",
      );
      return c.json(result);
    });
  }

  app.post("/api/sessions/:key/move", guard, async (c) => {
    const { start } = await jsonBody(c, moveBody);
    const athlete = await athleteOf(c.get("athleteId"));
    const result = await moveSession(withLog(c), athlete, c.req.param("key"), start);
    c.get("logger").info({ sessionKey: result.session.key, version: result.version }, "session moved");
    return c.json(result);
  });
}
