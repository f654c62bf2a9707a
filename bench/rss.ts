// `npm run bench -- rss [--activities N] [--athletes N] [--latency MS] [--idle S] [--timeout S] [--node PATH]`
//
// Resident memory of one `runstrong start` process (issue 15), the real command
// (bin/runstrong.js) spawned on the bench stack (bench/_stack.ts) with Strava
// played by the stand-in of bench/_fake-strava.ts: idle (`--idle` 5 s after
// /healthz first answers, sampled every 250 ms), then while it imports
// `--activities` (1,000) activities of `--athletes` (50) connected athletes, one
// Strava webhook each, POSTed 10 at a time; each import GETs the activity from the
// stand-in after `--latency` ms (150). VmRSS is read from /proc/<pid>/status every
// 250 ms until every activity is stored. Target: < 200 MB.
//
// The same run counts what the stand-in was asked (every request, token refreshes
// included) per imported activity: Strava API calls per imported activity, target 1.0.
//
// It runs once on this process's Node (Node 20 goes through tsx), then once more
// on every other node binary named by `--node PATH` (repeatable) or BENCH_NODE
// (comma-separated), e.g. Node 24, which runs the TypeScript as is: each run a
// fresh `runstrong start` on the same stack, with activities of its own. Each
// sample splits VmRSS into anonymous memory (JS heap, malloc, buffers) and
// file-backed pages (the node binary and libraries), from /proc/<pid>/status.
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createServer } from "node:net";
import { loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import { connectAthlete } from "../src/db/repos/connections.ts";
import { webhookPath } from "../src/server/webhook-path.ts";
import { detailedActivity, type FakeStrava, fixture, startFakeStrava, type Workout } from "./_fake-strava.ts";
import { MEMORY_REPORTER, type RunstrongProcess, rssParts, spawnRunstrong } from "./_process.ts";
import { type BenchStack, withBenchStack } from "./_stack.ts";

const TARGET = { rssMb: 200, stravaCallsPerActivity: 1.0 };
const SUBSCRIPTION_ID = 120_476;
const OWNER_BASE = 80_000_000;
const ACTIVITY_BASE = 18_000_000_000;
const DAY_MS = 86_400_000;
const SAMPLE_MS = 250;
const EASY: Workout = {
  name: "Easy 45 min",
  sportType: "Run",
  workoutType: 0,
  warmupS: 600,
  reps: 1,
  repS: 1_500,
  repSpeed: 2.9,
  restS: 0,
  cooldownS: 600,
};
const round1 = (x: number) => Math.round(x * 10) / 10;

function option(args: string[], name: string, fallback: number, min = 1): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} takes a whole number >= ${min}`);
  return value;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === "string") throw new Error("no free port");
  return address.port;
}

type Sample = NonNullable<ReturnType<typeof rssParts>>;

/** Mean and peak VmRSS, and the anonymous and file-backed parts at the peak. */
function summary(samples: readonly Sample[]) {
  if (samples.length === 0) return { samples: 0, meanMb: null, maxMb: null };
  const peak = samples.reduce((a, b) => (b.rssMb > a.rssMb ? b : a));
  return {
    samples: samples.length,
    meanMb: round1(samples.reduce((a, b) => a + b.rssMb, 0) / samples.length),
    maxMb: peak.rssMb,
    atMax: { anonMb: peak.anonMb, fileMb: peak.fileMb },
  };
}

/** The node binaries to measure: this process's, then each one `--node` or BENCH_NODE names. */
function nodesOf(args: string[]): string[] {
  const named = args.flatMap((a, i) => (a === "--node" && args[i + 1] ? [args[i + 1] as string] : []));
  const env = (process.env.BENCH_NODE ?? "").split(",").filter((x) => x.trim() !== "");
  return [process.execPath, ...named, ...env.map((x) => x.trim())];
}

/** The binary's version, and whether it could strip TypeScript's types by itself (bin/runstrong.js registers tsx on every Node: the pages are .tsx). */
function versionOf(node: string): { node: string; stripsTypes: boolean } {
  const [version, strips] = execFileSync(
    node,
    ["-p", "process.version + ' ' + !!process.features.typescript"],
    {
      encoding: "utf8",
    },
  )
    .trim()
    .split(" ");
  return { node: version ?? "?", stripsTypes: strips === "true" };
}

async function storedActivities(stack: BenchStack): Promise<number> {
  const [row] = await stack.pool.sql<{ n: number }[]>`select count(*)::int as n from activities`;
  return row?.n ?? 0;
}

interface Run {
  stack: BenchStack;
  fake: FakeStrava;
  owners: readonly number[];
  port: number;
  webhookSecret: string;
  /** seconds each run may take */
  timeoutS: number;
  o: { activities: number; athletes: number; latencyMs: number; idleS: number };
}

async function waitUntilUp(proc: RunstrongProcess, origin: string, deadline: number): Promise<void> {
  for (;;) {
    if (Date.now() > deadline) throw new Error(`runstrong start never answered:\n${proc.output()}`);
    if (await Promise.race([proc.exited.then(() => true), sleep(0, false)]))
      throw new Error(`runstrong start exited:\n${proc.output()}`);
    const up = await fetch(`${origin}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (up) return;
    await sleep(200);
  }
}

