// Cross-site request forgery for the pages' forms. The JSON API is protected by
// same-origin-json.ts (JSON only, same Origin), which a plain HTML form cannot
// satisfy, so the form routes (PAGE_FORM_PREFIXES) are exempt from it and checked
// here instead, twice over:
//  - a token in every form: an HMAC of the session cookie under SESSION_SECRET
//    (purpose "csrf"), so it changes with each sign-in, needs no storage, and a
//    page on another origin can neither read it nor compute it;
//  - the Origin header, which browsers add to every form POST, must be PUBLIC_URL's
//    (another port of the same host is the same *site*, so SameSite=Lax still sends
//    the cookie from there: the Origin and the token are what refuse it).
// A refusal is a 403 page that says what happened.
import { createHmac } from "node:crypto";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { Config } from "../../config.ts";
import { secretsEqual } from "../../security/compare.ts";
import type { AppEnv } from "../deps.ts";
import { SESSION_COOKIE } from "../session.ts";

export const CSRF_FIELD = "_csrf";
/** Paths whose POSTs are the pages' forms: form-encoded, guarded by the token, not by the JSON rule. */
export const PAGE_FORM_PREFIXES = ["/plan/", "/sign-out", "/settings", "/notifications", "/account"] as const;

export function isPageForm(path: string): boolean {
  return PAGE_FORM_PREFIXES.some((p) => path === p || path.startsWith(p.endsWith("/") ? p : `${p}/`));
}

/** The token the forms of a page carry for the session cookie `cookie`. */
export function csrfTokenFor(cookie: string, config: Config): string {
  return createHmac("sha256", config.secrets.sessionSecret).update(`csrf\0${cookie}`).digest("base64url");
}

/** The token for the request's session, or "" when it carries none. */
export function csrfToken(c: Context, config: Config): string {
  const cookie = getCookie(c, SESSION_COOKIE);
  return cookie ? csrfTokenFor(cookie, config) : "";
}

/**
 * Refuses (with `refuse`) a form POST whose Origin is not PUBLIC_URL's or whose
 * token does not match the session cookie it came with. A page served with
 * `Referrer-Policy: no-referrer` makes browsers send `Origin: null` on its form
 * posts (Fetch, "append a request Origin header"); its forms pass `nullOrigin:
 * true`, which takes that "null" as no Origin named, so the token alone decides.
 */
export function requireCsrf(
  config: Config,
  refuse: (c: Context<AppEnv>, reason: string) => Response | Promise<Response>,
  options: { nullOrigin?: boolean } = {},
): MiddlewareHandler<AppEnv> {
  const publicOrigin = new URL(config.http.publicUrl).origin;
  return async (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && origin !== publicOrigin && !(options.nullOrigin && origin === "null")) {
      c.get("logger").warn({ origin: origin.slice(0, 200) }, "form refused: cross-origin");
      return refuse(c, `this form was sent from ${origin.slice(0, 100)}, not from ${publicOrigin}`);
    }
    const cookie = getCookie(c, SESSION_COOKIE);
    const type = c.req.header("content-type") ?? "";
    const form =
      type.startsWith("application/x-www-form-urlencoded") || type.startsWith("multipart/form-data")
        ? await c.req.parseBody()
        : {};
    const sent = form[CSRF_FIELD];
    if (!cookie || typeof sent !== "string" || !secretsEqual(sent, csrfTokenFor(cookie, config))) {
      c.get("logger").warn("form refused: missing or wrong CSRF token");
      return refuse(c, "this form did not come from a runstrong page you have open");
    }
    return next();
  };
}
