// Headers every answer gets (nosniff), and those an HTML page gets: a Content
// Security Policy that runs no inline script or style (script-src 'self': the
// pages' own files only), may not be framed (clickjacking on the forms), and
// sends no Referer, so a page's URL (a feed URL, a token link) never leaks to
// another site through a link.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";

export const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join("; ");

export function securityHeaders(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    c.res.headers.set("X-Content-Type-Options", "nosniff");
    if ((c.res.headers.get("content-type") ?? "").startsWith("text/html")) {
      c.res.headers.set("Content-Security-Policy", PAGE_CSP);
      c.res.headers.set("X-Frame-Options", "DENY");
      if (!c.res.headers.has("Referrer-Policy")) c.res.headers.set("Referrer-Policy", "same-origin");
    }
  };
}
