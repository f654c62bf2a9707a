// `npm run bench -- pipeline [--athletes N] [--events-per-athlete N] [--rate EVENTS_PER_S]
//   [--latency MS] [--concurrency N] [--warmup N] [--timeout S]`
//
// How long a run takes to re-plan (issue 5): from the webhook POST of a Strava
// event to the new plan version being stored, on the real stack in this process:
// createApp on @hono/node-server and every queue's workers (startWorkers, as
// `runstrong start` runs them) with REPLAN_DEBOUNCE_MS=0, a throwaway Postgres
// database and a Redis prefix of their own (bench/_stack.ts), and Strava played
// by a node:http server on 127.0.0.1 that answers GET /activities/{id} after
// `--latency` ms (150) with a detailed activity built on the recorded fixture,
// carrying Strava's rate-limit headers far below the limits.
//
// Athletes (50; Europe/Berlin and six other zones, a few with 3 sessions a week or
// new to lifting) are connected with tokens valid for 30 days, so no refresh
// happens, and each gets a first plan before anything is measured. Warm-up events
// (10) then go through the whole path one at a time, unmeasured; the later half
// gives the floor, the latency with nothing else in flight. The measured events
// (5 per athlete) are POSTed at a steady rate, athletes shuffled in each round.
// The default, 10/s, is below what one 2-core machine processes (about 16-18
// events/s with 4 workers: each import waits 150 ms on Strava) and far above what
// 50 real athletes send; at 25/s (--rate 25) a backlog builds for as long as the
// burst lasts and p95 measures the burst's length, not the pipeline. Each event's activity is a quality
// run (a workout or race by Strava's workout_type: intervals, tempo, hills,
// treadmill, parkrun) placed on a future day where the athlete's newest stored plan
// has a session (read when the worker's GET arrives, during the simulated latency): R1 keeps strength off quality days, so the session must move (or
// go unplaced) and the plan changes. Days used by the athlete's earlier events are
// not chosen again, as their re-plan may still be on its way. Every 20 ms one query
// looks for the plan versions whose cause names a pending activity; the latency
// is POST to the poll that saw the version (so up to 20 ms late). Only events that
// produced a version are measured, and the output says how many did. The stages
// split each event's time by the Strava stand-in's clock and the inbox row's and
// the plan version's timestamps; processCpu is this process's CPU per event.
// Workers run at WORKER_CONCURRENCY (the config's default 4) unless --concurrency.
//
// Target (issue 5): p95 < 2 s.
//
// The push (issue 10, bench/_push.ts): every athlete also has Garmin connected, and
// `push` gives POST sent -> the moved session's workout scheduled at a Garmin
// stand-in that answers after `--latency` ms too.

import { randomBytes } from "node:crypto";
import { availableParallelism, loadavg } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";
import pino from "pino";
import { type Database, openDatabase } from "../src/db/client.ts";
import { connectAthlete } from "../src/db/repos/connections.ts";
import { latestPlan } from "../src/db/repos/plans.ts";
import { saveSettings } from "../src/db/repos/settings.ts";
import { localDate } from "../src/domain/time.ts";
import { createLogger } from "../src/observability/logger.ts";
import { createMetrics, type Metrics } from "../src/observability/metrics.ts";
import { listen } from "../src/runtime/http.ts";
import { createApp } from "../src/server/app.ts";
import { webhookPath } from "../src/server/webhook-path.ts";
import { enqueue, type Queues } from "../src/workers/queues.ts";
import { startWorkers } from "../src/workers/run-workers.ts";
import { registerSchedules } from "../src/workers/schedules.ts";
import { detailedActivity, type FakeStrava, fixture, startFakeStrava, type Workout } from "./_fake-strava.ts";
import { type GarminSim, linkGarmin, pushFigures, startGarminSim } from "./_push.ts";
import { type BenchStack, withBenchStack } from "./_stack.ts";

