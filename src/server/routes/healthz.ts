import type { Hono } from "hono";
import type { AppEnv } from "../deps.ts";

/** Liveness: the process answers. Says nothing about Postgres or Redis (that is /readyz). */
export function registerHealthz(app: Hono<AppEnv>): void {
  app.get("/healthz", (c) => c.json({ status: "ok" }));
}
