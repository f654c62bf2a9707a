// A settings change: any part of the settings, validated field by field, merged
// into what is stored and saved with the follow-ups it calls for.
import { z } from "zod";
import { deleteBusyIntervals } from "../db/repos/busy-intervals.ts";
import { setEmail } from "../db/repos/notifications.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { deletePlannedRuns } from "../db/repos/planned-runs.ts";
import { saveSettings, settingsOf } from "../db/repos/settings.ts";
import { AthleteSettingsSchema } from "../domain/plan/input.ts";
import { notificationPrefsSchema, storedSettingsSchema } from "../domain/settings.ts";
import { FeedFetchError, feedUrl } from "../integrations/calendar/fetch-feed.ts";
import { emailAddress } from "../integrations/email/address.ts";
import { type FollowUp, queueFollowUps } from "../workers/outbox.ts";
import { countConfirmationMail } from "./confirm-mail-limit.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import {
  applyIntervalsIcu,
  INTERVALS_FIELD,
  type IntervalsIcuView,
  intervalsIcuView,
  splitIntervalsIcu,
} from "./intervals-link.ts";
import { type SettingsView, STORED_FIELDS, settingsView } from "./settings-view.ts";

const READ_ONLY = new Set(["calendarUrl", "defaults"]);

/** A PATCH body: any part of the settings, nothing else; `null` clears the nullable ones. */
const patchSchema = storedSettingsSchema
  .extend({
    timezone: AthleteSettingsSchema.shape.timezone,
    // No defaults here: `{email: false}` must not also reset push.
    notifications: z
      .object({ email: z.boolean(), push: z.boolean(), quietHours: notificationPrefsSchema.shape.quietHours })
      .partial()
      .strict(),
    // Kept in athletes.email, not in the settings object; plan mail waits for its confirmation.
    email: emailAddress.nullable(),
  })
  .partial()
  .strict();

export interface FieldProblem {
  field: string;
  message: string;
}

/** Every problem of a PATCH body, one entry per bad field (a nested problem says where inside). */
export function patchProblems(
  body: unknown,
  allowPrivate = false,
): {
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
  for (const field of ["runningPlanIcsUrl", "busyCalendarIcsUrl"] as const) {
    const url = rest[field];
    if (typeof url !== "string" || problems.some((p) => p.field === field)) continue;
    try {
      feedUrl(url, allowPrivate);
    } catch (err) {
      if (!(err instanceof FeedFetchError)) throw err;
      problems.push({ field, message: err.message });
    }
  }
  return { patch: parsed.success ? parsed.data : {}, problems };
}

/** The stored settings object after a patch: nulls remove, notifications merge, the rest replaces. */
function merged(raw: Record<string, unknown>, patch: z.output<typeof patchSchema>, body: object) {
  const next: Record<string, unknown> = { ...raw };
  for (const key of Object.keys(body)) {
    if (key === "timezone" || key === "email") continue;
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
  // A new zone moves all-day busy events too: the import runs again at once.
  if (changed.includes("busyCalendarIcsUrl") || (changed.includes("timezone") && after.busyCalendarIcsUrl))
    out.push({ type: "busy-calendar-url" });
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
  deps: PlanDeps,
  athleteId: number,
  body: unknown,
): Promise<{ view: SettingsView & { intervalsIcu: IntervalsIcuView }; changed: string[] }> {
  // intervals.icu's link is no stored setting: its key is sealed in destination_links.
  const intervals = splitIntervalsIcu(body);
  if (intervals.problem) {
    const problems = [...patchProblems(intervals.rest).problems, intervals.problem];
    throw new PlanError(
      "invalid_input",
      `${problems.length === 1 ? "1 setting is" : `${problems.length} settings are`} not valid: ${[...new Set(problems.map((p) => p.field))].join(", ")}`,
      { fields: problems },
    );
  }
  if (intervals.value !== undefined && patchProblems(intervals.rest).problems.length > 0) {
    await updateStoredSettings(deps, athleteId, intervals.rest); // throws the problems
  }
  const linked = intervals.value !== undefined && (await applyIntervalsIcu(deps, athleteId, intervals.value));
  const result = await updateStoredSettings(deps, athleteId, intervals.rest);
  return {
    view: { ...result.view, intervalsIcu: await intervalsIcuView(deps.db, athleteId) },
    changed: linked ? [...result.changed, INTERVALS_FIELD] : result.changed,
  };
}

async function updateStoredSettings(
  deps: PlanDeps,
  athleteId: number,
  body: unknown,
): Promise<{ view: SettingsView; changed: string[] }> {
  const { patch, problems } = patchProblems(body, deps.config.outbound.allowPrivate);
  if (problems.length > 0) {
    throw new PlanError(
      "invalid_input",
      `${problems.length === 1 ? "1 setting is" : `${problems.length} settings are`} not valid: ${[...new Set(problems.map((p) => p.field))].join(", ")}`,
      { fields: problems },
    );
  }
  const publicUrl = deps.config.http.publicUrl;
  let mailCounted = false;
  // Optimistic: the row is written only if it still holds what the change was computed from.
  for (let attempt = 0; attempt < 3; attempt++) {
    const row = await settingsOf(deps.db, athleteId);
    if (!row) throw new PlanError("unknown_athlete", `athlete ${athleteId} no longer exists`);
    const next = {
      timezone: patch.timezone ?? row.timezone,
      settings: merged(row.settings, patch, body as object),
      // Choosing UTC is a choice too: from now on an activity's zone does not replace it.
      timezoneChosen: patch.timezone !== undefined,
    };
    // A new address is unconfirmed: the confirmation mail goes out as a follow-up.
    const newEmail = patch.email !== undefined && patch.email !== row.email;
    const before = settingsView(row, publicUrl);
    const after = settingsView(
      { ...row, ...next, ...(newEmail ? { email: patch.email ?? null, emailConfirmedAt: null } : {}) },
      publicUrl,
    );
    const changed = FIELD_NAMES.filter((f) => JSON.stringify(before[f]) !== JSON.stringify(after[f]));
    if (
      !newEmail &&
      next.timezone === row.timezone &&
      (row.timezoneChosen || !next.timezoneChosen) &&
      JSON.stringify(next.settings) === JSON.stringify(row.settings)
    ) {
      return { view: before, changed: [] };
    }
    // A new address means a confirmation mail to it: counted per athlete, whichever way it was asked for.
    if (newEmail && patch.email && !mailCounted) {
      await countConfirmationMail(deps, athleteId);
      mailCounted = true;
    }
    const urlCleared = changed.includes("runningPlanIcsUrl") && after.runningPlanIcsUrl === null;
    const saved = await deps.db.transaction(async (tx) => {
      if (!(await saveSettings(tx, athleteId, next, row))) return null;
      if (urlCleared) await deletePlannedRuns(tx, athleteId, "ics");
      if (changed.includes("busyCalendarIcsUrl") && after.busyCalendarIcsUrl === null)
        await deleteBusyIntervals(tx, athleteId);
      const confirm = newEmail && (await setEmail(tx, athleteId, patch.email ?? null)) && patch.email;
      const followUps = followUpsOf(changed, after);
      return addFollowUps(
        tx,
        athleteId,
        confirm ? [...followUps, { type: "email-confirmation" }] : followUps,
      );
    });
    if (!saved) continue;
    await queueFollowUps(deps, saved);
    return { view: after, changed };
  }
  throw new PlanError(
    "conflict",
    "your settings changed while this change was being saved; please try again",
  );
}
