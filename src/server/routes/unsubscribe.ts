// /email/unsubscribe?token=...: the List-Unsubscribe link of plan mail. POST
// turns plan mail off without signing in (RFC 8058 one-click: mail clients POST
// `List-Unsubscribe=One-Click`, form-encoded, from their own servers); the signed
// token is the only credential, so the cookie CSRF check does not apply here
// (same-origin-json.ts exempts this path). GET, which link scanners follow
// too, only shows a page whose button makes that POST.
import type { Hono } from "hono";
import { turnOffPlanMail } from "../../db/repos/notifications.ts";
import { readUnsubscribeToken } from "../../integrations/email/links.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { planMailOffPage, refusal, stopPlanMailPage, wantsHtml } from "../pages/email-link.ts";

export const UNSUBSCRIBE_PATH = "/email/unsubscribe";
const INVALID = "this unsubscribe link is not valid or has expired; turn plan mail off in your settings";

export function registerUnsubscribe(app: Hono<AppEnv>, deps: Pick<AppDeps, "config" | "db" | "now">): void {
  const athleteOf = (token: string | undefined) =>
    readUnsubscribeToken(token ?? "", deps.config.secrets.sessionSecret, deps.now().getTime());

  app.get(UNSUBSCRIBE_PATH, (c) => {
    const token = c.req.query("token");
    if (athleteOf(token) === null) return refusal(c, "bad_request", INVALID);
    const action = `${UNSUBSCRIBE_PATH}?token=${encodeURIComponent(token ?? "")}`;
    return c.html(stopPlanMailPage(action));
  });

  app.post(UNSUBSCRIBE_PATH, async (c) => {
    const athleteId = athleteOf(c.req.query("token"));
    if (athleteId === null) return refusal(c, "bad_request", INVALID);
    if (!(await turnOffPlanMail(deps.db, athleteId))) return refusal(c, "not_found", INVALID);
    c.get("logger").info({ athleteId }, "plan mail turned off by its unsubscribe link");
    if (!wantsHtml(c)) return c.json({ notifications: { email: false } });
    return c.html(planMailOffPage());
  });
}
