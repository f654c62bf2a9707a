// The athlete's browser session: a signed cookie carrying only the athlete id,
// set when they connect Strava or Garmin. Nothing is stored server-side; the signature
// (purpose "session", SESSION_SECRET) and the expiry are the whole check, plus
// one lookup that the athlete still exists (a deauthorization deletes them).
import type { Context, MiddlewareHandler } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import type { Config } from "../config.ts";
import { type Athlete, getAthlete } from "../db/repos/athletes.ts";
import { signToken, verifyToken } from "../security/crypto.ts";
import type { AppDeps, AppEnv } from "./deps.ts";
import { AppError, SIGN_IN_FIRST } from "./errors.ts";

export const SESSION_COOKIE = "rs_session";
export const SESSION_PURPOSE = "session";
export const SESSION_TTL_MS = 30 * 86_400_000;

/** The app's variables plus the signed-in athlete, for routes behind requireAthlete. */
export type SessionEnv = { Variables: AppEnv["Variables"] & { athleteId: number; athlete: Athlete } };

/** Cookies are Secure whenever the service is reached over https. */
export function secureCookies(config: Config): boolean {
  return config.http.publicUrl.startsWith("https:");
}

export function sessionToken(athleteId: number, config: Config, nowMs: number): string {
  return signToken({ a: athleteId }, SESSION_PURPOSE, config.secrets.sessionSecret, nowMs + SESSION_TTL_MS);
}

export function setSession(c: Context, athleteId: number, config: Config, now: Date): void {
  setCookie(c, SESSION_COOKIE, sessionToken(athleteId, config, now.getTime()), {
    path: "/",
    httpOnly: true,
    sameSite: "Lax",
    secure: secureCookies(config),
    maxAge: SESSION_TTL_MS / 1000,
  });
}

export function clearSession(c: Context, config: Config): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secureCookies(config) });
}

/** The athlete id a valid session cookie names, or null (missing, forged, expired). */
export function sessionAthleteId(c: Context, config: Config, now: Date): number | null {
  const cookie = getCookie(c, SESSION_COOKIE);
  if (!cookie) return null;
  const payload = verifyToken<{ a?: unknown }>(
    cookie,
    SESSION_PURPOSE,
    config.secrets.sessionSecret,
    now.getTime(),
  );
  const id = payload?.a;
  return typeof id === "number" && Number.isSafeInteger(id) && id > 0 ? id : null;
}

/**
 * API guard: 401 JSON unless the request carries a valid session of an existing
 * athlete, who is then the request's `athlete` (loaded once, here).
 */
export function requireAthlete(deps: Pick<AppDeps, "config" | "db" | "now">): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const athleteId = sessionAthleteId(c, deps.config, deps.now());
    const athlete = athleteId === null ? null : await getAthlete(deps.db, athleteId);
    if (!athlete) throw new AppError("unauthorized", SIGN_IN_FIRST);
    c.set("athlete", athlete);
    c.set("athleteId", athlete.id);
    c.set("logger", c.get("logger").child({ athleteId }));
    await next();
  };
}
