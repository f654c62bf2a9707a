// `npm run bench -- webhook [--duration S] [--connections N] [--athletes N]`
//
// The Strava webhook intake under load, on the real stack: createApp on
// @hono/node-server, a throwaway Postgres database built from the migrations with
// connected athletes seeded, and Redis under a prefix of its own (both removed
// afterwards; bench/_stack.ts). In the same run, a bare Hono route that reads the same body and
// answers 200, on another port: machines are noisy, the ratio travels. autocannon
// runs in a child process (bench/_webhook-load.ts) on loopback. Afterwards every
// event answered 200 is checked to be stored exactly once and queued,
// and no event of an unconnected athlete to be stored at all.
//
// Target (issue 4), on the 2-core machine with the load generator on the same
// cores: >= 3,000 events/s with p99 < 50 ms.

import { fork } from "node:child_process";
import { randomBytes } from "node:crypto";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import pino from "pino";
import { createLogger } from "../src/observability/logger.ts";
import { createMetrics } from "../src/observability/metrics.ts";
import { listen } from "../src/runtime/http.ts";
import { createApp } from "../src/server/app.ts";
import { WEBHOOK_BATCH } from "../src/server/routes/strava-webhook.ts";
import { webhookPath } from "../src/server/webhook-path.ts";
import { withBenchStack } from "./_stack.ts";
import type { LoadResult, LoadRun } from "./_webhook-load.ts";

