// GET /notifications, its forms, and the scripts it runs (/assets/notifications.js
// and the service worker /sw.js). The forms call the same verbs as the JSON API:
// updateSettings (PATCH /api/settings: the address, email and push on or off,
// quiet hours), resendEmailConfirmation (which counts against the same hourly
// confirmation-mail limit as a new address), and the feed's rotation (POST
// /api/calendar/rotate). A refusal re-renders the page with the verb's words next
// to the field and the status the API would answer; success is 303 →
// /notifications?saved=<what>. The page shows the feed's secret URL, so it is
// answered with Referrer-Policy: no-referrer and is never cached.
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { rotateCalendarToken } from "../../db/repos/calendar.ts";
import { subscriptionsOf } from "../../db/repos/notifications.ts";
import { retryAfterOf } from "../../plan/confirm-mail-limit.ts";
import { resendEmailConfirmation } from "../../plan/resend-confirmation.ts";
import { settingsView } from "../../plan/settings-view.ts";
import { type FieldProblem, updateSettings } from "../../plan/update-settings.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { AppError, asAppError, statusOf } from "../errors.ts";
import { csrfToken, requireCsrf } from "../middleware/csrf.ts";
import { requirePageAthlete } from "../middleware/page-session.ts";
import { errorPage, signedInCsrf } from "../pages/errors.tsx";
import {
  type FieldErrors,
  NOTIFICATIONS_SCRIPT_PATH,
  type NotificationsPageData,
  notificationsPage,
} from "../pages/notifications.tsx";
import { NOTIFICATIONS_JS, SERVICE_WORKER_JS } from "../pages/scripts/index.ts";
import type { SessionEnv } from "../session.ts";

type PageContext = Context<SessionEnv>;

export const SERVICE_WORKER_PATH = "/sw.js";

/** What each accepted form says on the page it redirects to. */
const SAVED = {
  email: "Saved. We sent a confirmation link to your new address: plan mail goes there once you follow it.",
  "email-removed": "Saved. Plan mail goes to no address now.",
  "email-same": "That is the address you have already.",
  resent: "Sent. A new confirmation link is on its way; check your inbox.",
  channels: "Saved.",
  "quiet-hours": "Saved. Quiet hours are set.",
  "quiet-hours-off": "Saved. No quiet hours: messages go out when the plan changes.",
  feed: "The feed has a new URL. The old one no longer works: give your calendar the new one.",
} as const;
type Saved = keyof typeof SAVED;

interface Refusal {
  errors: FieldErrors;
  entered: NotificationsPageData["entered"];
}

async function renderNotifications(
  c: PageContext,
  deps: AppDeps,
  shown: Pick<NotificationsPageData, "notice"> & Partial<Refusal>,
  status: ContentfulStatusCode = 200,
) {
  const athlete = c.get("athlete");
  const view = settingsView(athlete, deps.config.http.publicUrl);
  const devices = await subscriptionsOf(deps.db, athlete.id);
  const data: NotificationsPageData = {
    csrf: csrfToken(c, deps.config),
    timezone: athlete.timezone,
    email: view.email,
    emailConfirmed: view.emailConfirmed,
    notifications: view.notifications,
    calendarUrl: view.calendarUrl,
    devices: devices.map((d) => ({
      createdAt: d.createdAt.toISOString(),
      host: new URL(d.endpoint).host,
      failureCount: d.failureCount,
    })),
    vapidConfigured: deps.config.push.vapidPublicKey !== "",
    notice: shown.notice,
    errors: shown.errors ?? {},
    entered: shown.entered ?? {},
  };
  // The feed's URL is a secret: no link on this page may carry it away in a Referer.
  c.header("Referrer-Policy", "no-referrer");
  c.header("Cache-Control", "no-store");
  return c.html(notificationsPage(data), status);
}

/** The verb's field problems as the fields of this page show them. */
function fieldErrors(problems: readonly FieldProblem[]): FieldErrors {
  const out: FieldErrors = {};
  for (const p of problems) {
    if (p.field === "email") out.email = p.message;
    else if (p.field === "notifications") {
      const m = /^quietHours(?:\.(from|to))?: (.*)$/s.exec(p.message);
      if (m?.[1] === "from") out.quietFrom = m[2];
      else if (m?.[1] === "to") out.quietTo = m[2];
      else out.quietHours = m?.[2] ?? p.message;
    }
  }
  return out;
}

