import type { Hono } from "hono";
import ical, { ICalCalendarMethod } from "ical-generator";
import { athleteByCalendarToken } from "../../db/repos/calendar.ts";
import { latestPlan, type StoredSession } from "../../db/repos/plans.ts";
import { exercisesOf } from "../../plan/exercises.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";

function describe(s: StoredSession): string {
  const exercises = exercisesOf(s.exercises).map((e) => `- ${e.name}: ${e.sets} x ${e.reps} (${e.load})`);
  return [
    `Strength ${s.session}, ${s.phase} phase`,
    "",
    ...exercises,
    "",
    "Why this slot:",
    ...s.reasons.map((r) => `- ${r}`),
  ].join("\n");
}

/**
 * The athlete's strength sessions as an iCalendar feed. The token in the URL is
 * the only credential (calendar apps cannot send cookies): 256 random bits,
 * rotatable. UID is the session's stable key, so a moved session updates the
 * event in place; SEQUENCE rises with each change; a removed session is simply
 * absent, which subscribing apps treat as deleted. Times are written in UTC:
 * unambiguous in every calendar app, which shows them in the athlete's own zone.
 */
export function registerCalendarFeed(app: Hono<AppEnv>, deps: Pick<AppDeps, "db" | "config">): void {
  app.get("/calendar/:file", async (c) => {
    const file = c.req.param("file");
    const token = file.endsWith(".ics") ? file.slice(0, -4) : "";
    const athlete = token.length >= 32 ? await athleteByCalendarToken(deps.db, token) : null;
    if (!athlete)
      throw new AppError("not_found", "no calendar at this address (the link may have been replaced)");
    const plan = await latestPlan(deps.db, athlete.id);
    const cal = ical({
      name: "runstrong strength",
      description: "Strength sessions planned around your runs",
      prodId: { company: "runstrong", product: "strength-plan", language: "EN" },
      method: ICalCalendarMethod.PUBLISH,
      ttl: 60 * 60,
    });
    for (const s of plan?.sessions ?? []) {
      if (s.status === "skipped") continue;
      cal.createEvent({
        id: `${s.sessionKey}@runstrong`,
        sequence: s.sequence,
        start: s.startAt,
        end: s.endAt,
        // DTSTAMP of the version that last set the session: stable between fetches, so an
        // unchanged feed is byte-identical and calendar apps see nothing to update.
        stamp: plan?.createdAt ?? s.startAt,
        summary: `Strength ${s.session}${s.status === "done" ? " (done)" : ""}`,
        description: describe(s),
        categories: [{ name: "Strength" }],
      });
    }
    return c.body(cal.toString(), 200, {
      "content-type": "text/calendar; charset=utf-8",
      "cache-control": "private, max-age=300",
      "content-disposition": 'inline; filename="runstrong.ics"',
    });
  });
}