const SUBSCRIPTION_ID = 120_475;
const OWNER_BASE = 60_000_000;
const ACTIVITY_BASE = 17_000_000_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;
const POLL_MS = 20;
const TARGET = { p95Ms: 2_000, minEvents: 200 };
/** With nothing left to run on the strava and replan queues for this long, what is still pending made no version. */
const QUIET_MS = 8_000;
const OTHER_ZONES = [
  "Europe/London",
  "America/New_York",
  "America/Los_Angeles",
  "Australia/Sydney",
  "Asia/Kathmandu",
  "Asia/Tokyo",
];

const WORKOUTS: readonly Workout[] = [
  {
    name: "6x800m",
    sportType: "Run",
    workoutType: 3,
    warmupS: 900,
    reps: 6,
    repS: 170,
    repSpeed: 4.7,
    restS: 90,
    cooldownS: 600,
  },
  {
    name: "Tempo 3x10 min",
    sportType: "Run",
    workoutType: 3,
    warmupS: 900,
    reps: 3,
    repS: 600,
    repSpeed: 4.1,
    restS: 120,
    cooldownS: 600,
  },
  {
    name: "Hill repeats 8x90s",
    sportType: "TrailRun",
    workoutType: 3,
    warmupS: 1200,
    reps: 8,
    repS: 90,
    repSpeed: 3.6,
    restS: 120,
    cooldownS: 600,
  },
  {
    name: "Treadmill 5x1 km",
    sportType: "VirtualRun",
    workoutType: 3,
    warmupS: 600,
    reps: 5,
    repS: 225,
    repSpeed: 4.45,
    restS: 90,
    cooldownS: 600,
  },
  {
    name: "Threshold 2x20 min",
    sportType: "Run",
    workoutType: 3,
    warmupS: 900,
    reps: 2,
    repS: 1200,
    repSpeed: 3.95,
    restS: 180,
    cooldownS: 600,
  },
  {
    name: "parkrun",
    sportType: "Run",
    workoutType: 1,
    warmupS: 900,
    reps: 1,
    repS: 1260,
    repSpeed: 3.97,
    restS: 0,
    cooldownS: 600,
  },
];

interface Options {
  athletes: number;
  perAthlete: number;
  rate: number;
  latencyMs: number;
  concurrency: number | null;
  warmup: number;
  timeoutS: number;
}

function option(args: string[], name: string, fallback: number, min = 1): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isFinite(value) || value < min) throw new Error(`--${name} must be a number >= ${min}`);
  return value;
}

function options(args: string[]): Options {
  return {
    athletes: option(args, "athletes", 50),
    perAthlete: option(args, "events-per-athlete", 5),
    rate: option(args, "rate", 10),
    latencyMs: option(args, "latency", 150, 0),
    concurrency: args.includes("--concurrency") ? option(args, "concurrency", 4) : null,
    warmup: option(args, "warmup", 10, 0),
    timeoutS: option(args, "timeout", 300),
  };
}

/** mulberry32, as bench/plan.ts: the same choices on every run. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// --- athletes and events --------------------------------------------------------------

interface BenchAthlete {
  id: number;
  ownerId: number;
  timezone: string;
  /** local dates this athlete's events have already made quality days */
  claimed: Set<string>;
}

