import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { loggableError } from "../observability/errors.ts";
import type { AppDeps, AppEnv } from "./deps.ts";
import { AppError, asAppError, errorBody, statusOf } from "./errors.ts";
import { lightBodyLimit } from "./middleware/body-limit.ts";
import { isPageForm } from "./middleware/csrf.ts";
import { publicRateLimits } from "./middleware/rate-limit.ts";
import { requestLog } from "./middleware/request-log.ts";
import { sameOriginJson } from "./middleware/same-origin-json.ts";
import { securityHeaders } from "./middleware/security-headers.ts";
import { errorPage, signedInCsrf, wantsHtml } from "./pages/errors.tsx";
import { registerAdminQueues } from "./routes/admin-queues.ts";
import { registerApiActivities } from "./routes/api-activities.ts";
import { registerApiActivityKind } from "./routes/api-activity-kind.ts";
import { registerApiCalendarRotate } from "./routes/api-calendar-rotate.ts";
import { registerApiDestinations } from "./routes/api-destinations.ts";
import { registerApiGarminDisconnect } from "./routes/api-garmin-disconnect.ts";
import { registerApiPlan } from "./routes/api-plan.ts";
import { registerApiPlanHistory } from "./routes/api-plan-history.ts";
import { registerApiPushSubscriptions } from "./routes/api-push-subscriptions.ts";
import { registerApiPushVapidKey } from "./routes/api-push-vapid-key.ts";
import { registerApiSessionFit } from "./routes/api-session-fit.ts";
import { registerApiSessionLog } from "./routes/api-session-log.ts";
import { registerApiSessionMark } from "./routes/api-session-mark.ts";
import { registerApiSessionMove } from "./routes/api-session-move.ts";
import { registerApiSettings } from "./routes/api-settings.ts";
import { registerApiStrengthLog } from "./routes/api-strength-log.ts";
import { registerAuthGarmin } from "./routes/auth-garmin.ts";
import { registerAuthLogout } from "./routes/auth-logout.ts";
import { registerAuthStrava } from "./routes/auth-strava.ts";
import { registerCalendarFeed } from "./routes/calendar-feed.ts";
import { registerEmailConfirm } from "./routes/email-confirm.ts";
import { isGarminWebhook, registerGarminWebhooks } from "./routes/garmin-webhooks.ts";
import { registerHealthz } from "./routes/healthz.ts";
import { registerMetrics } from "./routes/metrics.ts";
import { registerPageAccount } from "./routes/page-account.ts";
import { registerPageHome } from "./routes/page-home.ts";
import { registerPageNotifications } from "./routes/page-notifications.ts";
import { registerPagePlan } from "./routes/page-plan.ts";
import { registerPageSettings } from "./routes/page-settings.ts";
import { registerReadyz } from "./routes/readyz.ts";
import { registerStravaWebhook } from "./routes/strava-webhook.ts";
import { registerUnsubscribe } from "./routes/unsubscribe.ts";

export function createApp(deps: AppDeps): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(requestId({ limitLength: 64 }));
  app.use(requestLog(deps.logger, deps.metrics));
  app.use(securityHeaders());
  app.use(publicRateLimits(deps));
  const oneMiB = lightBodyLimit({
    maxSize: 1024 * 1024,
    onError: (c) => errorBody(c, "payload_too_large", "request body over 1 MiB"),
  });
  // Garmin's notifications may be 10 MB: their routes set their own limit.
  app.use((c, next) => (isGarminWebhook(c.req.path) ? next() : oneMiB(c, next)));
  // The pages' forms are form-encoded: csrf.ts checks their token and Origin instead.
  const sameOrigin = sameOriginJson(deps.config.http.publicUrl);
  app.use((c, next) => (isPageForm(c.req.path) ? next() : sameOrigin(c, next)));

  registerHealthz(app);
  registerReadyz(app, deps);
  registerMetrics(app, deps);
  registerAdminQueues(app, deps);
  registerAuthStrava(app, deps);
  registerAuthLogout(app, deps);
  registerApiPlan(app, deps);
  registerApiSettings(app, deps);
  registerApiCalendarRotate(app, deps);
  registerApiActivities(app, deps);
  registerApiActivityKind(app, deps);
  registerApiSessionMark(app, deps);
  registerApiSessionMove(app, deps);
  registerApiSessionLog(app, deps);
  registerApiStrengthLog(app, deps);
  registerApiPlanHistory(app, deps);
  registerApiDestinations(app, deps);
  registerApiSessionFit(app, deps);
  registerStravaWebhook(app, deps);
  registerGarminWebhooks(app, deps);
  registerAuthGarmin(app, deps);
  registerApiGarminDisconnect(app, deps);
  registerCalendarFeed(app, deps);
  registerApiPushVapidKey(app, deps);
  registerApiPushSubscriptions(app, deps);
  registerEmailConfirm(app, deps);
  registerUnsubscribe(app, deps);
  registerPageHome(app, deps);
  registerPagePlan(app, deps);
  registerPageSettings(app, deps);
  registerPageNotifications(app, deps);
  registerPageAccount(app, deps);

  app.notFound((c) =>
    wantsHtml(c)
      ? errorPage(c, 404, `There is no page at ${c.req.path}.`, signedInCsrf(c, deps))
      : errorBody(c, "not_found", `no route for ${c.req.method} ${c.req.path}`),
  );
  app.onError((thrown, c) => {
    const err = asAppError(thrown);
    if (err instanceof AppError) {
      c.get("logger").info({ code: err.code, err: err.message }, "request refused");
      if (wantsHtml(c)) return errorPage(c, statusOf(err.code), err.message, signedInCsrf(c, deps));
      return errorBody(c, err.code, err.message, err.details);
    }
    if (err instanceof HTTPException && err.status < 500) {
      c.get("logger").info({ status: err.status, err: err.message }, "request refused");
      return errorBody(c, err.status === 401 ? "unauthorized" : "bad_request", err.message || "bad request");
    }
    if (redisUnavailable(err)) {
      c.get("logger").error({ err: err.message }, "Redis unreachable while queueing work");
      return errorBody(
        c,
        "unavailable",
        "the job queue (Redis) is unreachable for a moment; try again shortly",
      );
    }
    c.get("logger").error({ err: loggableError(err) }, "unhandled error");
    if (wantsHtml(c))
      return errorPage(
        c,
        500,
        "Something went wrong on our side; it has been logged.",
        signedInCsrf(c, deps),
      );
    return errorBody(c, "internal", "something went wrong on our side; it has been logged");
  });
  return app;
}

/** ioredis' refusals while Redis is away (offline queue off, retries used up). */
function redisUnavailable(err: Error): boolean {
  return (
    err.name === "MaxRetriesPerRequestError" ||
    /enableOfflineQueue|Connection is closed|ECONNREFUSED/.test(err.message)
  );
}
