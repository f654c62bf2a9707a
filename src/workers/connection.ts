import { Redis } from "ioredis";

/**
 * BullMQ needs `maxRetriesPerRequest: null` on the connections its workers block
 * on; a worker must wait out a Redis restart, not crash.
 */
export function createRedis(url: string, connectionName: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, connectionName, lazyConnect: false });
}

/**
 * For health checks and fail-fast producers: never queue commands while Redis is
 * away, answer at once so /readyz can say "Redis down".
 */
export function createProbeRedis(url: string): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    connectTimeout: 2_000,
    connectionName: "runstrong-probe",
    retryStrategy: (times) => Math.min(times * 200, 2_000),
  });
}

/**
 * For producers (the HTTP process enqueueing, handlers queueing follow-ups): while
 * Redis is away a command fails at once instead of waiting in ioredis' offline
 * queue, so a request answers 503 rather than hanging until Redis returns.
 * BullMQ still waits for the first connection before its first command.
 */
export function createProducerRedis(url: string, connectionName: string): Redis {
  return new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, connectionName });
}

/** Resolves once the client is connected, or rejects after `timeoutMs`. */
export function redisReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === "ready") return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off("ready", onReady);
      reject(new Error(`Redis not ready within ${timeoutMs} ms`));
    }, timeoutMs);
    const onReady = () => {
      clearTimeout(timer);
      resolve();
    };
    client.once("ready", onReady);
  });
}

/** How long a process's claim on its Redis prefix lasts unless renewed. */
export const PREFIX_LEASE_MS = 30_000;
/** How often a running process renews it (and so notices a Redis that lost its keys). */
export const PREFIX_RENEW_MS = 5_000;

/** `<prefix>:install-id`: which install's database the jobs under this prefix belong to. */
export function prefixOwnerKey(prefix: string): string {
  return `${prefix}:install-id`;
}

/**
 * `held`: the prefix is this install's; `fresh` when the key was missing (the
 * first process, or Redis lost it). `taken`: another install's processes hold it.
 */
export type PrefixClaim = { kind: "held"; fresh: boolean } | { kind: "taken"; by: string };

const CLAIM_SCRIPT = `
local current = redis.call('GET', KEYS[1])
if current and current ~= ARGV[1] then return current end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
if current then return 1 end
return 0`;

/**
 * Records `installId` under the prefix for `leaseMs`, unless another install holds
 * it. Every process renews its lease while it runs, so the key of an install
 * that is gone (its database recreated, say) lapses and the prefix is free again.
 */
export async function claimPrefix(
  client: Redis,
  prefix: string,
  installId: string,
  leaseMs: number = PREFIX_LEASE_MS,
): Promise<PrefixClaim> {
  const answer = await client.eval(CLAIM_SCRIPT, 1, prefixOwnerKey(prefix), installId, String(leaseMs));
  if (typeof answer === "string") return { kind: "taken", by: answer };
  return { kind: "held", fresh: answer === 0 };
}