async function seedAthletes(db: Database, key: Buffer, count: number): Promise<BenchAthlete[]> {
  const out: BenchAthlete[] = [];
  for (let i = 0; i < count; i++) {
    const timezone = i % 5 < 3 ? "Europe/Berlin" : (OTHER_ZONES[i % OTHER_ZONES.length] as string);
    const ownerId = OWNER_BASE + i;
    const { athlete } = await connectAthlete(db, key, {
      provider: "strava",
      externalAthleteId: String(ownerId),
      displayName: `Bench runner ${i + 1}`,
      timezone,
      // Valid for the whole run: no refresh on the measured path.
      tokens: {
        accessToken: `bench-access-${ownerId}`,
        refreshToken: `bench-refresh-${ownerId}`,
        expiresAt: new Date(Date.now() + 30 * DAY_MS),
      },
      scopes: ["read", "activity:read_all", "profile:read_all"],
    });
    const settings: Record<string, unknown> = {};
    if (i % 4 === 3) settings.sessionsPerWeek = 3;
    if (i % 6 === 5) settings.strengthExperience = "new";
    if (Object.keys(settings).length > 0)
      await saveSettings(db, athlete.id, { timezone, settings }, { timezone, settings: {} });
    out.push({ id: athlete.id, ownerId, timezone, claimed: new Set() });
  }
  return out;
}

interface Sent {
  athleteId: number;
  activityId: string;
  workout: string;
  /** no future session on a day still free: a quality run on some free day instead, which may change nothing */
  fallback: boolean;
  postAt: number;
  ackAt: number | null;
  answer: string;
  seenAt: number | null;
  createdAt: number | null;
}

interface EventContext {
  db: Database;
  fake: FakeStrava;
  /** the webhook's URL, secret included */
  webhookUrl: string;
  base: Record<string, unknown>;
  /** activity id -> event, until its plan version is seen */
  pending: Map<string, Sent>;
  nextActivityId: () => number;
}

/** Where the quality run goes: the start of a session of the newest stored plan, on a day still free. */
async function runStart(ctx: EventContext, athlete: BenchAthlete, activityId: number) {
  const nowMs = Date.now();
  const plan = await latestPlan(ctx.db, athlete.id);
  const dayOf = (ms: number) => localDate(ms, athlete.timezone);
  const candidates = (plan?.sessions ?? []).filter(
    (s) =>
      s.status === "planned" &&
      s.startAt.getTime() > nowMs + 2 * HOUR_MS &&
      !athlete.claimed.has(dayOf(s.startAt.getTime())),
  );
  const chosen = candidates[Math.floor(seeded(activityId)() * candidates.length)];
  let startMs = chosen?.startAt.getTime();
  for (let k = 1; startMs === undefined && k <= 13; k++)
    if (!athlete.claimed.has(dayOf(nowMs + k * DAY_MS))) startMs = nowMs + k * DAY_MS;
  startMs ??= nowMs + DAY_MS;
  athlete.claimed.add(dayOf(startMs));
  return { startMs, fallback: chosen === undefined };
}

async function sendEvent(ctx: EventContext, athlete: BenchAthlete, workout: Workout): Promise<Sent> {
  const id = ctx.nextActivityId();
  const sent: Sent = {
    athleteId: athlete.id,
    activityId: String(id),
    workout: workout.name,
    fallback: false,
    postAt: 0,
    ackAt: null,
    answer: "",
    seenAt: null,
    createdAt: null,
  };
  // Where the run goes is decided when the worker asks Strava for it, from the plan
  // stored by then: the athlete's previous event has usually been re-planned.
  ctx.fake.put(sent.activityId, async () => {
    const { startMs, fallback } = await runStart(ctx, athlete, id);
    sent.fallback = fallback;
    const activity = { id, ownerId: athlete.ownerId, startMs, timezone: athlete.timezone, workout };
    return JSON.stringify(detailedActivity(ctx.base, activity));
  });
  // Field order and types of Strava's documented example.
  const body = JSON.stringify({
    aspect_type: "create",
    event_time: Math.floor(Date.now() / 1000),
    object_id: id,
    object_type: "activity",
    owner_id: athlete.ownerId,
    subscription_id: SUBSCRIPTION_ID,
    updates: {},
  });
  sent.postAt = Date.now();
  ctx.pending.set(sent.activityId, sent);
  try {
    const res = await fetch(ctx.webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body,
      signal: AbortSignal.timeout(10_000),
    });
    const answer = (await res.json()) as { status?: unknown };
    sent.ackAt = Date.now();
    sent.answer = res.ok ? String(answer.status) : `HTTP ${res.status}`;
  } catch (err) {
    sent.answer = err instanceof Error ? err.message : String(err);
  }
  if (sent.answer !== "received") ctx.pending.delete(sent.activityId);
  return sent;
}

