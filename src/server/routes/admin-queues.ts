// The BullMQ dashboard (bull-board) at /admin/queues, behind ADMIN_TOKEN. bull-board
// (about 13 MB resident with its template engine) is imported on the first
// authorised request, not at start: most processes never serve the dashboard
// (bench/rss.ts).
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono, type MiddlewareHandler } from "hono";
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
  let board: Promise<Hono> | undefined;
  const serveBoard: MiddlewareHandler<AppEnv> = async (c, next) => {
    board ??= createBoard(deps.queues);
    try {
      return await (await board).fetch(c.req.raw, c.env);
    } catch (thrown) {
      if (thrown === UNMATCHED) return next();
      throw thrown;
    }
  };
  app.use(BASE, adminAuth(token), serveBoard);
  app.use(`${BASE}/*`, adminAuth(token), serveBoard);
}

/** Thrown by the dashboard's app for a path it has no route for: the main app's 404 answers it. */
const UNMATCHED = Symbol("no dashboard route");

/**
 * bull-board's routes mounted at BASE in an app of their own, built once: the
 * request reaches it with its full path (bull-board's static files are found by
 * it). Its errors and unknown paths go back to the main app's onError and
 * notFound, as when the routes were part of it.
 */
async function createBoard(queues: AppDeps["queues"]): Promise<Hono> {
  const [{ createBullBoard }, { BullMQAdapter }, { HonoAdapter }] = await Promise.all([
    import("@bull-board/api"),
    import("@bull-board/api/bullMQAdapter"),
    import("@bull-board/hono"),
  ]);
  const adapter = new HonoAdapter(serveStatic);
  createBullBoard({ queues: allQueues(queues).map((q) => new BullMQAdapter(q)), serverAdapter: adapter });
  adapter.setBasePath(BASE);
  const board = new Hono();
  board.route(BASE, adapter.registerPlugin());
  board.notFound(() => {
    throw UNMATCHED;
  });
  board.onError((err) => {
    throw err;
  });
  return board;
}
