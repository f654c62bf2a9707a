// The BullMQ dashboard (bull-board) at /admin/queues, behind ADMIN_TOKEN. bull-board
// (about 13 MB resident with its template engine) is loaded only when ADMIN_TOKEN
// turns the dashboard on, not by every process (bench/rss.ts). It is CommonJS, so
// require() loads it while the routes are registered, and they stay in the app's
// route table (test/integration/http.access.test.ts walks it).
import { createRequire } from "node:module";
import type * as BullBoardApi from "@bull-board/api";
import type * as BullBoardBullMQ from "@bull-board/api/bullMQAdapter";
import type * as BullBoardHono from "@bull-board/hono";
import { serveStatic } from "@hono/node-server/serve-static";
import type { Hono, MiddlewareHandler } from "hono";
import { type AppDeps, type AppEnv, allQueues } from "../deps.ts";
import { errorBody } from "../errors.ts";
import { BEARER_CHALLENGE, checkBearer } from "../middleware/bearer-token.ts";

const require = createRequire(import.meta.url);
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
  const { createBullBoard } = require("@bull-board/api") as typeof BullBoardApi;
  const { BullMQAdapter } = require("@bull-board/api/bullMQAdapter") as typeof BullBoardBullMQ;
  const { HonoAdapter } = require("@bull-board/hono") as typeof BullBoardHono;
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