/** POSTs one event per entry at a steady rate, stopping at the deadline. */
async function sendSteadily(
  ctx: EventContext,
  order: readonly BenchAthlete[],
  ratePerS: number,
  deadline: number,
): Promise<Sent[]> {
  const intervalMs = 1000 / ratePerS;
  const startAt = Date.now() + 20;
  const sent = await Promise.all(
    order.map(async (athlete, i) => {
      await sleep(Math.max(0, startAt + i * intervalMs - Date.now()));
      if (Date.now() >= deadline) return null;
      return sendEvent(ctx, athlete, WORKOUTS[(i + athlete.id) % WORKOUTS.length] as Workout);
    }),
  );
  return sent.filter((s): s is Sent => s !== null);
}

/** drizzle's postgres.js client hands timestamps over as Postgres writes them, not as Dates. */
const round1 = (n: number) => Math.round(n * 10) / 10;
const instant = (v: string | Date) => (v instanceof Date ? v.getTime() : Date.parse(v));

/** One query every POLL_MS for the plan versions whose cause names a pending activity. */
function startPolling(sql: ReturnType<typeof openDatabase>["sql"], pending: Map<string, Sent>) {
  let running = true;
  let failure: unknown = null;
  const loop = (async () => {
    while (running) {
      const ids = [...pending.keys()];
      if (ids.length > 0) {
        try {
          const rows = await sql<{ activity_id: string; created_at: string }[]>`
            select cause->>'activityId' as activity_id, min(created_at) as created_at
            from plan_versions
            where cause->>'type' = 'activity' and cause->>'activityId' = any(${ids}::text[])
            group by 1`;
          const seenAt = Date.now();
          for (const r of rows) {
            const s = pending.get(r.activity_id);
            if (!s) continue;
            s.seenAt = seenAt;
            s.createdAt = instant(r.created_at);
            pending.delete(r.activity_id);
          }
        } catch (err) {
          failure = err;
          running = false;
        }
      }
      await sleep(POLL_MS);
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      if (failure) throw failure;
    },
  };
}

async function jobsToRun(queues: Queues): Promise<number> {
  let n = 0;
  for (const q of [queues.strava, queues.replan]) {
    const counts = await q.getJobCounts("active", "waiting", "prioritized");
    for (const v of Object.values(counts)) n += v;
  }
  return n;
}

/**
 * Waits until every pending event's version is seen, or nothing has been left to
 * run for QUIET_MS (what is still pending then made no version), or the deadline.
 * Returns true when the deadline ended the wait.
 */
async function settle(queues: Queues, pending: Map<string, Sent>, deadline: number): Promise<boolean> {
  let quietSince: number | null = null;
  while (pending.size > 0) {
    if (Date.now() >= deadline) return true;
    await sleep(250);
    if ((await jobsToRun(queues)) > 0) quietSince = null;
    else quietSince ??= Date.now();
    if (quietSince !== null && Date.now() - quietSince >= QUIET_MS) return false;
  }
  return false;
}

async function waitForFirstPlans(db: BenchStack["pool"], count: number, deadline: number): Promise<void> {
  for (;;) {
    const [row] = await db.sql<
      { n: number }[]
    >`select count(distinct athlete_id)::int as n from plan_versions`;
    if ((row?.n ?? 0) >= count) return;
    if (Date.now() >= deadline)
      throw new Error(`first plans: ${row?.n ?? 0} of ${count} athletes by the timeout`);
    await sleep(50);
  }
}

// --- figures ---------------------------------------------------------------------------

function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i] ?? null;
}

