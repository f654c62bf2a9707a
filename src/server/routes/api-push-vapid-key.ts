// GET /api/push/vapid-public-key: the key a browser passes to
// PushManager.subscribe({applicationServerKey}). Public by nature, so no session.
import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

export function registerApiPushVapidKey(app: Hono<AppEnv>, deps: Pick<AppDeps, "config">): void {
  app.get("/api/push/vapid-public-key", (c) => c.json({ publicKey: deps.config.push.vapidPublicKey }));
}
