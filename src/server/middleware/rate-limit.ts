// Rate limits on what anyone may call without a session: the OAuth starts (each
// sets a state cookie and sends the browser to Strava or Garmin) and the webhooks,
// per source address (the confirmation mail's per-athlete count is the settings
// verb's own: src/plan/confirm-mail-limit.ts). Fixed windows counted in Redis under the
// process's key prefix, so every `serve` process shares one count. A Redis that
// cannot be reached lets the request through: the webhook then answers its own 503,
// and refusing sign-ins because a counter is away would be worse than a burst.
import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context, MiddlewareHandler } from "hono";
import type { Redis } from "ioredis";
import type { Config } from "../../config.ts";
import type { Logger } from "../../observability/logger.ts";
import type { Queues } from "../../workers/queues.ts";
import type { AppEnv } from "../deps.ts";
import { errorBody } from "../errors.ts";

export interface RateRule {
  /** names the counter in Redis */
  name: string;
  /** requests allowed per window; 0 means no limit */
  limit: number;
  windowMs: number;
}

export interface LimiterDeps {
  config: Config;
  queues: Queues;
  logger: Logger;
  now: () => Date;
}

export type Verdict = { allowed: true } | { allowed: false; retryAfterS: number };

const MINUTE = 60_000;

/** Counts one request of `id` against `rule`; over the limit it says how long until the window turns. */
export async function consume(deps: LimiterDeps, rule: RateRule, id: string): Promise<Verdict> {
  if (rule.limit <= 0) return { allowed: true };
  const nowMs = deps.now().getTime();
  const window = Math.floor(nowMs / rule.windowMs);
  const key = `${deps.config.redis.prefix}:ratelimit:${rule.name}:${id}:${window}`;
  let count: number;
  try {
    // The queues' connection: the ioredis client createQueues gave BullMQ, which shares it.
    const redis = (await deps.queues.replan.getBackend().client) as unknown as Redis;
    const replies = await redis.multi().incr(key).pexpire(key, rule.windowMs).exec();
    count = Number(replies?.[0]?.[1]);
  } catch (err) {
    deps.logger.warn(
      { rule: rule.name, err: (err as Error).message },
      "rate limit not checked: Redis unreachable",
    );
    return { allowed: true };
  }
  if (!Number.isFinite(count) || count <= rule.limit) return { allowed: true };
  return {
    allowed: false,
    retryAfterS: Math.max(1, Math.ceil(((window + 1) * rule.windowMs - nowMs) / 1000)),
  };
}

/**
 * The address the request came from: the socket's peer, or with TRUST_PROXY the
 * last X-Forwarded-For entry (the one our own proxy appended; the entries before it
 * are whatever the client claimed).
 */
export function sourceAddress(c: Context, trustProxy: boolean): string | null {
  if (trustProxy) {
    const last = c.req.header("x-forwarded-for")?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  try {
    return getConnInfo(c).remote.address ?? null;
  } catch {
    // No Node socket (app.request in tests, another runtime): nothing to count by.
    return null;
  }
}

function refuse(c: Context, retryAfterS: number, what: string) {
  c.header("Retry-After", String(retryAfterS));
  return errorBody(c, "rate_limited", `too many ${what}; try again in ${retryAfterS} s`, { retryAfterS });
}

/** The per-address limits of the public endpoints; one middleware for the whole app. */
export function publicRateLimits(deps: LimiterDeps): MiddlewareHandler<AppEnv> {
  const { rateLimits } = deps.config;
  const oauthStart: RateRule = {
    name: "oauth-start",
    limit: rateLimits.oauthStartPerMinute,
    windowMs: MINUTE,
  };
  const webhook: RateRule = { name: "webhook", limit: rateLimits.webhookPerMinute, windowMs: MINUTE };
  return async (c, next) => {
    const path = c.req.path;
    const rule =
      c.req.method === "GET" && (path === "/auth/strava" || path === "/auth/garmin")
        ? oauthStart
        : path.startsWith("/webhooks/")
          ? webhook
          : null;
    // No address, no count: one shared bucket would let any one client lock out everyone.
    const address = rule ? sourceAddress(c, rateLimits.trustProxy) : null;
    if (rule && address) {
      const verdict = await consume(deps, rule, address);
      if (!verdict.allowed) {
        c.get("logger").info({ rule: rule.name }, "rate limited");
        return refuse(c, verdict.retryAfterS, rule === webhook ? "webhook requests" : "sign-in attempts");
      }
    }
    await next();
  };
}
