// The athlete's settings: GET /api/settings answers every field (defaults filled
// in, and named), PATCH /api/settings takes any part of it. Field names are those
// of the `athlete` object of `runstrong plan` (contracts/cli.md) plus runTemplate,
// notifications, runningPlanIcsUrl and the read-only calendarUrl. Every change
// that alters what the planner sees re-plans, with the changed names as the cause.
// POST /api/calendar/rotate replaces the feed's secret URL.
import type { Hono } from "hono";
import { z } from "zod";
import { rotateCalendarToken } from "../../db/repos/calendar.ts";
import { addFollowUps } from "../../db/repos/outbox.ts";
import { deletePlannedRuns } from "../../db/repos/planned-runs.ts";
import { type SettingsRow, saveSettings, settingsOf } from "../../db/repos/settings.ts";
import {
  AthleteSettingsSchema,
  DEFAULT_AVAILABILITY,
  DEFAULT_QUALITY_BUFFER_HOURS,
  DEFAULT_SESSIONS_PER_WEEK,
} from "../../domain/plan/input.ts";
import { readStoredSettings, runTemplateOf, storedSettingsSchema } from "../../domain/settings.ts";
import { FeedFetchError, feedUrl } from "../../integrations/calendar/fetch-feed.ts";
import { type FollowUp, queueFollowUps } from "../../workers/outbox.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";
import { calendarUrl } from "./calendar-feed.ts";

/** The settings kept in athletes.settings, in the order the API lists them. */
const STORED_FIELDS = [
  "raceDate",
  "sessionsPerWeek",
  "qualityBufferHours",
  "availability",
  "blackouts",
  "preferredWeekdays",
  "strengthExperience",
  "liftingSince",
  "strengthTiming",
  "runTemplate",
  "notifications",
  "runningPlanIcsUrl",
] as const;
type StoredField = (typeof STORED_FIELDS)[number];
const READ_ONLY = new Set(["calendarUrl", "defaults"]);

/** A PATCH body: any part of the settings, nothing else; `null` clears the nullable ones. */
const patchSchema = storedSettingsSchema
  .extend({
    timezone: AthleteSettingsSchema.shape.timezone,
    // No defaults here: `{email: false}` must not also reset push.
    notifications: z.object({ email: z.boolean(), push: z.boolean() }).partial().strict(),
  })
  .partial()
  .strict();

export interface SettingsView {
  timezone: string;
  raceDate: string | null;
  sessionsPerWeek: number;
  qualityBufferHours: number;
  availability: unknown[];
  blackouts: string[];
  preferredWeekdays: number[];
  strengthExperience: string;
  liftingSince: string | null;
  strengthTiming: string;
  runTemplate: unknown[];
  notifications: { email: boolean; push: boolean };
  runningPlanIcsUrl: string | null;
  calendarUrl: string;
  /** the fields the athlete has not set, which answer with runstrong's defaults */
  defaults: StoredField[];
}

function viewOf(
  row: Pick<SettingsRow, "timezone" | "settings" | "calendarToken">,
  publicUrl: string,
): SettingsView {
  const s = readStoredSettings(row.settings);
  return {
    timezone: row.timezone,
    raceDate: s.raceDate ?? null,
    sessionsPerWeek: s.sessionsPerWeek ?? DEFAULT_SESSIONS_PER_WEEK,
    qualityBufferHours: s.qualityBufferHours ?? DEFAULT_QUALITY_BUFFER_HOURS,
    availability: s.availability ?? DEFAULT_AVAILABILITY,
    blackouts: s.blackouts ?? [],
    preferredWeekdays: s.preferredWeekdays ?? [],
    strengthExperience: s.strengthExperience ?? "trained",
    liftingSince: s.liftingSince ?? null,
    strengthTiming: s.strengthTiming ?? "after-run",
    runTemplate: [...runTemplateOf(s)],
    notifications: { email: s.notifications?.email ?? true, push: s.notifications?.push ?? true },
    runningPlanIcsUrl: s.runningPlanIcsUrl ?? null,
    calendarUrl: calendarUrl(publicUrl, row.calendarToken),
    defaults: STORED_FIELDS.filter((f) => !isSet(row.settings, f)),
  };
}

/** Set means stored and readable: an unreadable value (an older shape) reads as the default. */
function isSet(raw: Record<string, unknown>, field: StoredField): boolean {
  const value = raw[field];
  return value !== undefined && value !== null && storedSettingsSchema.safeParse({ [field]: value }).success;
}

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every problem of a PATCH body, one entry per bad field (a nested problem says where inside). */
export function patchProblems(body: unknown): {
  patch: z.output<typeof patchSchema>;
  problems: FieldProblem[];
} {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { patch: {}, problems: [{ field: "(body)", message: "expected a JSON object of settings" }] };
  }
  const problems: FieldProblem[] = [];
  const rest: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY.has(key)) {
      problems.push({
        field: key,
        message:
          key === "calendarUrl"
            ? "read-only: POST /api/calendar/rotate replaces the feed's URL"
            : "read-only: lists the fields that take runstrong's defaults",
      });
    } else rest[key] = value;
  }
  const parsed = patchSchema.safeParse(rest);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const [head, ...inner] = issue.path;
      if (issue.code === "unrecognized_keys" && head === undefined) {
        for (const key of issue.keys) problems.push({ field: key, message: "unknown field" });
        continue;
      }
      const where = inner.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
      const message =
        issue.code === "unrecognized_keys" ? `unknown field ${issue.keys.join(", ")}` : issue.message;
      problems.push({
        field: head === undefined ? "(body)" : String(head),
        message: where ? `${where.replace(/^\./, "")}: ${message}` : message,
      });
    }
  }
  const url = rest.runningPlanIcsUrl;
  if (typeof url === "string" && !problems.some((p) => p.field === "runningPlanIcsUrl")) {
    try {
      feedUrl(url);
    } catch (err) {
      if (!(err instanceof FeedFetchError)) throw err;
      problems.push({ field: "runningPlanIcsUrl", message: err.message });
    }
  }
  return { patch: parsed.success ? parsed.data : {}, problems };
}