function latencySummary(values: readonly number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const r = (v: number | null) => (v === null ? null : Math.round(v));
  return {
    count: sorted.length,
    p50: r(percentile(sorted, 50)),
    p95: r(percentile(sorted, 95)),
    p99: r(percentile(sorted, 99)),
    max: r(sorted[sorted.length - 1] ?? null),
    mean: sorted.length > 0 ? Math.round(sorted.reduce((a, b) => a + b, 0) / sorted.length) : null,
  };
}

function p50p95(values: readonly number[]) {
  const s = latencySummary(values);
  return { p50: s.p50, p95: s.p95 };
}

async function jobTimes(metrics: Metrics): Promise<Record<string, { jobs: number; meanMs: number }>> {
  const sums = new Map<string, number>();
  const counts = new Map<string, number>();
  for (const v of (await metrics.jobDuration.get()).values) {
    const name = String(v.labels.name);
    if (v.metricName?.endsWith("_sum")) sums.set(name, v.value);
    if (v.metricName?.endsWith("_count")) counts.set(name, v.value);
  }
  return Object.fromEntries(
    [...counts].map(([name, jobs]) => [
      name,
      { jobs, meanMs: jobs > 0 ? Math.round(((sums.get(name) ?? 0) / jobs) * 1000) : 0 },
    ]),
  );
}

function tally(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}

// --- the run ---------------------------------------------------------------------------

/** The app and the workers on the bench stack, with every job failure counted. */
async function startService(stack: BenchStack) {
  const { config, pool, redis, queues, prefix } = stack;
  // Logs go where production's would, minus the disk: serialized, then dropped.
  const logger = createLogger({ level: "info" }, pino.destination({ dest: "/dev/null", sync: false }));
  const metrics = createMetrics({ defaultMetrics: false });
  const now = () => new Date();
  const failures: Record<string, number> = {};
  const firstFailure: { message: string | null } = { message: null };
  const server = await listen(
    createApp({ config, db: pool.db, queues, logger, metrics, readiness: [], now }),
    0,
    "127.0.0.1",
  );
  const workers = startWorkers(
    { config, db: pool.db, queues, logger, now },
    { connection: redis, prefix, concurrency: config.workers.concurrency, metrics },
  );
  for (const w of workers.workers)
    w.on("failed", (job, err) => {
      const key = `${w.name}/${job?.name ?? "?"}`;
      failures[key] = (failures[key] ?? 0) + 1;
      firstFailure.message ??= `${key}: ${err.message}`;
    });
  try {
    await registerSchedules(queues, { db: pool.db, logger });
  } catch (err) {
    await server.close();
    await workers.close(config.workers.shutdownTimeoutMs);
    throw err;
  }
  return { logger, metrics, server, workers, failures, firstFailure };
}

/** Each athlete's first plan, so every measured event makes a new version. */
async function firstPlans(
  queues: Queues,
  probe: BenchStack["pool"],
  athletes: readonly BenchAthlete[],
  deadline: number,
) {
  for (const a of athletes)
    await enqueue(queues, "replan-athlete", {
      athleteId: a.id,
      cause: { type: "connect", provider: "strava" },
    });
  await waitForFirstPlans(probe, athletes.length, deadline);
}

/**
 * Warm-up through the whole path (JIT, pools, keep-alive sockets), one event at a
 * time: its second half is the floor, the latency with nothing else in flight.
 */
async function warmUp(ctx: EventContext, athletes: readonly BenchAthlete[], count: number, deadline: number) {
  const warm: Sent[] = [];
  let timedOut = false;
  for (const [i, athlete] of athletes.slice(0, count).entries()) {
    const s = await sendEvent(ctx, athlete, WORKOUTS[i % WORKOUTS.length] as Workout);
    warm.push(s);
    const giveUp = Math.min(deadline, Date.now() + 10_000);
    while (ctx.pending.has(s.activityId) && Date.now() < giveUp) await sleep(5);
    timedOut = Date.now() >= deadline;
    if (timedOut) break;
  }
  ctx.pending.clear();
  const floor = latencySummary(
    warm.slice(Math.floor(warm.length / 2)).flatMap((s) => (s.seenAt === null ? [] : [s.seenAt - s.postAt])),
  );
  return { warm, floor, timedOut };
}