/**
 * Runs a form's verb: success goes back to the page with what it saved; a refusal
 * is shown on the page in the verb's words, beside the fields it names, with the
 * API's status (and its Retry-After when the confirmation mail is rate limited).
 */
async function act(
  c: PageContext,
  deps: AppDeps,
  entered: NotificationsPageData["entered"],
  verb: () => Promise<Saved>,
  onField?: keyof FieldErrors,
) {
  try {
    return c.redirect(`/notifications?saved=${await verb()}`, 303);
  } catch (thrown) {
    const err = thrown instanceof Error ? asAppError(thrown) : thrown;
    if (!(err instanceof AppError) || err.code === "unauthorized") throw thrown;
    c.get("logger").info({ code: err.code, err: err.message }, "form refused");
    const retryAfterS = retryAfterOf(thrown);
    if (retryAfterS !== null) c.header("Retry-After", String(retryAfterS));
    const fields = (err.details as { fields?: FieldProblem[] } | undefined)?.fields;
    const errors = fields ? fieldErrors(fields) : onField ? { [onField]: `${err.message}` } : {};
    return renderNotifications(
      c,
      deps,
      { notice: { kind: "alert", text: `Not changed: ${err.message}.` }, errors, entered },
      statusOf(err.code),
    );
  }
}

async function formText(c: PageContext, name: string): Promise<string> {
  const value = (await c.req.parseBody())[name];
  return typeof value === "string" ? value : "";
}

export function registerPageNotifications(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requirePageAthlete(deps);
  // This page's no-referrer makes the browser send `Origin: null` on its forms: the token decides.
  const csrf = requireCsrf(
    deps.config,
    (c, reason) => errorPage(c, 403, `Nothing was changed: ${reason}.`, signedInCsrf(c, deps)),
    {
      nullOrigin: true,
    },
  );

  app.get("/notifications", guard, (c) => {
    const raw = c.req.query("saved");
    const saved = raw !== undefined && Object.hasOwn(SAVED, raw) ? SAVED[raw as Saved] : null;
    return renderNotifications(c, deps, { notice: saved ? { kind: "ok", text: saved } : null });
  });

  app.post("/notifications/email", guard, csrf, async (c) => {
    const typed = (await formText(c, "email")).trim();
    return act(
      c,
      deps,
      { email: typed },
      async () => {
        const before = c.get("athlete").email;
        const { view } = await updateSettings(verbDeps(deps, c), c.get("athleteId"), {
          email: typed === "" ? null : typed,
        });
        if (view.email === before) return "email-same";
        return view.email === null ? "email-removed" : "email";
      },
      "email",
    );
  });

  app.post("/notifications/email/resend", guard, csrf, (c) =>
    act(
      c,
      deps,
      {},
      async () => {
        await resendEmailConfirmation(verbDeps(deps, c), c.get("athleteId"));
        return "resent";
      },
      "email",
    ),
  );

  app.post("/notifications/channels", guard, csrf, async (c) => {
    const form = await c.req.parseBody();
    return act(c, deps, {}, async () => {
      await updateSettings(verbDeps(deps, c), c.get("athleteId"), {
        notifications: { email: form.email === "on", push: form.push === "on" },
      });
      return "channels";
    });
  });

  app.post("/notifications/quiet-hours", guard, csrf, async (c) => {
    const from = (await formText(c, "from")).trim();
    const to = (await formText(c, "to")).trim();
    return act(c, deps, { quietFrom: from, quietTo: to }, async () => {
      const off = from === "" && to === "";
      await updateSettings(verbDeps(deps, c), c.get("athleteId"), {
        notifications: { quietHours: off ? null : { from, to } },
      });
      return off ? "quiet-hours-off" : "quiet-hours";
    });
  });

  app.post("/notifications/calendar/rotate", guard, csrf, (c) =>
    act(c, deps, {}, async () => {
      await rotateCalendarToken(deps.db, c.get("athleteId"));
      c.get("logger").info("calendar feed URL rotated");
      return "feed";
    }),
  );

  app.get(NOTIFICATIONS_SCRIPT_PATH, (c) => {
    c.header("Cache-Control", "no-cache");
    return c.body(NOTIFICATIONS_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });

  // At the root, so its scope may be the whole origin (no Service-Worker-Allowed needed);
  // no-cache, so a new version reaches browsers on their next check.
  app.get(SERVICE_WORKER_PATH, (c) => {
    c.header("Cache-Control", "no-cache");
    return c.body(SERVICE_WORKER_JS, 200, { "Content-Type": "text/javascript; charset=utf-8" });
  });
}
