import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

const CHECK_TIMEOUT_MS = 2_000;

function withTimeout(p: Promise<void>, ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve();
      },
      (err: unknown) => {
        clearTimeout(t);
        reject(err);
      },
    );
  });
}

/** Readiness: every dependency answers and the schema is current; 503 names what is not. */
export function registerReadyz(app: Hono<AppEnv>, deps: Pick<AppDeps, "readiness" | "logger">): void {
  app.get("/readyz", async (c) => {
    const results = await Promise.all(
      deps.readiness.map(async ({ name, check }) => {
        try {
          await withTimeout(check(), CHECK_TIMEOUT_MS);
          return [name, { status: "ok" }] as const;
        } catch (err) {
          return [name, { status: "fail", error: err instanceof Error ? err.message : String(err) }] as const;
        }
      }),
    );
    const failing = results.filter(([, r]) => r.status !== "ok").map(([name]) => name);
    if (failing.length > 0) deps.logger.warn({ failing }, "not ready");
    return c.json(
      { status: failing.length === 0 ? "ok" : "fail", failing, checks: Object.fromEntries(results) },
      failing.length === 0 ? 200 : 503,
    );
  });
}
