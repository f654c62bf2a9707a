// GET /settings and its forms, one per section (POST /settings/<section>). A form
// is read into a settings PATCH body (src/plan/settings-form.ts) and handed to
// updateSettings, the verb PATCH /api/settings calls, so the page stores exactly
// what the API would and refuses in its words, with its status. A refusal shows
// the page again with the values typed and each message beside its field; an
// accepted change answers 303 → /settings?saved=<fields> (post/redirect/get),
// which says what changed and that the plan is being re-planned (the verb's
// outbox has queued the re-plan with the change).
import type { Context, Hono } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { intervalsIcuView } from "../../plan/intervals-link.ts";
import {
  anchorOf,
  type FormValues,
  formOfView,
  type PageView,
  patchOfForm,
  SECTION_NAMES,
  SETTINGS_SECTIONS,
  type SettingsSection,
  sectionValues,
} from "../../plan/settings-form.ts";
import { settingsView } from "../../plan/settings-view.ts";
import { type FieldProblem, updateSettings } from "../../plan/update-settings.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { AppError, asAppError, statusOf } from "../errors.ts";
import { CSRF_FIELD, csrfToken, requireCsrf } from "../middleware/csrf.ts";
import { requirePageAthlete } from "../middleware/page-session.ts";
import { errorPage, signedInCsrf } from "../pages/errors.tsx";
import { FIELD_LABELS, type SettingsPageData, settingsPage } from "../pages/settings.tsx";
import type { SessionEnv } from "../session.ts";

type PageContext = Context<SessionEnv>;

const TIME_ZONES = Intl.supportedValuesOf("timeZone");
/** Every name a saved notice may carry: the sections' settings. */
const KNOWN_FIELDS = new Set<string>(Object.values(SETTINGS_SECTIONS).flat());

async function currentView(c: PageContext, deps: AppDeps): Promise<PageView> {
  return {
    ...settingsView(c.get("athlete"), deps.config.http.publicUrl),
    intervalsIcu: await intervalsIcuView(deps.db, c.get("athleteId")),
  };
}

async function render(
  c: PageContext,
  deps: AppDeps,
  page: Omit<SettingsPageData, "csrf" | "timeZones" | "view" | "form"> & {
    view: PageView;
    /** the refused section and what was sent in it, shown instead of the stored values */
    sent?: { section: SettingsSection; form: FormValues };
  },
  status: ContentfulStatusCode = 200,
) {
  const stored = formOfView(page.view);
  let form = stored;
  if (page.sent) {
    const own = sectionValues(stored, page.sent.section);
    form = Object.fromEntries(Object.entries(stored).filter(([k]) => !(k in own)));
    Object.assign(form, sectionValues(page.sent.form, page.sent.section));
  }
  c.header("Cache-Control", "no-store");
  return c.html(
    settingsPage({
      csrf: csrfToken(c, deps.config),
      timeZones: TIME_ZONES,
      view: page.view,
      form,
      errors: page.errors,
      notice: page.notice,
    }),
    status,
  );
}

/** "race date, sessions per week and units" */
function listed(names: string[]): string {
  const words = names.map((n) =>
    n === "intervalsIcu" ? "intervals.icu" : (FIELD_LABELS[n] ?? n).toLowerCase(),
  );
  return words.length <= 1 ? (words[0] ?? "") : `${words.slice(0, -1).join(", ")} and ${words.at(-1)}`;
}

/** The notice after a save, from the names in ?saved= (unknown names are dropped). */
function savedNotice(raw: string | undefined): SettingsPageData["notice"] {
  if (raw === undefined) return null;
  const names = [...new Set(raw.split(","))].filter((n) => KNOWN_FIELDS.has(n));
  if (names.length === 0) return { kind: "ok", text: "Nothing to save: those settings already were so." };
  const planned = names.filter((n) => n !== "intervalsIcu");
  const parts = [`Saved: ${listed(names)}.`];
  if (planned.length > 0) parts.push("Your strength sessions are being re-planned with the change.");
  if (names.includes("intervalsIcu")) parts.push("Your intervals.icu link is updated.");
  return { kind: "ok", text: parts.join(" ") };
}

/** The posted form's text fields (the CSRF token aside). */
async function postedForm(c: PageContext): Promise<FormValues> {
  const body = await c.req.parseBody();
  const out: FormValues = {};
  for (const [key, value] of Object.entries(body))
    if (typeof value === "string" && key !== CSRF_FIELD) out[key] = value;
  return out;
}

function problemsOf(err: AppError): FieldProblem[] {
  const fields = (err.details as { fields?: unknown } | undefined)?.fields;
  return Array.isArray(fields)
    ? fields.filter((f): f is FieldProblem => typeof f?.field === "string" && typeof f?.message === "string")
    : [];
}

async function save(c: PageContext, deps: AppDeps, section: SettingsSection) {
  const view = await currentView(c, deps);
  const form = await postedForm(c);
  const { body, rows } = patchOfForm(section, form, view);
  if (Object.keys(body).length === 0) return c.redirect("/settings?saved=", 303);
  try {
    const { changed } = await updateSettings(verbDeps(deps, c), c.get("athleteId"), body);
    if (changed.length > 0) c.get("logger").info({ changed }, "settings changed");
    return c.redirect(`/settings?saved=${encodeURIComponent(changed.join(","))}`, 303);
  } catch (thrown) {
    const err = thrown instanceof Error ? asAppError(thrown) : thrown;
    if (!(err instanceof AppError) || err.code === "unauthorized") throw thrown;
    c.get("logger").info({ code: err.code, section }, "settings form refused");
    const errors: Record<string, string[]> = {};
    for (const p of problemsOf(err)) {
      const anchor = anchorOf(p, rows);
      errors[anchor] = [...(errors[anchor] ?? []), p.message];
    }
    return render(
      c,
      deps,
      {
        view,
        sent: { section, form },
        errors,
        notice: Object.keys(errors).length > 0 ? null : { kind: "alert", text: `Not saved: ${err.message}.` },
      },
      statusOf(err.code),
    );
  }
}

export function registerPageSettings(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requirePageAthlete(deps);
  const csrf = requireCsrf(deps.config, (c, reason) =>
    errorPage(c, 403, `Nothing was changed: ${reason}.`, signedInCsrf(c, deps)),
  );

  app.get("/settings", guard, async (c) =>
    render(c, deps, {
      view: await currentView(c, deps),
      errors: {},
      notice: savedNotice(c.req.query("saved")),
    }),
  );

  for (const section of SECTION_NAMES) {
    app.post(`/settings/${section}`, guard, csrf, (c) => save(c, deps, section));
  }
}
