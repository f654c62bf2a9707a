import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { HonoAdapter } from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono, MiddlewareHandler } from "hono";
import { type AppDeps, type AppEnv, allQueues } from "../deps.ts";
import { errorBody } from "../errors.ts";
import { BEARER_CHALLENGE, checkBearer } from "../middleware/bearer-token.ts";

const BASE = "/admin/queues";

/**
 * ADMIN_TOKEN as a bearer token, and nothing else: no Basic auth, whose
 * credentials a browser would replay on a request another site makes it send
 * (see bearer-token.ts). A browser reaches the dashboard through a proxy or an
 * extension that adds the header. Its POST and PUT routes also pass the
 * app-wide JSON and Origin check (same-origin-json.ts). Without ADMIN_TOKEN the
 * dashboard is off: it can retry, add and delete jobs.
 */
function adminAuth(token: string): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (checkBearer(c, [token]) !== "valid") {
      c.get("logger").warn({ path: c.req.path }, "admin access refused");
      c.header("WWW-Authenticate", BEARER_CHALLENGE);
      return errorBody(c, "unauthorized", "the queue dashboard needs Authorization: Bearer <ADMIN_TOKEN>");
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
