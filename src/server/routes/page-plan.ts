// GET /plan and its forms. The forms call the same verbs as the JSON API
// (markSession, moveSession, markRunKind, logSession in src/plan); a refusal is
// shown on the page, in the verb's own words, with the status the API would
// answer. An accepted change is answered 303 → /plan?updated=<version>
// (post/redirect/get), which shows that version's sentences. The "Done — record
// sets" form (POST /plan/sessions/:key/log) is read into the API's own body
// (log-fields.ts); a field it refuses is shown next to that field, with the
// API's 400 (validation_failed), as POST /api/sessions/:key/log answers.
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { recentActivities } from "../../db/repos/overrides.ts";
import { strengthLogsOf } from "../../db/repos/strength-logs.ts";
import { readStoredSettings } from "../../domain/settings.ts";
import {
  addDays,
  isoWithOffset,
  isValidDate,
  localDate,
  mondayOf,
  startOfLocalDay,
  zonedInstant,
} from "../../domain/time.ts";
import { activityView } from "../../plan/activity-view.ts";
import { PlanError } from "../../plan/errors.ts";
import { planHistoryView } from "../../plan/history-view.ts";
import { markRunKind } from "../../plan/mark-run-kind.ts";
import { markSession } from "../../plan/mark-session.ts";
import { moveSession } from "../../plan/move-session.ts";
import { currentPlanView } from "../../plan/plan-view.ts";
import { logSession } from "../../plan/strength-log.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { AppError, asAppError, statusOf } from "../errors.ts";
import { csrfToken, requireCsrf } from "../middleware/csrf.ts";
import { requirePageAthlete } from "../middleware/page-session.ts";
import { errorPage, signedInCsrf } from "../pages/errors.tsx";
import { errorSummary, readLogForm } from "../pages/log-fields.ts";
import { type LogFormState, type PlanDay, type PlanPageData, planPage } from "../pages/plan.tsx";
import type { SessionEnv } from "../session.ts";

export const PLAN_PAGE_HISTORY = 5;

type PageContext = Context<SessionEnv>;

async function renderPlan(
  c: PageContext,
  deps: AppDeps,
  notice: PlanPageData["notice"],
  status: ContentfulStatusCode = 200,
  logForm: LogFormState | null = null,
) {
  const athlete = c.get("athlete");
  const now = deps.now();
  const tz = athlete.timezone;
  const today = localDate(now.getTime(), tz);
  const monday = mondayOf(today);
  const last = addDays(monday, 13);
  const [plan, activities, history, logs] = await Promise.all([
    currentPlanView(deps.db, athlete, now, monday, last),
    recentActivities(deps.db, athlete.id, new Date(startOfLocalDay(monday, tz))),
    planHistoryView(deps.db, athlete.id, PLAN_PAGE_HISTORY),
    strengthLogsOf(deps.db, athlete.id, { from: monday }),
  ]);
  const runs = activities.filter((a) => a.sport === "run").map((a) => activityView(a, tz));
  const days: PlanDay[] = [];
  for (let date = monday; date <= last; date = addDays(date, 1)) {
    const verdict = plan.days.find((d) => d.date === date);
    days.push({
      date,
      kind: verdict?.kind ?? null,
      reasons: verdict?.reasons ?? [],
      sessions: plan.sessions.filter((s) => s.start.slice(0, 10) === date),
      runs: runs.filter((r) => r.start.slice(0, 10) === date).reverse(),
    });
  }
  const data: PlanPageData = {
    csrf: csrfToken(c, deps.config),
    timezone: tz,
    today,
    units: readStoredSettings(athlete.settings).units ?? "kg",
    logs: new Map(logs.map((l) => [l.sessionKey, l])),
    logForm,
    weeks: [
      { title: "This week", days: days.slice(0, 7) },
      { title: "Next week", days: days.slice(7) },
    ],
    unplaced: plan.unplaced,
    version: plan.version,
    history,
    notice,
  };
  return c.html(planPage(data), status);
}

/**
 * Runs a form's verb: its refusal is shown on the plan page (with the log form
 * as it was sent, when it was that form), success goes back to it: to the new
 * version's sentences, or to `/plan?<notice>` when no version changed.
 */
async function act(
  c: PageContext,
  deps: AppDeps,
  verb: () => Promise<number | null | { notice: string }>,
  logForm: LogFormState | null = null,
) {
  try {
    const version = await verb();
    if (version !== null && typeof version === "object") return c.redirect(`/plan?${version.notice}`, 303);
    return c.redirect(version === null ? "/plan" : `/plan?updated=${version}`, 303);
  } catch (thrown) {
    const err = thrown instanceof Error ? asAppError(thrown) : thrown;
    if (!(err instanceof AppError) || err.code === "unauthorized") throw thrown;
    c.get("logger").info({ code: err.code, err: err.message }, "form refused");
    return renderPlan(
      c,
      deps,
      { kind: "alert", text: `Not changed: ${err.message}.` },
      statusOf(err.code),
      logForm,
    );
  }
}

