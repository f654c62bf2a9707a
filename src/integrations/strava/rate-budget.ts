// One Strava rate-limit budget for the whole installation, held in Redis so that
// every worker and process shares it. Strava counts per application: 15-minute
// windows starting at :00/:15/:30/:45 UTC and a daily window from midnight UTC,
// overall (X-RateLimit-*) and for reads (X-ReadRateLimit-*). Every response's
// headers are recorded; before each call one unit is reserved atomically, and a
// call that would eat into the lane's headroom is refused with the time the next
// window opens, so a job waits for it instead of failing or spinning.
import type { Redis } from "ioredis";
import { type RateWindow, StravaRateLimitedError } from "./errors.ts";

const QUARTER_MS = 15 * 60_000;
const DAY_MS = 86_400_000;

/**
 * Who is calling. Live webhook imports may use most of each window; a backfill
 * stops well before, so the webhooks arriving meanwhile still find room; the
 * interactive lane (an athlete waiting at the OAuth callback, the CLI) is live's.
 */
export type BudgetLane = "live" | "backfill" | "interactive";

/** The share of each limit a lane may use; the rest is headroom. */
export const LANE_SHARE: Record<BudgetLane, { short: number; daily: number }> = {
  live: { short: 0.9, daily: 0.95 },
  interactive: { short: 0.9, daily: 0.95 },
  backfill: { short: 0.6, daily: 0.7 },
};

/** Strava's documented defaults, assumed until the first response tells the real limits. */
export const DEFAULT_LIMITS = { short: 200, daily: 2000, readShort: 100, readDaily: 1000 };

export interface RateUsage {
  short: { usage: number; limit: number };
  daily: { usage: number; limit: number };
}

export interface ParsedRateHeaders {
  overall: RateUsage | null;
  read: RateUsage | null;
}

/** What the HTTP layer needs: a gate before a call, and the headers after it. */
export interface RateBudget {
  /** throws StravaRateLimitedError (fromStrava false) when the lane's share of a window is used */
  reserve(lane: BudgetLane, kind: "read" | "write"): Promise<void>;
  /** records a response's rate headers; on a 429 marks the window spent and returns when it reopens */
  record(headers: Headers, status: number): Promise<{ retryAt: number; window: RateWindow } | null>;
}

export function nextQuarterHour(ms: number): number {
  return (Math.floor(ms / QUARTER_MS) + 1) * QUARTER_MS;
}

export function nextUtcMidnight(ms: number): number {
  return (Math.floor(ms / DAY_MS) + 1) * DAY_MS;
}

function pair(value: string | null): [number, number] | null {
  if (!value) return null;
  const [a, b] = value.split(",").map((v) => Number(v.trim()));
  return a !== undefined && b !== undefined && Number.isFinite(a) && Number.isFinite(b) ? [a, b] : null;
}

function usageOf(limit: string | null, usage: string | null): RateUsage | null {
  const l = pair(limit);
  const u = pair(usage);
  if (!l || !u) return null;
  return { short: { usage: u[0], limit: l[0] }, daily: { usage: u[1], limit: l[1] } };
}

/** Reads "15min,daily" pairs; a missing or garbled header counts as unknown, never as zero usage. */
export function parseRateHeaders(headers: Headers): ParsedRateHeaders {
  return {
    overall: usageOf(headers.get("x-ratelimit-limit"), headers.get("x-ratelimit-usage")),
    read: usageOf(headers.get("x-readratelimit-limit"), headers.get("x-readratelimit-usage")),
  };
}

// Hash fields: q/d the windows the usage belongs to; su/du overall usage, sl/dl
// overall limits; rsu/rdu/rsl/rdl the same for reads. A field of an older window
// counts as zero usage.
const RESERVE = `
local m = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do m[flat[i]] = tonumber(flat[i + 1]) end
local q, d = tonumber(ARGV[1]), tonumber(ARGV[2])
local shortShare, dailyShare = tonumber(ARGV[3]), tonumber(ARGV[4])
local isRead = ARGV[5] == '1'
local sameQ, sameD = m.q == q, m.d == d
local su = sameQ and (m.su or 0) or 0
local rsu = sameQ and (m.rsu or 0) or 0
local du = sameD and (m.du or 0) or 0
local rdu = sameD and (m.rdu or 0) or 0
local sl, dl = m.sl or tonumber(ARGV[6]), m.dl or tonumber(ARGV[7])
local rsl, rdl = m.rsl or tonumber(ARGV[8]), m.rdl or tonumber(ARGV[9])
if du + 1 > math.floor(dl * dailyShare) or (isRead and rdu + 1 > math.floor(rdl * dailyShare)) then
  return 2
end
if su + 1 > math.floor(sl * shortShare) or (isRead and rsu + 1 > math.floor(rsl * shortShare)) then
  return 1
end
redis.call('HSET', KEYS[1], 'q', q, 'd', d, 'su', su + 1, 'du', du + 1)
if isRead then redis.call('HSET', KEYS[1], 'rsu', rsu + 1, 'rdu', rdu + 1) end
redis.call('PEXPIRE', KEYS[1], 172800000)
return 0
`;