/** POSTs one Strava webhook per event, `parallel` at a time; a 429 or 503 is tried again, as Strava would. */
async function sendWebhooks(
  url: string,
  events: readonly { id: number; ownerId: number }[],
  deadline: number,
): Promise<Record<string, number>> {
  const answers: Record<string, number> = {};
  let next = 0;
  const post = async () => {
    while (next < events.length && Date.now() < deadline) {
      const e = events[next++] as { id: number; ownerId: number };
      const body = JSON.stringify({
        aspect_type: "create",
        event_time: Math.floor(Date.now() / 1000),
        object_id: e.id,
        object_type: "activity",
        owner_id: e.ownerId,
        subscription_id: SUBSCRIPTION_ID,
        updates: {},
      });
      for (let attempt = 0; attempt < 20; attempt++) {
        const status = await fetch(url, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        }).then(
          (r) => r.body?.cancel().then(() => r.status) ?? r.status,
          () => 0,
        );
        answers[status] = (answers[status] ?? 0) + 1;
        if (status === 200) break;
        await sleep(500);
      }
    }
  };
  await Promise.all(Array.from({ length: 10 }, post));
  return answers;
}

/** What the process says of its own memory (bench/_memory-report.mjs), or null when it does not answer within 2 s. */
async function memoryReport(proc: RunstrongProcess): Promise<unknown> {
  const seen = proc.memoryReports.length;
  process.kill(proc.pid, "SIGUSR2");
  for (let waited = 0; waited < 2_000 && proc.memoryReports.length === seen; waited += 50) await sleep(50);
  return proc.memoryReports[seen] ?? null;
}

/** One `runstrong start` on `node`: idle, then importing the `run`-th set of activities. */
async function measure(r: Run, node: string, runIndex: number) {
  const { stack, fake, o } = r;
  const deadline = Date.now() + r.timeoutS * 1000;
  const nowMs = Date.now();
  const base = fixture("strava-detailed-activity-run-splits.json");
  const events = Array.from({ length: o.activities }, (_, k) => {
    const ownerId = r.owners[k % r.owners.length] as number;
    const id = ACTIVITY_BASE + runIndex * 1_000_000 + k;
    // Each athlete's runs a day apart, newest yesterday; each run's a minute later than the last's.
    const startMs = nowMs - (Math.floor(k / r.owners.length) + 1) * DAY_MS + runIndex * 60_000;
    fake.put(String(id), async () =>
      JSON.stringify(
        detailedActivity(base, { id, ownerId, startMs, timezone: "Europe/Berlin", workout: EASY }),
      ),
    );
    return { id, ownerId };
  });

  const proc = spawnRunstrong("start", stack.env, {
    node,
    nodeArgs: ["--expose-gc", "--import", MEMORY_REPORTER],
  });
  try {
    const origin = `http://127.0.0.1:${r.port}`;
    await waitUntilUp(proc, origin, deadline);
    const idle: Sample[] = [];
    for (const until = Date.now() + o.idleS * 1000; Date.now() < until; await sleep(SAMPLE_MS)) {
      const m = rssParts(proc.pid);
      if (m !== null) idle.push(m);
    }

    const idleMemory = await memoryReport(proc);
    const callsBefore = fake.counts.activityGets + fake.counts.tokenPosts + fake.counts.unexpected;
    const before = await storedActivities(stack);
    const busy: Sample[] = [];
    const importFrom = Date.now();
    const sending = sendWebhooks(`${origin}${webhookPath("strava", r.webhookSecret)}`, events, deadline);
    let stored = before;
    for (;;) {
      const m = rssParts(proc.pid);
      if (m !== null) busy.push(m);
      stored = await storedActivities(stack);
      if (stored - before >= o.activities || Date.now() > deadline) break;
      if (await Promise.race([proc.exited.then(() => true), sleep(SAMPLE_MS, false)]))
        throw new Error(`runstrong start exited while importing:\n${proc.output()}`);
    }
    const importingMemory = await memoryReport(proc);
    const answers = await sending;
    const importS = (Date.now() - importFrom) / 1000;
    const imported = stored - before;
    const calls = fake.counts.activityGets + fake.counts.tokenPosts + fake.counts.unexpected - callsBefore;
    const peak = Math.max(...idle.map((m) => m.rssMb), ...busy.map((m) => m.rssMb));
    const callsPerActivity = imported > 0 ? Math.round((calls / imported) * 1000) / 1000 : null;
    return {
      ...versionOf(node),
      idle: { ...summary(idle), memoryUsage: idleMemory },
      importing: {
        memoryUsageAtEnd: importingMemory,
        ...summary(busy),
        activities: o.activities,
        imported,
        athletes: o.athletes,
        seconds: round1(importS),
        webhookAnswers: answers,
      },
      stravaCalls: calls,
      stravaCallsPerActivity: callsPerActivity,
      loadAvg1m: round1(loadavg()[0] ?? 0),
      target: {
        ...TARGET,
        rssMet: peak < TARGET.rssMb,
        stravaCallsMet: callsPerActivity !== null && callsPerActivity <= TARGET.stravaCallsPerActivity,
      },
    };
  } finally {
    await proc.stop();
  }
}

