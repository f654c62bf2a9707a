// Operator tokens (ADMIN_TOKEN, METRICS_TOKEN) travel only as
// `Authorization: Bearer <token>`. Not as HTTP Basic auth: a browser remembers
// Basic credentials and sends them with any request to this origin, including
// one a page elsewhere makes it send; a bearer header is sent only by whoever
// means to (a script, a scraper, a proxy in front of the dashboard).
import type { Context } from "hono";
import type { Config } from "../../config.ts";
import { secretsEqual } from "../../security/compare.ts";

export type BearerCheck = "none" | "valid" | "wrong";

/** "none" when no bearer token came (Basic auth counts as none), else whether it is one of `tokens`. */
export function checkBearer(c: Context, tokens: readonly string[]): BearerCheck {
  const header = c.req.header("authorization");
  if (!header || !/^Bearer /i.test(header)) return "none";
  const given = header.slice(7).trim();
  if (!given) return "none";
  let ok = false;
  for (const token of tokens) ok = secretsEqual(given, token) || ok;
  return ok ? "valid" : "wrong";
}

/** The challenge sent with a 401, so a client knows which scheme to use (never Basic: no browser prompt). */
export const BEARER_CHALLENGE = 'Bearer realm="runstrong"';

/** The tokens that open /metrics and the readiness details; with none configured nobody sees them. */
export function operatorTokens(config: Config): string[] {
  return [config.secrets.metricsToken, config.secrets.adminToken].filter((t): t is string => t !== null);
}
