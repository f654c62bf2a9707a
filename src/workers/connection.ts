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
