// CSRF on an OAuth flow (Strava's and Garmin's): the `state` is a signed,
// 10-minute token carrying a random nonce that is also set in a short-lived
// httpOnly cookie on this browser, scoped to the provider's /auth path. A
// callback is accepted only when the signature holds, it has not expired, and the
// nonce matches the cookie, so a code cannot be injected from another browser
// (login CSRF) and a stale or forged link is refused. The cookie is SameSite=Lax
// so that it travels on the provider's top-level redirect back.
//
// PKCE (Garmin): the code verifier is derived from the nonce under SESSION_SECRET,
// so it never travels in a URL and needs no storage of its own; the challenge
// sent to the provider is base64url(sha256(verifier)).
import { createHmac } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../config.ts";
import { secretsEqual } from "../security/compare.ts";
import { randomToken, signToken, verifyToken } from "../security/crypto.ts";
import { secureCookies } from "./session.ts";

export const STATE_COOKIE = "rs_oauth_state";
export const STATE_TTL_MS = 10 * 60_000;

export interface OAuthStateOptions {
  /** mixed into the signature, so one provider's state never passes at another's callback */
  purpose: string;
  /** the provider's /auth path; its callback lies below it, so the cookie reaches it and nothing else */
  cookiePath: string;
}

export type StateCheck =
  | { ok: true; nonce: string }
  | { ok: false; hasState: boolean; hasCookie: boolean; validState: boolean };

export function oauthState(config: Config, o: OAuthStateOptions) {
  const cookie = {
    path: o.cookiePath,
    httpOnly: true,
    sameSite: "Lax" as const,
    secure: secureCookies(config),
  };
  return {
    /** A fresh state for the authorize redirect, its nonce set in this browser's cookie. */
    begin(c: Context, now: Date): { state: string; nonce: string } {
      const nonce = randomToken(16);
      const state = signToken(
        { n: nonce },
        o.purpose,
        config.secrets.sessionSecret,
        now.getTime() + STATE_TTL_MS,
      );
      setCookie(c, STATE_COOKIE, nonce, { ...cookie, maxAge: STATE_TTL_MS / 1000 });
      return { state, nonce };
    },
    /** Checks a callback's state against the cookie; the cookie is good for one callback, whatever its outcome. */
    finish(c: Context, state: string | undefined, now: Date): StateCheck {
      const cookieNonce = getCookie(c, STATE_COOKIE);
      deleteCookie(c, STATE_COOKIE, cookie);
      const verified = state
        ? verifyToken<{ n?: unknown }>(state, o.purpose, config.secrets.sessionSecret, now.getTime())
        : null;
      if (
        !verified ||
        typeof verified.n !== "string" ||
        !cookieNonce ||
        !secretsEqual(verified.n, cookieNonce)
      )
        return {
          ok: false,
          hasState: Boolean(state),
          hasCookie: Boolean(cookieNonce),
          validState: Boolean(verified),
        };
      return { ok: true, nonce: verified.n };
    },
  };
}

/** The PKCE code verifier of a flow: 43 URL-safe characters (RFC 7636 allows 43-128), from its nonce. */
export function pkceVerifier(nonce: string, config: Config): string {
  return createHmac("sha256", config.secrets.sessionSecret)
    .update(`pkce-verifier.${nonce}`)
    .digest("base64url");
}
