// The Redis prefix belongs to one install (one database) at a time: a process
// records its install id under `<prefix>:install-id` and renews it while it runs;
// one whose database is another install's refuses to start, and one that finds
// its prefix taken after an outage says so in /readyz and the log.
import { describe, expect, it, onTestFinished, vi } from "vitest";
import { UsageError } from "../../src/commands/command.ts";
import { openResources } from "../../src/runtime/resources.ts";
import { PREFIX_LEASE_MS, prefixOwnerKey } from "../../src/workers/connection.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv();
const key = prefixOwnerKey(env.prefix);

async function opened() {
  const res = await openResources(env.config, env.logger, "test");
  onTestFinished(() => res.close());
  return res;
}

const redisCheck = (res: Awaited<ReturnType<typeof openResources>>) =>
  res.readiness.find((c) => c.name === "redis")?.check() ?? Promise.reject(new Error("no redis check"));

describe("the install id under the Redis prefix", () => {
  it("is recorded, with a lease, by a process of this install", async () => {
    await env.redis.del(key);
    const res = await opened();
    await res.ready();
    expect(await env.redis.get(key)).toBe(env.queues.installId);
    const ttl = await env.redis.pttl(key);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(PREFIX_LEASE_MS);
    await expect(redisCheck(res)).resolves.toBeUndefined();
  });

  it("makes a process of another install refuse to start, in one line naming REDIS_PREFIX", async () => {
    await env.redis.set(key, "0123456789abcdef", "PX", PREFIX_LEASE_MS);
    onTestFinished(async () => {
      await env.redis.del(key);
    });
    const res = await opened();
    const refused = await res.ready().then(
      () => null,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(UsageError);
    const message = (refused as Error).message;
    expect(message).not.toContain("\n");
    expect(message).toContain(`Redis prefix "${env.prefix}" (REDIS_PREFIX`);
    expect(message).toContain("install id 0123456789abcdef");
    expect(message).toContain(`this database's is ${env.queues.installId}`);
  });

  it("taken by another install while this one runs: /readyz's Redis check fails and the log says why", async () => {
    await env.redis.del(key);
    const res = await opened();
    await res.ready();
    await env.redis.set(key, "fedcba9876543210", "PX", PREFIX_LEASE_MS);
    onTestFinished(async () => {
      await env.redis.del(key);
    });
    await vi.waitFor(
      () =>
        expect(
          env.logs.some(
            (l) =>
              l.msg === "another install took this Redis prefix while this one was away from Redis" &&
              l.otherInstallId === "fedcba9876543210",
          ),
        ).toBe(true),
      { timeout: 15_000, interval: 100 },
    );
    await expect(redisCheck(res)).rejects.toThrow(/held by another install \(fedcba9876543210\)/);
  });
});
