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
import { addFollowUps } from "../../db/repos/outbox.ts";
import {
  type AthleteActivity,
  activityOfAthlete,
  PlanChangedError,
  recentActivities,
  setKindOverride,
  storeOverrideVersion,
} from "../../db/repos/overrides.ts";
import { latestPlan, type StoredPlan, type StoredSession } from "../../db/repos/plans.ts";
import { planContextOf } from "../../domain/plan/context.ts";
import { diffPlans, type PlanChange, type SessionRef } from "../../domain/plan/diff.ts";
import { PlanRunSchema, type SessionLetter } from "../../domain/plan/input.ts";
import { checkSession } from "../../domain/plan/rules.ts";
import { dayTime } from "../../domain/plan/wording.ts";
import {
  isoWeekday,
  isoWithOffset,
  localDate,
  localTime,
  mondayOf,
  WEEKDAY_NAMES,
} from "../../domain/time.ts";
import type { Logger } from "../../observability/logger.ts";
import type { ReplanCause } from "../../plan/cause.ts";
import { loadPlanInput } from "../../plan/load-input.ts";
import { type FollowUp, queueFollowUps } from "../../workers/outbox.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

type Deps = Pick<AppDeps, "db" | "queues" | "config" | "now" | "logger">;
type Athlete = NonNullable<Awaited<ReturnType<typeof getAthlete>>>;

const DEFAULT_DAYS = 14;
const MAX_DAYS = 365;

// ---- activities ----------------------------------------------------------------

function activityView(a: AthleteActivity, timezone: string) {
  return {
    id: a.id,
    provider: a.provider,
    name: a.name,
    sport: a.sport,
    start: isoWithOffset(a.startAt.getTime(), timezone),
    durationMin: Math.round(a.elapsedS / 60),
    kind: a.kind,
    subtype: a.subtype,
    confidence: a.confidence,
    reasons: a.reasons ?? [],
    kindOverride: a.kindOverride,
  };
}

/** "Tue 2026-12-08 07:00" in the athlete's zone. */
function when(ms: number, timezone: string): string {
  const date = localDate(ms, timezone);
  return `${WEEKDAY_NAMES[isoWeekday(date) - 1]} ${date} ${localTime(ms, timezone)}`;
}

const kindBody = z.object({ kind: z.enum(["easy", "quality"]).nullable() }).strict();

/** Stores the athlete's verdict on one of their runs and re-plans when it changed. */
export async function markRunKind(
  deps: Deps,
  athlete: Athlete,
  activityId: number,
  kind: "easy" | "quality" | null,
): Promise<ReturnType<typeof activityView>> {
  const activity = await activityOfAthlete(deps.db, athlete.id, activityId);
  if (!activity) throw new AppError("not_found", `you have no activity ${activityId}`);
  if (activity.sport !== "run")
    throw new AppError(
      "conflict",
      `activity ${activityId} is not a run (${activity.sport}); only runs are easy or quality`,
    );
  if (activity.kindOverride === kind) return activityView(activity, athlete.timezone);
  const run = `the run "${activity.name}" (${when(activity.startAt.getTime(), athlete.timezone)})`;
  const cause: ReplanCause = {
    type: "override",
    what: kind ? `marked ${run} as ${kind}` : `cleared your mark on ${run}`,
  };
  const stored = await deps.db.transaction(async (tx) => {
    const updated = await setKindOverride(tx, athlete.id, activityId, kind, deps.now());
    if (!updated) return null;
    return { updated, followUps: await addFollowUps(tx, athlete.id, [replanFollowUp(cause)]) };
  });
  if (!stored) throw new AppError("not_found", `you have no activity ${activityId}`);
  await queueFollowUps(deps, stored.followUps);
  return activityView(stored.updated, athlete.timezone);
}

// ---- sessions ------------------------------------------------------------------

/** The re-plan an override calls for, stored in the override's own transaction. */
const replanFollowUp = (cause: ReplanCause): FollowUp => ({ type: "replan", cause });

/** The PlanContext the re-plan worker would build right now: the same input, so the same verdicts. */
async function planContextFor(deps: Deps, athlete: Athlete, plan: StoredPlan, now: Date) {
  const { input, window } = await loadPlanInput(deps.db, athlete, plan.sessions, now);
  return { ctx: planContextOf(input), window };
}

async function sessionOf(deps: Deps, athleteId: number, key: string) {
  const plan = await latestPlan(deps.db, athleteId);
  const session = plan?.sessions.find((s) => s.sessionKey === key);
  if (!plan || !session) throw new AppError("not_found", `no session ${key} in your current plan`);
  return { plan, session };
}

const toRef = (s: StoredSession): SessionRef => ({
  start: s.startAt.toISOString(),
  end: s.endAt.toISOString(),
  session: s.session as SessionLetter,
  key: s.sessionKey,
});

/** Stores the latest plan with `changed` in place of its session, on top of that version only. */
async function storeOverride(
  deps: Deps,
  athleteId: number,
  plan: StoredPlan,
  changed: StoredSession,
  cause: ReplanCause,
  diff: PlanChange[],
) {
  const sessions = plan.sessions.map((s) => (s.sessionKey === changed.sessionKey ? changed : s));
  try {
    const { stored, followUps } = await deps.db.transaction(async (tx) => ({
      stored: await storeOverrideVersion(tx, plan.version, {
        athleteId,
        windowFrom: plan.windowFrom,
        windowTo: plan.windowTo,
        cause,
        diff,
        unplaced: plan.unplaced,
        sessions,
      }),
      followUps: await addFollowUps(tx, athleteId, [replanFollowUp(cause)]),
    }));
    await queueFollowUps(deps, followUps);
    return stored;
  } catch (err) {
    if (err instanceof PlanChangedError)
      throw new AppError("conflict", "your plan changed a moment ago; look at it again and retry");
    throw err;
  }
}

