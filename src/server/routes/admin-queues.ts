import { timingSafeEqual } from "node:crypto";
import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono, MiddlewareHandler } from "hono";
import { type AppDeps, type AppEnv, allQueues } from "../deps.ts";
import { errorBody } from "../errors.ts";

const BASE = "/admin/queues";

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * ADMIN_TOKEN as a bearer token (scripts) or as the password of HTTP basic auth
 * with any user name (a browser's own prompt). Without ADMIN_TOKEN the dashboard
 * is off: it can retry and delete jobs.
 */
function adminAuth(token: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const header = c.req.header("authorization") ?? "";
    let given = "";
    if (header.startsWith("Bearer ")) given = header.slice(7);
    else if (header.startsWith("Basic ")) {
      const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
      given = decoded.slice(decoded.indexOf(":") + 1);
    }
    if (!given || !sameSecret(given, token)) {
      c.get("logger").warn({ path: c.req.path }, "admin access refused");
      c.header("WWW-Authenticate", 'Basic realm="runstrong admin", charset="UTF-8"');
      return errorBody(c, "unauthorized", "the queue dashboard needs ADMIN_TOKEN");
    }
    await next();
  };
}

export function registerAdminQueues(app: Hono<AppEnv>, deps: Pick<AppDeps, "config" | "queues">): void {
  const token = deps.config.secrets.adminToken;
  if (!token) {
    app.all(`${BASE}/*`, (c) =>
      errorBody(c, "not_found", "the queue dashboard is off: set ADMIN_TOKEN to turn it on"),
    );
    app.all(BASE, (c) =>
      errorBody(c, "not_found", "the queue dashboard is off: set ADMIN_TOKEN to turn it on"),
    );
    return;
  }
  const adapter = new HonoAdapter(serveStatic);
  createBullBoard({
    queues: allQueues(deps.queues).map((q) => new BullMQAdapter(q)),
    serverAdapter: adapter,
  });
  adapter.setBasePath(BASE);
  app.use(BASE, adminAuth(token));
  app.use(`${BASE}/*`, adminAuth(token));
  app.route(BASE, adapter.registerPlugin());
}
