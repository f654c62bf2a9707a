// GET /account and its forms: the connections in words (with the link that fixes
// one needing re-authorization), a confirmation page and a CSRF-checked POST to
// disconnect each (src/plan/disconnect-strava.ts, disconnect-garmin.ts, and
// intervals-link.ts's unlink), the data export as a streamed JSON download
// (src/plan/export-data.ts), and deleting the account behind a page where the
// athlete types DELETE (src/plan/delete-account.ts). A refusal re-renders the page
// in the verb's words with the API's status; success is 303 with a notice.
import type { Context, Hono } from "hono";
import { stream } from "hono/streaming";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { countAthleteRows } from "../../db/repos/athlete-erasure.ts";
import { type Connection, getConnectionForAthlete } from "../../db/repos/connections.ts";
import { destinationLink } from "../../db/repos/workout-pushes.ts";
import { loggableError } from "../../observability/errors.ts";
import { deleteAccount } from "../../plan/delete-account.ts";
import { disconnectGarmin } from "../../plan/disconnect-garmin.ts";
import { disconnectStrava } from "../../plan/disconnect-strava.ts";
import { exportData, exportFileName } from "../../plan/export-data.ts";
import { applyIntervalsIcu } from "../../plan/intervals-link.ts";
import { type AppDeps, type AppEnv, verbDeps } from "../deps.ts";
import { AppError, asAppError, statusOf } from "../errors.ts";
import { csrfToken, requireCsrf } from "../middleware/csrf.ts";
import { requirePageAthlete } from "../middleware/page-session.ts";
import {
  type AccountProvider,
  accountPage,
  CONFIRM_WORD,
  type ConnectionView,
  deletedNotice,
  deletePage,
  disconnectPage,
  type Notice,
  PROVIDER_NAMES,
} from "../pages/account.tsx";
import { errorPage, signedInCsrf } from "../pages/errors.tsx";
import { clearSession, type SessionEnv } from "../session.ts";

type PageContext = Context<SessionEnv>;

const PROVIDERS: readonly AccountProvider[] = ["strava", "garmin", "intervals"];

/** What each row count on the delete page stands for; a table not named here shows by its own name. */
const INVENTORY_LABELS: Record<string, string> = {
  activities: "activities (runs and workouts)",
  activity_links: "second copies of runs both Strava and Garmin sent",
  busy_intervals: "busy times read from your calendar",
  day_classifications: "day verdicts (easy, quality, rest)",
  destination_links: "workout destinations (intervals.icu, Garmin), with the intervals.icu API key",
  notifications: "notification records",
  outbox: "follow-up jobs",
  plan_versions: "plan versions",
  planned_runs: "runs from your running-plan calendar",
  planned_sessions: "planned strength sessions (every version)",
  provider_connections: "connections to Strava and Garmin, with their tokens",
  strength_logs: "logged strength sessions",
  web_push_subscriptions: "browsers subscribed to push messages",
  workout_pushes: "sessions sent to your destinations",
};

function connectionView(provider: AccountProvider, c: Connection | null): ConnectionView {
  if (!c) return { provider, state: "not_connected", since: null, externalId: null, reason: null };
  const state = c.status === "active" ? "connected" : c.status;
  return { provider, state, since: c.connectedAt, externalId: c.externalAthleteId, reason: c.statusReason };
}

async function connectionsOf(deps: AppDeps, athleteId: number): Promise<ConnectionView[]> {
  const [strava, garmin, intervals] = await Promise.all([
    getConnectionForAthlete(deps.db, athleteId, "strava"),
    getConnectionForAthlete(deps.db, athleteId, "garmin"),
    destinationLink(deps.db, athleteId, "intervals_icu"),
  ]);
  const linked = intervals?.secretEnc != null;
  return [
    connectionView("strava", strava),
    connectionView("garmin", garmin),
    {
      provider: "intervals",
      state: !linked ? "not_connected" : intervals.state === "revoked" ? "needs_reauth" : "connected",
      since: linked ? intervals.linkedAt : null,
      externalId: linked ? intervals.externalAthleteId : null,
      reason: linked ? intervals.lastError : null,
    },
  ];
}

const DONE_NOTICES: Record<string, string> = {
  "strava-disconnected": "Strava is disconnected and its data deleted; your plan is being made again.",
  "garmin-disconnected": "Garmin is disconnected and its data deleted; your plan is being made again.",
  "intervals-disconnected": "intervals.icu is unlinked and its API key forgotten.",
};

async function renderAccount(c: PageContext, deps: AppDeps) {
  const raw = c.req.query("done");
  const text = raw !== undefined && Object.hasOwn(DONE_NOTICES, raw) ? DONE_NOTICES[raw] : undefined;
  c.header("Cache-Control", "no-store");
  return c.html(
    accountPage({
      csrf: csrfToken(c, deps.config),
      timezone: c.get("athlete").timezone,
      connections: await connectionsOf(deps, c.get("athleteId")),
      notice: text ? { kind: "ok", text } : null,
    }),
  );
}

/** Disconnecting `provider` leaves the athlete no provider to sign in with (intervals.icu is not one). */
async function isLastSignIn(deps: AppDeps, athleteId: number, provider: AccountProvider): Promise<boolean> {
  if (provider === "intervals") return false;
  const other = await getConnectionForAthlete(
    deps.db,
    athleteId,
    provider === "strava" ? "garmin" : "strava",
  );
  return other === null;
}

