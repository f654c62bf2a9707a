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
