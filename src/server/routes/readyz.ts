import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";
import { errorBody } from "../errors.ts";
import { BEARER_CHALLENGE, checkBearer, operatorTokens } from "../middleware/bearer-token.ts";

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

/**
 * Readiness: every dependency answers and the schema is current. Anyone (a load
 * balancer) gets a bare 200 or 503; with ADMIN_TOKEN or METRICS_TOKEN as a
 * bearer token the answer names each check and what failed, which says what
 * the install runs on and is nobody else's business.
 */
export function registerReadyz(
  app: Hono<AppEnv>,
  deps: Pick<AppDeps, "readiness" | "logger" | "config">,
): void {
  const tokens = operatorTokens(deps.config);
  app.get("/readyz", async (c) => {
    const bearer = checkBearer(c, tokens);
    if (bearer === "wrong") {
      c.header("WWW-Authenticate", BEARER_CHALLENGE);
      return errorBody(c, "unauthorized", "wrong token: use ADMIN_TOKEN or METRICS_TOKEN, or none");
    }
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
    const status = failing.length === 0 ? 200 : 503;
    if (bearer === "none") return c.json({ status: status === 200 ? "ok" : "unavailable" }, status);
    return c.json(
      { status: failing.length === 0 ? "ok" : "fail", failing, checks: Object.fromEntries(results) },
      status,
    );
  });
}