export async function main(args: string[]): Promise<object> {
  const o = {
    activities: option(args, "activities", 1_000),
    athletes: option(args, "athletes", 50),
    latencyMs: option(args, "latency", 150, 0),
    idleS: option(args, "idle", 5),
    // per Node measured
    timeoutS: option(args, "timeout", 600),
  };
  const nodes = nodesOf(args);
  const loadAvg1mAtStart = round1(loadavg()[0] ?? 0);
  const fake = await startFakeStrava(o.latencyMs);
  const webhookSecret = randomBytes(24).toString("hex");
  const port = await freePort();
  try {
    return await withBenchStack(
      {
        PORT: String(port),
        HOST: "127.0.0.1",
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        STRAVA_API_BASE_URL: `${fake.url}/api/v3`,
        STRAVA_OAUTH_BASE_URL: `${fake.url}/oauth`,
        STRAVA_CLIENT_ID: "24523",
        STRAVA_CLIENT_SECRET: "bench-client-secret",
        STRAVA_SUBSCRIPTION_ID: String(SUBSCRIPTION_ID),
        STRAVA_VERIFY_TOKEN: "bench-verify-token",
        STRAVA_WEBHOOK_SECRET: webhookSecret,
        LOG_LEVEL: "info",
        // All the load comes from one address: the per-address webhook limit is off, as in bench/webhook.ts.
        RATE_LIMIT_WEBHOOK_PER_MINUTE: "0",
      },
      async (stack) => {
        const nowMs = Date.now();
        const owners: number[] = [];
        for (let i = 0; i < o.athletes; i++) {
          const ownerId = OWNER_BASE + i;
          await connectAthlete(stack.pool.db, stack.config.secrets.tokenEncryptionKey, {
            provider: "strava",
            externalAthleteId: String(ownerId),
            displayName: `RSS runner ${i + 1}`,
            timezone: "Europe/Berlin",
            tokens: {
              accessToken: `bench-access-${ownerId}`,
              refreshToken: `bench-refresh-${ownerId}`,
              expiresAt: new Date(nowMs + 30 * DAY_MS),
            },
            scopes: ["read", "activity:read_all", "profile:read_all"],
          });
          owners.push(ownerId);
        }
        const run: Run = { stack, fake, owners, port, webhookSecret, timeoutS: o.timeoutS, o };
        const runs: Awaited<ReturnType<typeof measure>>[] = [];
        for (const [i, node] of nodes.entries()) runs.push(await measure(run, node, i));
        const first = runs[0];
        return {
          benchmark: "resident memory of `runstrong start`, idle and importing; Strava calls per import",
          units: {
            rssMb: "MB resident (VmRSS); anonMb + fileMb its anonymous and file-backed parts",
            stravaCallsPerActivity: "requests per imported activity",
          },
          // One key per run: the version, and the binary when two runs share a version (a wrapper with flags).
          byNode: Object.fromEntries(
            runs.map((r, i) => [
              runs.filter((o) => o.node === r.node).length > 1 ? `${r.node} ${nodes[i]}` : r.node,
              { idleMb: r.idle.maxMb, importingPeakMb: r.importing.maxMb },
            ]),
          ),
          runs,
          stravaCallsPerActivity: first?.stravaCallsPerActivity ?? null,
          loadAvg1mAtStart,
          target: TARGET,
        };
      },
    );
  } finally {
    await fake.close();
  }
}