/** Rounds of all athletes, shuffled in each round (the same order on every run). */
function sendingOrder(athletes: readonly BenchAthlete[], perAthlete: number): BenchAthlete[] {
  const shuffle = seeded(20_251_126);
  const order: BenchAthlete[] = [];
  for (let r = 0; r < perAthlete; r++) {
    const round = [...athletes];
    for (let i = round.length - 1; i > 0; i--) {
      const j = Math.floor(shuffle() * (i + 1));
      [round[i], round[j]] = [round[j] as BenchAthlete, round[i] as BenchAthlete];
    }
    order.push(...round);
  }
  return order;
}

/** The measured run: POSTs at a steady rate, then until every event has its version (or the deadline). */
async function measure(
  ctx: EventContext,
  queues: Queues,
  order: readonly BenchAthlete[],
  rate: number,
  deadline: number,
  warmTimedOut: boolean,
) {
  const cpuBefore = process.cpuUsage();
  const measureFrom = Date.now();
  const sent = warmTimedOut ? [] : await sendSteadily(ctx, order, rate, deadline);
  const timedOut =
    (await settle(queues, ctx.pending, deadline)) || warmTimedOut || sent.length < order.length;
  const cpu = process.cpuUsage(cpuBefore);
  return { sent, timedOut, cpuMs: (cpu.user + cpu.system) / 1000, measureMs: Date.now() - measureFrom };
}

/**
 * Where each event's time went, from the bench's clock, the Strava stand-in's and
 * Postgres' (webhook_events.processed_at, plan_versions.created_at).
 */
async function stageTimes(
  probe: BenchStack["pool"],
  fake: FakeStrava,
  acknowledged: readonly Sent[],
  withVersion: readonly Sent[],
) {
  const inbox = await probe.sql<
    { object_id: string; received_at: string; processed_at: string | null; status: string }[]
  >`select object_id, received_at, processed_at, status::text as status from webhook_events
    where object_id = any(${acknowledged.map((s) => s.activityId)}::text[])`;
  const inboxOf = new Map(inbox.map((r) => [r.object_id, r]));
  const stage = {
    postToAck: [] as number[],
    postToStravaGet: [] as number[],
    stravaGet: [] as number[],
    getToEventHandled: [] as number[],
    eventHandledToReplanTx: [] as number[],
    replanTxToSeen: [] as number[],
    postToReplanTx: [] as number[],
  };
  for (const s of withVersion) {
    const get = fake.gets.get(s.activityId);
    const row = inboxOf.get(s.activityId);
    if (s.ackAt === null || s.seenAt === null || s.createdAt === null || !get || !row?.processed_at) continue;
    const handled = instant(row.processed_at);
    stage.postToAck.push(s.ackAt - s.postAt);
    stage.postToStravaGet.push(get.receivedAt - s.postAt);
    stage.stravaGet.push(get.answeredAt - get.receivedAt);
    stage.getToEventHandled.push(handled - get.answeredAt);
    stage.eventHandledToReplanTx.push(s.createdAt - handled);
    stage.replanTxToSeen.push(s.seenAt - s.createdAt);
    stage.postToReplanTx.push(s.createdAt - s.postAt);
  }
  return { inboxOf, stage };
}

/**
 * The bench, phase by phase: start the service, seed athletes (Strava and Garmin)
 * and their first plans, warm up, send the measured events, take the stages apart,
 * and report.
 */
