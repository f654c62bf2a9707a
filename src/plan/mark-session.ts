import type { Athlete } from "../db/repos/athletes.ts";
import type { StoredSession } from "../db/repos/plans.ts";
import type { PlanChange } from "../domain/plan/diff.ts";
import { dayTime } from "../domain/plan/wording.ts";
import { localDate, mondayOf } from "../domain/time.ts";
import type { ReplanCause } from "./cause.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { type SessionView, sessionView } from "./session-view.ts";
import { planContextFor, sessionOf, storeOverride } from "./store-override.ts";
import { letterOf } from "./stored-session.ts";
import { when } from "./wording.ts";

export interface SessionOverrideResult {
  /** the plan version that holds the change (the current one when nothing changed) */
  version: number;
  session: SessionView;
  changes: PlanChange[];
}

/**
 * Marks a session done or skipped in a new version (SEQUENCE rises: the feed's
 * summary changes, and a skipped session leaves it). Done only once its day has
 * come. The re-plan then counts a done session and no longer counts a skipped
 * one, so it may place a make-up session later that week if a legal slot exists.
 */
export async function markSession(
  deps: PlanDeps,
  athlete: Athlete,
  key: string,
  status: "done" | "skipped",
  /** who marked it, when not the athlete by hand: a logged activity's cause and its why */
  by?: { cause: ReplanCause; because: string },
): Promise<SessionOverrideResult> {
  const { plan, session } = await sessionOf(deps, athlete.id, key);
  if (session.status === status)
    return { version: plan.version, session: sessionView(session, athlete.timezone), changes: [] };
  const now = deps.now();
  const tz = athlete.timezone;
  const letter = letterOf(session);
  if (status === "done" && localDate(session.startAt.getTime(), tz) > localDate(now.getTime(), tz)) {
    throw new PlanError(
      "conflict",
      `Strength ${letter} on ${when(session.startAt.getTime(), tz)} is still ahead; mark it done once you have done it`,
    );
  }
  const { ctx } = await planContextFor(deps, athlete, plan, now);
  const changed: StoredSession = { ...session, status, sequence: session.sequence + 1 };
  const at = dayTime(session.startAt.getTime(), ctx.clock);
  const what = `marked Strength ${letter} on ${at} ${status}`;
  const change: PlanChange = {
    type: "changed",
    session: letter,
    week: mondayOf(ctx.clock.localDate(session.startAt.getTime())),
    before: { start: session.startAt.toISOString(), session: letter },
    after: { start: session.startAt.toISOString(), end: session.endAt.toISOString(), session: letter },
    key: session.sessionKey,
    sentence: `Strength ${letter} on ${at} ${status === "done" ? "done" : "skipped"}: ${by?.because ?? "you marked it so"}`,
  };
  const cause: ReplanCause = by?.cause ?? { type: "override", what };
  const stored = await storeOverride(deps, athlete.id, plan, changed, cause, [change]);
  return { version: stored.version, session: sessionView(changed, tz), changes: [change] };
}
