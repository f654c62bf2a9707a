// Cross-site request forgery, closed at the edge for every route at once.
//
// The session cookie is SameSite=Lax, which keeps it off cross-site POSTs but
// not off requests from a sibling origin of the same site (another subdomain),
// and a browser will send a form-encoded or text/plain body to any origin
// without asking first. So a request that changes state must
//  - carry JSON (`Content-Type: application/json`), which a page on another
//    origin can send only after a CORS preflight that this server never grants,
//    or carry no body and no content type at all (done, skipped, rotate); and
//  - when the browser names the page that sent it (`Origin`, which browsers add
//    to every POST, PUT, PATCH and DELETE), come from PUBLIC_URL's origin.
// Webhooks are called server to server by Strava (and Garmin), whose requests
// carry no Origin of ours: they are exempt from the Origin check but must be JSON.
// The one-click unsubscribe link of plan mail (RFC 8058) is exempt from both: mail
// providers POST `List-Unsubscribe=One-Click` form-encoded, from their own servers
// or the mail client's page, and the signed token in the link is its only
// credential (no cookie is read), so there is nothing to forge.
import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../deps.ts";
import { errorBody } from "../errors.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

export const WEBHOOK_PREFIX = "/webhooks/";
/** Routes authorised by a signed token in their URL alone, never by the session cookie. */
const TOKEN_LINK_PATHS = new Set(["/email/unsubscribe"]);

function isJson(contentType: string): boolean {
  const semicolon = contentType.indexOf(";");
  const type = (semicolon === -1 ? contentType : contentType.slice(0, semicolon)).trim().toLowerCase();
  return type === "application/json";
}

/**
 * Whether the request says it has a body. HTTP/1.1 marks one with Content-Length
 * or Transfer-Encoding; read from the headers alone, so the hot webhook route
 * does not pay for a full web Request (see body-limit.ts).
 */
function declaresBody(length: string | undefined, transferEncoding: string | undefined): boolean {
  return transferEncoding !== undefined || (length !== undefined && length.trim() !== "0");
}

function originOf(value: string): string | null {
  try {
    return new URL(value).origin;
  } catch {
    return null;
  }
}

export function sameOriginJson(publicUrl: string): MiddlewareHandler<AppEnv> {
  const publicOrigin = originOf(publicUrl);
  if (!publicOrigin) throw new Error(`PUBLIC_URL ${publicUrl} has no origin`);
  return async (c, next) => {
    if (SAFE_METHODS.has(c.req.method) || TOKEN_LINK_PATHS.has(c.req.path)) return next();

    const contentType = c.req.header("content-type");
    const refusedType =
      contentType === undefined
        ? declaresBody(c.req.header("content-length"), c.req.header("transfer-encoding"))
        : !isJson(contentType);
    if (refusedType) {
      c.get("logger").info({ contentType: contentType ?? null }, "request refused: body is not JSON");
      return errorBody(
        c,
        "unsupported_media_type",
        "a request that changes something must send JSON with Content-Type: application/json, or no body",
      );
    }

    const origin = c.req.header("origin");
    if (origin !== undefined && !c.req.path.startsWith(WEBHOOK_PREFIX)) {
      if (origin !== publicOrigin && originOf(origin) !== publicOrigin) {
        c.get("logger").warn({ origin: origin.slice(0, 200) }, "request refused: cross-origin");
        return errorBody(
          c,
          "forbidden",
          `requests that change something are accepted only from ${publicOrigin} (PUBLIC_URL)`,
        );
      }
    }
    return next();
  };
}