/** The stored settings object after a patch: nulls remove, notifications merge, the rest replaces. */
function merged(raw: Record<string, unknown>, patch: z.output<typeof patchSchema>, body: object) {
  const next: Record<string, unknown> = { ...raw };
  for (const key of Object.keys(body)) {
    if (key === "timezone") continue;
    const value = (patch as Record<string, unknown>)[key];
    if (value === null || value === undefined) delete next[key];
    else if (key === "notifications") {
      const before = typeof raw.notifications === "object" && raw.notifications ? raw.notifications : {};
      next.notifications = { ...before, ...(value as object) };
    } else next[key] = value;
  }
  return next;
}

const FIELD_NAMES = ["timezone", ...STORED_FIELDS] as const;

/**
 * What a change calls for: a re-plan naming the changed fields, and the athlete's
 * schedules kept in step (the roll-forward follows the time zone, the running-plan
 * import follows its URL and re-reads all-day entries when the zone moves their 07:00).
 */
function followUpsOf(changed: readonly string[], after: SettingsView): FollowUp[] {
  const out: FollowUp[] = [];
  if (changed.length > 0) out.push({ type: "replan", cause: { type: "settings", fields: [...changed] } });
  if (changed.includes("timezone")) out.push({ type: "roll-forward" });
  if (changed.includes("runningPlanIcsUrl")) out.push({ type: "running-plan-url" });
  else if (changed.includes("timezone") && after.runningPlanIcsUrl)
    out.push({ type: "running-plan-reimport" });
  return out;
}

/**
 * Validates, merges and stores a settings change, and with it, in the same
 * transaction, its follow-ups (followUpsOf): a re-plan with the names of the
 * fields whose effective value changed, and the athlete's schedules kept in step.
 * They are queued at once when Redis takes them, else by the outbox sweep: the
 * change is saved either way.
 */
export async function updateSettings(
  deps: Pick<AppDeps, "db" | "queues" | "config" | "now" | "logger">,
  athleteId: number,
  body: unknown,
): Promise<{ view: SettingsView; changed: string[] }> {
  const { patch, problems } = patchProblems(body);
  if (problems.length > 0) {
    throw new AppError(
      "validation_failed",
      `${problems.length === 1 ? "1 setting is" : `${problems.length} settings are`} not valid: ${[...new Set(problems.map((p) => p.field))].join(", ")}`,
      { fields: problems },
    );
  }
  const publicUrl = deps.config.http.publicUrl;
  // Optimistic: the row is written only if it still holds what the change was computed from.
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await settingsOf(deps.db, athleteId);
    if (!row) throw new AppError("unauthorized", "sign in first: connect Strava at /auth/strava");
    const next = {
      timezone: patch.timezone ?? row.timezone,
      settings: merged(row.settings, patch, body as object),
    };
    const before = viewOf(row, publicUrl);
    const after = viewOf({ ...row, ...next }, publicUrl);
    const changed = FIELD_NAMES.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
    if (next.timezone === row.timezone && JSON.stringify(next.settings) === JSON.stringify(row.settings)) {
      return { view: before, changed: [] };
    }
    const urlCleared = changed.includes("runningPlanIcsUrl") && after.runningPlanIcsUrl === null;
    const saved = await deps.db.transaction(async (tx) => {
      if (!(await saveSettings(tx, athleteId, next, row))) return null;
      if (urlCleared) await deletePlannedRuns(tx, athleteId, "ics");
      return addFollowUps(tx, athleteId, followUpsOf(changed, after));
    });
    if (!saved) continue;
    await queueFollowUps(deps, saved);
    return { view: after, changed };
  }
  throw new AppError("conflict", "your settings changed while this change was being saved; please try again");
}

async function readJson(c: { req: { json: () => Promise<unknown> } }): Promise<unknown> {
  try {
    return await c.req.json();
  } catch {
    throw new AppError("bad_request", "the body must be JSON (Content-Type: application/json)");
  }
}

export function registerApiSettings(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requireAthlete(deps);

  app.get("/api/settings", guard, async (c) => {
    const row = await settingsOf(deps.db, c.get("athleteId"));
    if (!row) throw new AppError("unauthorized", "sign in first: connect Strava at /auth/strava");
    return c.json(viewOf(row, deps.config.http.publicUrl));
  });

  app.patch("/api/settings", guard, async (c) => {
    const { view, changed } = await updateSettings(
      { ...deps, logger: c.get("logger") },
      c.get("athleteId"),
      await readJson(c),
    );
    if (changed.length > 0) c.get("logger").info({ changed }, "settings changed");
    return c.json(view);
  });

  app.post("/api/calendar/rotate", guard, async (c) => {
    const token = await rotateCalendarToken(deps.db, c.get("athleteId"));
    c.get("logger").info("calendar feed URL rotated");
    return c.json({ calendarUrl: calendarUrl(deps.config.http.publicUrl, token) });
  });
}