async function run(
  stack: BenchStack,
  fake: FakeStrava,
  o: Options,
  deadline: number,
  loadAvg1m: number,
  garmin: GarminSim,
): Promise<object> {
  const { config, pool, queues } = stack;
  // The bench's own reads (plans to aim at, the poll) stay off the app's pool.
  const probe = openDatabase(config.databaseUrl, { max: 2, applicationName: "runstrong-bench-probe" });
  let service: Awaited<ReturnType<typeof startService>> | null = null;
  let poller: ReturnType<typeof startPolling> | null = null;
  try {
    const athletes = await seedAthletes(pool.db, config.secrets.tokenEncryptionKey, o.athletes);
    // Garmin too, so each plan change goes on to the watch (bench/_push.ts).
    await linkGarmin(
      pool.db,
      config.secrets.tokenEncryptionKey,
      athletes.map((a) => a.id),
    );
    service = await startService(stack);
    const { metrics, failures, firstFailure } = service;
    await firstPlans(queues, probe, athletes, deadline);

    let activitySeq = 0;
    const ctx: EventContext = {
      db: probe.db,
      fake,
      webhookUrl: `http://127.0.0.1:${service.server.port}${webhookPath("strava", config.strava.webhookSecret ?? "")}`,
      base: fixture("strava-detailed-activity-run-splits.json"),
      pending: new Map(),
      nextActivityId: () => ACTIVITY_BASE + ++activitySeq,
    };
    poller = startPolling(probe.sql, ctx.pending);

    const { warm, floor, timedOut: warmTimedOut } = await warmUp(ctx, athletes, o.warmup, deadline);
    await metrics.jobDuration.reset();
    const order = sendingOrder(athletes, o.perAthlete);
    const { sent, timedOut, cpuMs, measureMs } = await measure(
      ctx,
      queues,
      order,
      o.rate,
      deadline,
      warmTimedOut,
    );
    await poller.stop();
    poller = null;

    const acknowledged = sent.filter((s) => s.answer === "received");
    const withVersion = acknowledged.filter((s) => s.seenAt !== null);
    const without = acknowledged.filter((s) => s.seenAt === null);
    const { inboxOf, stage } = await stageTimes(probe, fake, acknowledged, withVersion);

    const latency = latencySummary(withVersion.map((s) => (s.seenAt ?? 0) - s.postAt));
    const firstPostAt = Math.min(...sent.map((s) => s.postAt));
    const lastPostAt = Math.max(...sent.map((s) => s.postAt));
    const spanS = (lastPostAt - firstPostAt) / 1000;
    return {
      benchmark: "Strava webhook POST to new plan version stored",
      node: process.version,
      cpus: availableParallelism(),
      loadAvg1mAtStart: loadAvg1m,
      athletes: { count: athletes.length, timezones: tally(athletes.map((a) => a.timezone)) },
      events: {
        pattern: `steady: one POST every ${round1(1000 / o.rate)} ms, rounds of all athletes shuffled; ${o.perAthlete} per athlete, about ${round1(athletes.length / o.rate)} s apart`,
        sent: sent.length,
        acknowledged: acknowledged.length,
        sentPerS: spanS > 0 ? round1((sent.length - 1) / spanS) : null,
        warmupUnmeasured: warm.length,
        warmupOneAtATimeMs: { count: floor.count, p50: floor.p50, max: floor.max },
        workouts: tally(sent.map((s) => s.workout)),
      },
      settings: {
        stravaLatencyMs: o.latencyMs,
        replanDebounceMs: config.replan.debounceMs,
        workerConcurrency: config.workers.concurrency,
        pollMs: POLL_MS,
      },
      measured:
        "POST sent -> the poll that first saw a plan version whose cause names the activity; events that produced a version only",
      producedVersion: withVersion.length,
      noVersion: {
        count: without.length,
        fallbackTargets: acknowledged.filter((s) => s.fallback).length,
        inboxStatus: tally(without.map((s) => inboxOf.get(s.activityId)?.status ?? "missing")),
      },
      latencyMs: latency,
      stagesMs: {
        note: "webhook_events.processed_at and plan_versions.created_at are Postgres now(); created_at is the re-plan transaction's start",
        postToAck: p50p95(stage.postToAck),
        postToStravaGet: p50p95(stage.postToStravaGet),
        stravaGet: p50p95(stage.stravaGet),
        getToEventHandled: p50p95(stage.getToEventHandled),
        eventHandledToReplanTx: p50p95(stage.eventHandledToReplanTx),
        replanTxToSeen: p50p95(stage.replanTxToSeen),
        postToReplanTx: p50p95(stage.postToReplanTx),
      },
      push: await pushFigures({ queues, sql: probe.sql, garmin, events: withVersion, deadline }),
      jobsMeasured: await jobTimes(metrics),
      jobFailures: { ...failures, ...(firstFailure.message ? { first: firstFailure.message } : {}) },
      // This process: app, workers, the Strava stand-in and the load; Postgres and Redis not included.
      processCpu: {
        ms: Math.round(cpuMs),
        perEventMs: sent.length > 0 ? round1(cpuMs / sent.length) : null,
        coresBusy: Math.round((cpuMs / measureMs) * 100) / 100,
      },
      strava: {
        ...fake.counts,
        // Every request the stand-in answered, per activity sent (warm-up included); target 1.0.
        callsPerImportedActivity:
          acknowledged.length + warm.length > 0
            ? Math.round(
                ((fake.counts.activityGets + fake.counts.tokenPosts + fake.counts.unexpected) /
                  (acknowledged.length + warm.length)) *
                  1000,
              ) / 1000
            : null,
      },
      timedOut,
      target: {
        ...TARGET,
        met: !timedOut && latency.count >= TARGET.minEvents && (latency.p95 ?? Infinity) < TARGET.p95Ms,
      },
    };
  } finally {
    await poller?.stop().catch(() => {});
    await service?.server.close();
    await service?.workers.close(config.workers.shutdownTimeoutMs);
    await probe.close();
  }
}