const SUBSCRIPTION_ID = 120_475;
const OBJECT_BASE = 16_000_000_000;

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function load(run: LoadRun): Promise<LoadResult> {
  const child = fork(new URL("./_webhook-load.ts", import.meta.url), [], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  return new Promise((resolve, reject) => {
    child.once("message", (m: { result?: LoadResult; error?: string }) => {
      child.kill();
      if (m.result) resolve(m.result);
      else reject(new Error(m.error ?? "load generator failed"));
    });
    child.once("error", reject);
    child.send(run);
  });
}

function summary(r: LoadResult) {
  return {
    eventsPerS: Math.round(r.ok / r.durationS),
    p50Ms: r.latencyMs.p50,
    p90Ms: r.latencyMs.p90,
    p99Ms: r.latencyMs.p99,
    maxMs: r.latencyMs.max,
    requests: r.requests,
    ok: r.ok,
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
  };
}

export async function main(args: string[]): Promise<object> {
  const durationS = option(args, "duration", 10);
  const connections = option(args, "connections", 50);
  const athleteCount = option(args, "athletes", 200);
  return withBenchStack(
    {
      STRAVA_SUBSCRIPTION_ID: String(SUBSCRIPTION_ID),
      STRAVA_VERIFY_TOKEN: "bench-verify-token",
      STRAVA_WEBHOOK_SECRET: randomBytes(24).toString("hex"),
      // The load comes from one address: the per-address webhook limit would refuse most of it.
      RATE_LIMIT_WEBHOOK_PER_MINUTE: "0",
    },
    async ({ config, pool, queues, redis }) => {
      const servers: { close: () => Promise<void> }[] = [];
      try {
        // Connected athletes, as the OAuth callback stores them (tokens are not used here).
        const owners = Array.from({ length: athleteCount }, (_, i) => 50_000_000 + i);
        await pool.sql`
          with a as (
            insert into athletes (display_name, calendar_token)
            select 'Bench ' || o, md5(random()::text || o) from unnest(${owners}::bigint[]) as o
            returning id, display_name)
          insert into provider_connections (athlete_id, provider, external_athlete_id, status)
          select id, 'strava', substr(display_name, 7), 'active' from a`;

        // Request logs go where production's would, minus the disk: serialized, then dropped.
        const logger = createLogger({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }));
        const app = createApp({
          config,
          db: pool.db,
          queues,
          logger,
          metrics: createMetrics({ defaultMetrics: false }),
          readiness: [],
          now: () => new Date(),
        });
        const real = await listen(app, 0, "127.0.0.1");
        servers.push(real);

        const bareApp = new Hono();
        bareApp.post(webhookPath("strava", ":secret"), async (c) => {
          await c.req.text();
          return c.json({ status: "received" });
        });
        const bare = await new Promise<{ port: number; close: () => Promise<void> }>((resolve) => {
          const s = serve({ fetch: bareApp.fetch, port: 0, hostname: "127.0.0.1" }, (info) =>
            resolve({ port: info.port, close: () => new Promise((done) => s.close(() => done())) }),
          );
        });
        servers.push(bare);

        const run = (port: number, firstObjectId: number, seconds: number) =>
          load({
            url: `http://127.0.0.1:${port}`,
            path: webhookPath("strava", config.strava.webhookSecret ?? ""),
            durationS: seconds,
            connections,
            owners,
            unknownShare: 0.02,
            firstObjectId,
            subscriptionId: SUBSCRIPTION_ID,
          });

        // Warm both up (JIT, connection pools), then measure each for the same time.
        await run(bare.port, 0, 2);
        await run(real.port, 10_000_000, 2);
        const bareResult = await run(bare.port, 0, durationS);
        const redisCpu = async () => {
          const info = await redis.info("cpu");
          const v = (k: string) => Number(new RegExp(`${k}:([\\d.]+)`).exec(info)?.[1] ?? 0);
          return v("used_cpu_user") + v("used_cpu_sys");
        };
        const cpu0 = process.cpuUsage();
        const r0 = await redisCpu();
        const realResult = await run(real.port, 20_000_000, durationS);
        const cpu1 = process.cpuUsage(cpu0);
        const r1 = await redisCpu();
        const cpuPerEvent = {
          nodeUs: Math.round((cpu1.user + cpu1.system) / realResult.ok),
          redisUs: Math.round(((r1 - r0) * 1e6) / realResult.ok),
        };
        await real.close();
        servers.splice(servers.indexOf(real), 1);

        // Every acknowledged event of a connected athlete stored exactly once (with its
        // job); none of an unconnected one stored.
        const stored = await pool.sql<{ object_id: string; n: number }[]>`
          select object_id, count(*)::int as n from webhook_events
          where object_id::bigint >= ${OBJECT_BASE + 20_000_000} group by object_id`;
        const storedCount = new Map(stored.map((r) => [Number(r.object_id) - OBJECT_BASE, r.n]));
        let missing = 0;
        let duplicated = 0;
        let unknownStored = 0;
        for (const a of realResult.acknowledged) {
          const n = storedCount.get(a.id) ?? 0;
          if (a.known && n === 0) missing++;
          if (n > 1) duplicated++;
          if (!a.known && n > 0) unknownStored++;
        }
        const [rows] = await pool.sql<{ n: number }[]>`select count(*)::int as n from webhook_events`;
        // Each stored event queued: by a batch job (the webhook's) or a job of its own.
        const queuedIds = new Set<number>();
        for (const job of await queues.strava.getJobs(["prioritized", "waiting"])) {
          const data = job.data as { eventId?: number; eventIds?: number[] };
          if (data.eventId !== undefined) queuedIds.add(data.eventId);
          for (const id of data.eventIds ?? []) queuedIds.add(id);
        }
        const queued = queuedIds.size;

        const realSummary = summary(realResult);
        const bareSummary = summary(bareResult);
        return {
          benchmark: "strava webhook intake",
          durationS,
          connections,
          athletes: athleteCount,
          batch: WEBHOOK_BATCH,
          webhook: realSummary,
          bareHono: bareSummary,
          cpuPerEvent,
          ratio: Math.round((realSummary.eventsPerS / bareSummary.eventsPerS) * 1000) / 1000,
          target: {
            eventsPerS: 3000,
            p99Ms: 50,
            met: realSummary.eventsPerS >= 3000 && realSummary.p99Ms < 50,
          },
          verification: {
            acknowledged: realResult.acknowledged.length,
            acknowledgedOfConnectedAthletes: realResult.acknowledged.filter((a) => a.known).length,
            missing,
            duplicated,
            unknownAthleteStored: unknownStored,
            rowsInInbox: rows?.n ?? 0,
            jobsQueued: queued,
            ok: missing === 0 && duplicated === 0 && unknownStored === 0 && queued === (rows?.n ?? 0),
          },
        };
      } finally {
        for (const s of servers) await s.close();
      }
    },
  );
}
