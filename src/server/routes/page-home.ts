// GET / (signed in: on to /plan), the pages' stylesheet, and POST /sign-out, the
// sign-out form of every page (CSRF-checked; POST /auth/logout stays JSON).
import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { requireCsrf } from "../middleware/csrf.ts";
import { APP_CSS } from "../pages/app-css.ts";
import { errorPage } from "../pages/errors.tsx";
import { HOME_NOTICES, type HomeNotice, homePage } from "../pages/home.tsx";
import { CSS_PATH } from "../pages/layout.tsx";
import { clearSession, sessionAthleteId } from "../session.ts";

export function registerPageHome(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/", (c) => {
    if (sessionAthleteId(c, deps.config, deps.now()) !== null) return c.redirect("/plan", 303);
    const raw = c.req.query("notice");
    const notice = raw !== undefined && Object.hasOwn(HOME_NOTICES, raw) ? (raw as HomeNotice) : null;
    return c.html(homePage(notice));
  });

  app.get(CSS_PATH, (c) => {
    c.header("Cache-Control", "public, max-age=3600");
    return c.body(APP_CSS, 200, { "Content-Type": "text/css; charset=utf-8" });
  });

  app.post(
    "/sign-out",
    // Every page's nav holds this form, /notifications' too, whose no-referrer makes
    // the browser send `Origin: null`: the token decides there.
    requireCsrf(deps.config, (c, reason) => errorPage(c, 403, `Not signed out: ${reason}.`), {
      nullOrigin: true,
    }),
    (c) => {
      const athleteId = sessionAthleteId(c, deps.config, deps.now());
      clearSession(c, deps.config);
      if (athleteId !== null) c.get("logger").info({ athleteId }, "signed out");
      return c.redirect("/?notice=signed-out", 303);
    },
  );
}
