// The pages' guard: like requireAthlete (session.ts), but a person without a valid
// session is sent to `/`, told when the session they had has ended.
import type { MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { getAthlete } from "../../db/repos/athletes.ts";
import type { AppDeps } from "../deps.ts";
import { clearSession, SESSION_COOKIE, type SessionEnv, sessionAthleteId } from "../session.ts";

export function requirePageAthlete(
  deps: Pick<AppDeps, "config" | "db" | "now">,
): MiddlewareHandler<SessionEnv> {
  return async (c, next) => {
    const athleteId = sessionAthleteId(c, deps.config, deps.now());
    const athlete = athleteId === null ? null : await getAthlete(deps.db, athleteId);
    if (!athlete) {
      const had = getCookie(c, SESSION_COOKIE) !== undefined;
      if (had) clearSession(c, deps.config);
      return c.redirect(had ? "/?notice=expired" : "/", 303);
    }
    c.set("athlete", athlete);
    c.set("athleteId", athlete.id);
    c.set("logger", c.get("logger").child({ athleteId: athlete.id }));
    await next();
  };
}
