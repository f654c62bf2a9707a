import type { Athlete } from "../db/repos/athletes.ts";
import type { StoredSession } from "../db/repos/plans.ts";
import { diffPlans } from "../domain/plan/diff.ts";
import { checkSession } from "../domain/plan/rules.ts";
import { dayTime } from "../domain/plan/wording.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import type { SessionOverrideResult } from "./mark-session.ts";
import { sessionView } from "./session-view.ts";
import { planContextFor, sessionOf, storeOverride } from "./store-override.ts";
import { letterOf, sessionRef } from "./stored-session.ts";
import { when } from "./wording.ts";

/**
 * Moves a session where the athlete wants it, judged by the planner's own rule
 * check against the plan's context: a slot that breaks a hard rule is refused
 * with the rule and the run it collides with. An accepted move is pinned, keeps
 * its key (the calendar event follows it) and raises its SEQUENCE. `startIso` is
 * an ISO 8601 instant with an offset (the caller has checked its form).
 */
export async function moveSession(
  deps: PlanDeps,
  athlete: Athlete,
  key: string,
  startIso: string,
): Promise<SessionOverrideResult> {
  const { plan, session } = await sessionOf(deps, athlete.id, key);
  const now = deps.now();
  const tz = athlete.timezone;
  const letter = letterOf(session);
  if (session.status !== "planned")
    throw new PlanError(
      "conflict",
      `Strength ${letter} is marked ${session.status}; only a planned session moves`,
    );
  if (session.startAt.getTime() <= now.getTime())
    throw new PlanError(
      "conflict",
      `Strength ${letter} on ${when(session.startAt.getTime(), tz)} has already started`,
    );
  const startMs = Date.parse(startIso);
  const endMs = startMs + (session.endAt.getTime() - session.startAt.getTime());
  const { ctx, window } = await planContextFor(deps, athlete, plan, now);
  const targetDate = ctx.clock.localDate(startMs);
  const fieldError = (message: string) =>
    new PlanError("invalid_input", `start: ${message}`, { fields: [{ field: "start", message }] });
  if (startMs <= now.getTime()) throw fieldError("must be in the future");
  if (targetDate > window.to) throw fieldError(`must fall within your planned weeks (until ${window.to})`);

  const others = plan.sessions
    .filter((s) => s.sessionKey !== key && s.status !== "skipped")
    .map((s) => ({ start: s.startAt.toISOString() }));
  const violations = checkSession({ start: ctx.clock.iso(startMs), end: ctx.clock.iso(endMs) }, ctx, others);
  const target = dayTime(startMs, ctx.clock);
  if (violations.length > 0) {
    throw new PlanError(
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
  const diff = diffPlans(plan.sessions.map(sessionRef), next.map(sessionRef), ctx).map((c) =>
    c.key === key && c.type === "moved"
      ? { ...c, sentence: `Strength ${letter} moved from ${from} to ${target}: you moved it` }
      : c,
  );
  const what = `moved Strength ${letter} to ${target}`;
  const stored = await storeOverride(deps, athlete.id, plan, moved, { type: "override", what }, diff);
  return { version: stored.version, session: sessionView(moved, tz), changes: diff };
}