export async function main(args: string[]): Promise<object> {
  const o = options(args);
  const loadAvg1m = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  const deadline = Date.now() + o.timeoutS * 1000;
  // Every wait stops at the deadline; this only catches a hang in the clean-up itself.
  const lastResort = setTimeout(
    () => {
      process.stderr.write("bench pipeline: still running a minute past --timeout; exiting\n");
      process.exit(1);
    },
    (o.timeoutS + 60) * 1000,
  );
  lastResort.unref();
  const fake = await startFakeStrava(o.latencyMs);
  const garmin = await startGarminSim(o.latencyMs);
  try {
    return await withBenchStack(
      {
        STRAVA_API_BASE_URL: `${fake.url}/api/v3`,
        STRAVA_OAUTH_BASE_URL: `${fake.url}/oauth`,
        STRAVA_CLIENT_ID: "24523",
        STRAVA_CLIENT_SECRET: "bench-client-secret",
        STRAVA_SUBSCRIPTION_ID: String(SUBSCRIPTION_ID),
        // The load comes from one address: the per-address webhook limit would refuse most of it.
        RATE_LIMIT_WEBHOOK_PER_MINUTE: "0",
        STRAVA_VERIFY_TOKEN: "bench-verify-token",
        STRAVA_WEBHOOK_SECRET: randomBytes(24).toString("hex"),
        REPLAN_DEBOUNCE_MS: "0",
        GARMIN_API_BASE_URL: garmin.url,
        ...(o.concurrency !== null ? { WORKER_CONCURRENCY: String(o.concurrency) } : {}),
      },
      (stack) => run(stack, fake, o, deadline, loadAvg1m, garmin),
    );
  } finally {
    await fake.close();
    await garmin.close();
    clearTimeout(lastResort);
  }
}