async function renderDisconnect(
  c: PageContext,
  deps: AppDeps,
  provider: AccountProvider,
  notice: Notice | null,
  status: ContentfulStatusCode = 200,
) {
  c.header("Cache-Control", "no-store");
  return c.html(
    disconnectPage({
      csrf: csrfToken(c, deps.config),
      provider,
      lastSignIn: await isLastSignIn(deps, c.get("athleteId"), provider),
      notice,
    }),
    status,
  );
}

/** Runs a disconnect: its refusal is shown on the confirmation page, success goes back to /account. */
async function disconnect(c: PageContext, deps: AppDeps, provider: AccountProvider) {
  const verb = verbDeps(deps, c);
  const athleteId = c.get("athleteId");
  try {
    if (provider === "strava") await disconnectStrava(verb, athleteId);
    else if (provider === "garmin") await disconnectGarmin(verb, athleteId);
    else if (!(await applyIntervalsIcu(verb, athleteId, null)))
      return errorPage(
        c,
        404,
        "intervals.icu is not linked, so there is nothing to unlink.",
        signedInCsrf(c, deps),
      );
    return c.redirect(`/account?done=${provider}-disconnected`, 303);
  } catch (thrown) {
    const err = thrown instanceof Error ? asAppError(thrown) : thrown;
    if (!(err instanceof AppError) || err.code === "unauthorized") throw thrown;
    c.get("logger").info({ code: err.code, err: err.message, provider }, "disconnect refused");
    if (err.code === "not_found")
      return errorPage(c, 404, `Nothing was changed: ${err.message}.`, signedInCsrf(c, deps));
    return renderDisconnect(
      c,
      deps,
      provider,
      { kind: "alert", text: `Not disconnected: ${err.message}.` },
      statusOf(err.code),
    );
  }
}

async function deleteInventory(deps: AppDeps, athleteId: number): Promise<string[]> {
  const counts = await countAthleteRows(deps.db, athleteId);
  const lines = [
    "your profile, settings and email address, and your calendar feed (its address stops working)",
  ];
  for (const [table, n] of Object.entries(counts))
    if (n > 0) lines.push(`${INVENTORY_LABELS[table] ?? table.replaceAll("_", " ")}: ${n}`);
  lines.push("the webhook events Strava and Garmin sent about you");
  return lines;
}

async function renderDelete(
  c: PageContext,
  deps: AppDeps,
  error: string | null,
  status: ContentfulStatusCode = 200,
) {
  const athleteId = c.get("athleteId");
  const views = await connectionsOf(deps, athleteId);
  c.header("Cache-Control", "no-store");
  return c.html(
    deletePage({
      csrf: csrfToken(c, deps.config),
      inventory: await deleteInventory(deps, athleteId),
      revokes: views
        .filter((v) => v.provider !== "intervals" && v.state !== "not_connected")
        .map((v) => v.provider),
      error,
    }),
    status,
  );
}

export function registerPageAccount(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requirePageAthlete(deps);
  const csrf = requireCsrf(deps.config, (c, reason) =>
    errorPage(c, 403, `Nothing was changed: ${reason}.`, signedInCsrf(c, deps)),
  );

  app.get("/account", guard, (c) => renderAccount(c, deps));

  app.get("/account/export", guard, (c) => {
    const athleteId = c.get("athleteId");
    const log = c.get("logger");
    c.header("Content-Type", "application/json; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="${exportFileName(deps.now())}"`);
    c.header("Cache-Control", "no-store");
    return stream(
      c,
      async (out) => {
        await exportData(verbDeps(deps, c), athleteId, async (chunk) => {
          await out.write(chunk);
        });
      },
      async (err) => {
        // The headers are sent: the download ends short, and the log says why.
        log.error({ err: loggableError(err).message }, "data export failed part-way");
      },
    );
  });

  for (const provider of PROVIDERS) {
    app.get(`/account/${provider}/disconnect`, guard, async (c) => {
      const view = (await connectionsOf(deps, c.get("athleteId"))).find((v) => v.provider === provider);
      if (view?.state === "not_connected")
        return errorPage(
          c,
          404,
          `${PROVIDER_NAMES[provider]} is not connected, so there is nothing to disconnect.`,
          signedInCsrf(c, deps),
        );
      return renderDisconnect(c, deps, provider, null);
    });
    app.post(`/account/${provider}/disconnect`, guard, csrf, (c) => disconnect(c, deps, provider));
  }

  app.get("/account/delete", guard, (c) => renderDelete(c, deps, null));

  app.post("/account/delete", guard, csrf, async (c) => {
    const typed = (await c.req.parseBody()).confirm;
    const text = typeof typed === "string" ? typed.trim() : "";
    if (text !== CONFIRM_WORD) {
      const error =
        text === ""
          ? `type ${CONFIRM_WORD} in the box to confirm.`
          : `you typed “${text.slice(0, 40)}”; type ${CONFIRM_WORD}, in capital letters, to confirm.`;
      return renderDelete(c, deps, error, 422);
    }
    const result = await deleteAccount(verbDeps(deps, c), c.get("athleteId"));
    clearSession(c, deps.config);
    return c.redirect(`/?notice=${deletedNotice(result.revokeByHand)}`, 303);
  });
}