function sessionView(s: StoredSession, timezone: string) {
  return {
    key: s.sessionKey,
    session: s.session,
    start: isoWithOffset(s.startAt.getTime(), timezone),
    end: isoWithOffset(s.endAt.getTime(), timezone),
    status: s.status,
    pinned: s.pinned,
    sequence: s.sequence,
  };
}

/**
 * Marks a session done or skipped in a new version (SEQUENCE rises: the feed's
 * summary changes, and a skipped session leaves it). Done only once its day has
 * come. The re-plan then counts a done session and no longer counts a skipped
 * one, so it may place a make-up session later that week if a legal slot exists.
 */
export async function markSession(deps: Deps, athlete: Athlete, key: string, status: "done" | "skipped") {
  const { plan, session } = await sessionOf(deps, athlete.id, key);
  if (session.status === status)
    return { version: plan.version, session: sessionView(session, athlete.timezone), changes: [] };
  const now = deps.now();
  const tz = athlete.timezone;
  if (status === "done" && localDate(session.startAt.getTime(), tz) > localDate(now.getTime(), tz)) {
    throw new AppError(
      "conflict",
      `Strength ${session.session} on ${when(session.startAt.getTime(), tz)} is still ahead; mark it done once you have done it`,
    );
  }
  const { ctx } = await planContextFor(deps, athlete, plan, now);
  const changed: StoredSession = { ...session, status, sequence: session.sequence + 1 };
  const at = dayTime(session.startAt.getTime(), ctx.clock);
  const what = `marked Strength ${session.session} on ${at} ${status}`;
  const change: PlanChange = {
    type: "changed",
    session: session.session as SessionLetter,
    week: mondayOf(ctx.clock.localDate(session.startAt.getTime())),
    before: { start: session.startAt.toISOString(), session: session.session as SessionLetter },
    after: {
      start: session.startAt.toISOString(),
      end: session.endAt.toISOString(),
      session: session.session as SessionLetter,
    },
    key: session.sessionKey,
    sentence: `Strength ${session.session} on ${at} ${status === "done" ? "done" : "skipped"}: you marked it so`,
  };
  const stored = await storeOverride(deps, athlete.id, plan, changed, { type: "override", what }, [change]);
  return { version: stored.version, session: sessionView(changed, tz), changes: [change] };
}

const moveBody = z.object({ start: PlanRunSchema.shape.start }).strict();

/**
 * Moves a session where the athlete wants it, judged by the planner's own rule
 * check against the plan's context: a slot that breaks a hard rule is refused
 * with the rule and the run it collides with. An accepted move is pinned, keeps
 * its key (the calendar event follows it) and raises its SEQUENCE.
 */
export async function moveSession(deps: Deps, athlete: Athlete, key: string, startIso: string) {
  const { plan, session } = await sessionOf(deps, athlete.id, key);
  const now = deps.now();
  const tz = athlete.timezone;
  const letter = session.session as SessionLetter;
  if (session.status !== "planned")
    throw new AppError(
      "conflict",
      `Strength ${letter} is marked ${session.status}; only a planned session moves`,
    );
  if (session.startAt.getTime() <= now.getTime())
    throw new AppError(
      "conflict",
      `Strength ${letter} on ${when(session.startAt.getTime(), tz)} has already started`,
    );
  const startMs = Date.parse(startIso);
  const endMs = startMs + (session.endAt.getTime() - session.startAt.getTime());
  const { ctx, window } = await planContextFor(deps, athlete, plan, now);
  const targetDate = ctx.clock.localDate(startMs);
  const fieldError = (message: string) =>
    new AppError("validation_failed", `start: ${message}`, { fields: [{ field: "start", message }] });
  if (startMs <= now.getTime()) throw fieldError("must be in the future");
  if (targetDate > window.to) throw fieldError(`must fall within your planned weeks (until ${window.to})`);

  const others = plan.sessions
    .filter((s) => s.sessionKey !== key && s.status !== "skipped")
    .map((s) => ({ start: s.startAt.toISOString() }));
  const violations = checkSession({ start: ctx.clock.iso(startMs), end: ctx.clock.iso(endMs) }, ctx, others);
  const target = dayTime(startMs, ctx.clock);
  if (violations.length > 0) {
    throw new AppError(
      "rule_violation",
      `Strength ${letter} cannot move to ${target}: ${violations.map((v) => v.message).join("; ")}`,
      { violations },
    );
  }
  if (startMs === session.startAt.getTime()) {
    return { version: plan.version, session: sessionView(session, tz), changes: [] };
  }

  const from = dayTime(session.startAt.getTime(), ctx.clock);
  const moved: StoredSession = {
    ...session,
    startAt: new Date(startMs),
    endAt: new Date(endMs),
    pinned: true,
    sequence: session.sequence + 1,
    reasons: [`you moved it here from ${from}`],
  };
  const next = plan.sessions.map((s) => (s.sessionKey === key ? moved : s));
  const diff = diffPlans(plan.sessions.map(toRef), next.map(toRef), ctx).map((c) =>
    c.key === key && c.type === "moved"
      ? { ...c, sentence: `Strength ${letter} moved from ${from} to ${target}: you moved it` }
      : c,
  );
  const what = `moved Strength ${letter} to ${target}`;
  const stored = await storeOverride(deps, athlete.id, plan, moved, { type: "override", what }, diff);
  return { version: stored.version, session: sessionView(moved, tz), changes: diff };
}

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
