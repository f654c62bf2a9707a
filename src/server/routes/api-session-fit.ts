// GET /api/sessions/{key}.fit: one planned session as a FIT workout file.
import type { Hono } from "hono";
import { sessionFitFile } from "../../plan/session-fit.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { requireAthlete } from "../session.ts";

const FIT_FILE = /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.fit$/i;

export function registerApiSessionFit(app: Hono<AppEnv>, deps: AppDeps): void {
  app.get("/api/sessions/:file", requireAthlete(deps), async (c) => {
    const key = FIT_FILE.exec(c.req.param("file"))?.[1];
    if (!key) throw new AppError("not_found", "ask for /api/sessions/{session key}.fit");
    const { file, filename } = await sessionFitFile(deps.db, c.get("athlete"), key.toLowerCase(), deps.now());
    return c.body(file as Uint8Array<ArrayBuffer>, 200, {
      "content-type": "application/vnd.ant.fit",
      "content-disposition": `attachment; filename="${filename}"`,
      "cache-control": "private, no-store",
    });
  });
}
