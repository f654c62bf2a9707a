// GET /email/confirm?token=...: the link in the confirmation mail. The token is
// signed, lapses after two days, and names a hash of the address it confirms, so
// a link for an address the athlete has since changed confirms nothing.
import type { Hono } from "hono";
import { confirmEmail, emailOf } from "../../db/repos/notifications.ts";
import { readConfirmToken } from "../../integrations/email/links.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { addressConfirmedPage, refusal, wantsHtml } from "../pages/email-link.ts";

export function registerEmailConfirm(app: Hono<AppEnv>, deps: Pick<AppDeps, "config" | "db" | "now">): void {
  app.get("/email/confirm", async (c) => {
    const now = deps.now();
    const token = readConfirmToken(
      c.req.query("token") ?? "",
      deps.config.secrets.sessionSecret,
      now.getTime(),
    );
    if (!token)
      return refusal(
        c,
        "bad_request",
        "this confirmation link is not valid or has expired; enter your address again in your settings",
      );
    const state = await emailOf(deps.db, token.athleteId);
    if (
      !state?.email ||
      !token.matches(state.email) ||
      !(await confirmEmail(deps.db, token.athleteId, state.email, now))
    )
      return refusal(c, "conflict", "this link is for an address that is no longer the one in your settings");
    c.get("logger").info({ athleteId: token.athleteId }, "email address confirmed");
    if (!wantsHtml(c)) return c.json({ emailConfirmed: true });
    return c.html(addressConfirmedPage());
  });
}