/** The notices a redirect back to /plan may name, besides a version's sentences. */
const PLAN_NOTICES: Record<string, string> = {
  logged: "Saved. Your sets are stored; the next sessions' loads follow from them.",
};

const DATETIME_LOCAL = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})$/;

async function formField(c: PageContext, name: string): Promise<string> {
  const value = (await c.req.parseBody())[name];
  return typeof value === "string" ? value : "";
}

export function registerPagePlan(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requirePageAthlete(deps);
  const csrf = requireCsrf(deps.config, (c, reason) =>
    errorPage(c, 403, `Nothing was changed: ${reason}.`, signedInCsrf(c, deps)),
  );

  app.get("/plan", guard, async (c) => {
    const raw = c.req.query("updated");
    const version = raw !== undefined && /^\d{1,9}$/.test(raw) ? Number(raw) : null;
    let notice: PlanPageData["notice"] = null;
    const named = c.req.query("notice");
    if (named !== undefined && Object.hasOwn(PLAN_NOTICES, named))
      notice = { kind: "ok", text: PLAN_NOTICES[named] ?? "Saved." };
    if (version !== null) {
      const changed = (await planHistoryView(deps.db, c.get("athleteId"), PLAN_PAGE_HISTORY)).find(
        (v) => v.version === version,
      );
      const sentences = changed?.changes.map((ch) => ch.sentence) ?? [];
      notice = { kind: "ok", text: sentences.length > 0 ? `Saved. ${sentences.join(". ")}.` : "Saved." };
    }
    c.header("Cache-Control", "no-store");
    return renderPlan(c, deps, notice);
  });

  for (const [path, status] of [
    ["done", "done"],
    ["skip", "skipped"],
  ] as const) {
    app.post(`/plan/sessions/:key/${path}`, guard, csrf, (c) =>
      act(c, deps, async () => {
        const result = await markSession(verbDeps(deps, c), c.get("athlete"), c.req.param("key"), status);
        return result.changes.length > 0 ? result.version : null;
      }),
    );
  }

  app.post("/plan/sessions/:key/log", guard, csrf, async (c) => {
    const athlete = c.get("athlete");
    const key = c.req.param("key");
    const units = readStoredSettings(athlete.settings).units ?? "kg";
    const read = readLogForm(await c.req.parseBody(), units);
    const state: LogFormState = { key, values: read.values, errors: read.errors };
    const body = read.body;
    if (!body) {
      c.get("logger").info({ fields: Object.keys(read.errors) }, "log form refused");
      const text = `Not changed: ${errorSummary(read.values, read.errors)}.`;
      return renderPlan(c, deps, { kind: "alert", text }, statusOf("validation_failed"), state);
    }
    return act(
      c,
      deps,
      async () => {
        const result = await logSession(verbDeps(deps, c), athlete, key, body);
        c.get("logger").info(
          { sessionKey: result.session.key, version: result.version, exercises: body.exercises.length },
          "session logged",
        );
        return result.changes.length > 0 ? result.version : { notice: "notice=logged" };
      },
      state,
    );
  });

  app.post("/plan/sessions/:key/move", guard, csrf, async (c) => {
    const start = await formField(c, "start");
    return act(c, deps, async () => {
      const m = DATETIME_LOCAL.exec(start);
      if (!m?.[1] || !isValidDate(m[1]) || Number(m[2]) > 23 || Number(m[3]) > 59)
        throw new PlanError("invalid_input", "start: give a date and a time, such as 2026-12-09 18:30");
      const tz = c.get("athlete").timezone;
      const instant = zonedInstant(m[1], Number(m[2]) * 60 + Number(m[3]), tz);
      const result = await moveSession(
        verbDeps(deps, c),
        c.get("athlete"),
        c.req.param("key"),
        isoWithOffset(instant, tz),
      );
      return result.changes.length > 0 ? result.version : null;
    });
  });

  app.post("/plan/runs/:id/kind", guard, csrf, async (c) => {
    const kind = await formField(c, "kind");
    const raw = c.req.param("id");
    return act(c, deps, async () => {
      if (kind !== "easy" && kind !== "quality")
        throw new PlanError("invalid_input", "kind: must be easy or quality");
      const id = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN;
      if (!Number.isSafeInteger(id) || id <= 0)
        throw new PlanError("not_found", `you have no activity ${raw}`);
      await markRunKind(verbDeps(deps, c), c.get("athlete"), id, kind);
      return null;
    });
  });
}