// ARGV: q, d, then su sl du dl rsu rsl rdu rdl ('' when unknown), then spent:
// '' | 'short' | 'daily' (a 429 says the window is used up whatever the headers say).
const RECORD = `
local m = {}
local flat = redis.call('HGETALL', KEYS[1])
for i = 1, #flat, 2 do m[flat[i]] = tonumber(flat[i + 1]) end
local q, d = tonumber(ARGV[1]), tonumber(ARGV[2])
local sameQ, sameD = m.q == q, m.d == d
local function merge(field, value, same)
  local v = tonumber(value)
  if v == nil then return end
  local old = same and m[field] or nil
  if old ~= nil and old > v then v = old end
  redis.call('HSET', KEYS[1], field, v)
  m[field] = v
end
local function limit(field, value)
  local v = tonumber(value)
  if v ~= nil and v > 0 then redis.call('HSET', KEYS[1], field, v); m[field] = v end
end
if not sameQ then redis.call('HSET', KEYS[1], 'su', 0, 'rsu', 0); m.su = 0; m.rsu = 0 end
if not sameD then redis.call('HSET', KEYS[1], 'du', 0, 'rdu', 0); m.du = 0; m.rdu = 0 end
redis.call('HSET', KEYS[1], 'q', q, 'd', d)
limit('sl', ARGV[4]); limit('dl', ARGV[6]); limit('rsl', ARGV[8]); limit('rdl', ARGV[10])
merge('su', ARGV[3], true); merge('du', ARGV[5], true)
merge('rsu', ARGV[7], true); merge('rdu', ARGV[9], true)
if ARGV[11] == 'daily' then
  redis.call('HSET', KEYS[1], 'du', m.dl or ARGV[12], 'rdu', m.rdl or ARGV[13])
elseif ARGV[11] == 'short' then
  redis.call('HSET', KEYS[1], 'su', m.sl or ARGV[14], 'rsu', m.rsl or ARGV[15])
end
redis.call('PEXPIRE', KEYS[1], 172800000)
return 0
`;

type BudgetRedis = Redis & {
  stravaBudgetReserve(key: string, ...args: (string | number)[]): Promise<number>;
  stravaBudgetRecord(key: string, ...args: (string | number)[]): Promise<number>;
};

function withScripts(redis: Redis): BudgetRedis {
  const r = redis as BudgetRedis;
  // defineCommand keeps the script's SHA and falls back to EVAL after a Redis restart.
  if (typeof r.stravaBudgetReserve !== "function") {
    redis.defineCommand("stravaBudgetReserve", { numberOfKeys: 1, lua: RESERVE });
    redis.defineCommand("stravaBudgetRecord", { numberOfKeys: 1, lua: RECORD });
  }
  return r;
}

export interface RateBudgetOptions {
  /** spreads the jobs waiting for a window over its first seconds; tests pass () => 0 */
  jitterMs?: () => number;
}

export function budgetKey(prefix: string): string {
  return `${prefix}:strava:rate-budget`;
}

export function createRateBudget(
  redis: Redis,
  prefix: string,
  now: () => Date,
  options: RateBudgetOptions = {},
): RateBudget & { usage(): Promise<Record<string, number>> } {
  const r = withScripts(redis);
  const key = budgetKey(prefix);
  // A second after the boundary plus a spread, so the jobs that waited do not all
  // hit Strava in the same instant (the reservation still admits only what fits).
  const jitter = options.jitterMs ?? (() => 1_000 + Math.floor(Math.random() * 20_000));
  const windows = (ms: number) => [Math.floor(ms / QUARTER_MS), Math.floor(ms / DAY_MS)] as const;
  const reopening = (ms: number, window: RateWindow) =>
    (window === "daily" ? nextUtcMidnight(ms) : nextQuarterHour(ms)) + jitter();

  return {
    async reserve(lane, kind) {
      const ms = now().getTime();
      const [q, d] = windows(ms);
      const share = LANE_SHARE[lane];
      const verdict = await r.stravaBudgetReserve(
        key,
        q,
        d,
        share.short,
        share.daily,
        kind === "read" ? "1" : "0",
        DEFAULT_LIMITS.short,
        DEFAULT_LIMITS.daily,
        DEFAULT_LIMITS.readShort,
        DEFAULT_LIMITS.readDaily,
      );
      if (verdict === 0) return;
      const window: RateWindow = verdict === 2 ? "daily" : "15min";
      throw new StravaRateLimitedError(
        `Strava ${window} budget for ${lane} calls is used; waiting for the next window`,
        reopening(ms, window),
        window,
        false,
      );
    },

    async record(headers, status) {
      const ms = now().getTime();
      const [q, d] = windows(ms);
      const { overall, read } = parseRateHeaders(headers);
      let spent: RateWindow | null = null;
      if (status === 429) {
        const dailyOver = [overall, read].some((u) => u !== null && u.daily.usage >= u.daily.limit);
        spent = dailyOver ? "daily" : "15min";
      }
      const n = (v: number | undefined) => (v === undefined ? "" : String(v));
      await r.stravaBudgetRecord(
        key,
        q,
        d,
        n(overall?.short.usage),
        n(overall?.short.limit),
        n(overall?.daily.usage),
        n(overall?.daily.limit),
        n(read?.short.usage),
        n(read?.short.limit),
        n(read?.daily.usage),
        n(read?.daily.limit),
        spent === "daily" ? "daily" : spent === "15min" ? "short" : "",
        DEFAULT_LIMITS.daily,
        DEFAULT_LIMITS.readDaily,
        DEFAULT_LIMITS.short,
        DEFAULT_LIMITS.readShort,
      );
      return spent ? { retryAt: reopening(ms, spent), window: spent } : null;
    },

    async usage() {
      const flat = await redis.hgetall(key);
      return Object.fromEntries(Object.entries(flat).map(([k, v]) => [k, Number(v)]));
    },
  };
}
