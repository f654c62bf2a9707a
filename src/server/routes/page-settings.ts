// GET /settings and its forms (being built for issue 14).
import type { Hono } from "hono";
import type { AppDeps, AppEnv } from "../deps.ts";

export function registerPageSettings(_app: Hono<AppEnv>, _deps: AppDeps): void {}
