// `npm run bench -- roll-forward [--athletes N] [--weeks N] [--runs-per-week N] [--timeout S]
//    [--concurrency N] [--also-concurrency N] [--baseline REV] [--profile [DIR]]`
//
// The nightly roll-forward (issue 15): every athlete's `replan-athlete` job with the
// roll-forward cause, run by real `runstrong work` processes (bin/runstrong.js,
// spawned with the bench stack's database and Redis prefix), first by one process,
// then by two. Athletes (the 10,000 by default; `--athletes` or
// ROLL_FORWARD_ATHLETES for fewer) are seeded straight into a throwaway database,
// in multi-row inserts, with a sealed Strava connection and `--weeks` (4) of runs,
// `--runs-per-week` (3) a week, some of them quality runs; a warm-up round (two
// processes, unmeasured) gives each a first plan, so the measured rounds re-plan
// athletes that already have one, as the nightly job does. Each round enqueues all
// athletes at once, then starts the processes; athletes per second is counted from
// the first finished job to the last (process start-up is not in it), the
// remaining count polled every 250 ms. Each round also counts this database's
// transactions and rows written and read per athlete (pg_stat_database), figures
// the machine's load cannot skew.
//
// Target: two processes >= 1.5x one. The machine has 2 cores that Postgres, Redis,
// this process and other work share, so each round also gives the CPU (cores
// busy) of each worker process, of this database's Postgres backends, of Redis
// and of the whole machine, from /proc; the one-process round's CPU per athlete
// gives the ceiling a quiet machine would allow (`quietMachineCeiling`). When the
// target is missed, `limit` says which of them filled the cores.
//
// Options for finding and proving a speed-up: `--concurrency N` sets the workers'
// WORKER_CONCURRENCY, `--also-concurrency N` adds rounds at another one beside;
// `--baseline REV` runs revision REV's worker and this checkout's in turns (before
// and after a change, in the same run); `--profile [DIR]` adds a round with one
// process under `node --cpu-prof` and prints where its CPU went (DIR keeps the
// .cpuprofile for Chrome's DevTools).
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { activityValues } from "../src/db/repos/activities.ts";
import { activities, athletes, providerConnections } from "../src/db/schema/index.ts";
import type { Activity } from "../src/domain/activity.ts";
import { encryptSecret } from "../src/security/crypto.ts";
import { QUEUE_NAMES } from "../src/workers/jobs.ts";
import { enqueue } from "../src/workers/queues.ts";
import { summariseProfiles } from "./_cpu-profile.ts";
import {
  cpuSeconds,
  exportRevision,
  machineCpuSeconds,
  type SpawnOptions,
  spawnRunstrong,
} from "./_process.ts";
import { type BenchStack, withBenchStack } from "./_stack.ts";

const DAY_MS = 86_400_000;
const TARGET_RATIO = 1.5;
const ZONES = ["Europe/Berlin", "Europe/London", "America/New_York", "Australia/Sydney", "Asia/Tokyo"];
const round2 = (x: number) => Math.round(x * 100) / 100;

interface Options {
  athletes: number;
  weeks: number;
  runsPerWeek: number;
  timeoutS: number;
}

function option(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(`--${name}`);
  const value = i >= 0 ? Number(args[i + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} takes a positive whole number`);
  return value;
}

// --- seeding --------------------------------------------------------------------------

/** The activities of one athlete: `weeks` of runs before now, every third one a tempo run. */
function runsOf(athleteId: number, i: number, timezone: string, o: Options, nowMs: number) {
  const out = [];
  for (let w = 0; w < o.weeks; w++)
    for (let r = 0; r < o.runsPerWeek; r++) {
      const quality = r === 1;
      const startMs = nowMs - (w * 7 + r * 2 + 1) * DAY_MS + ((i * 37) % 600) * 60_000;
      const movingS = quality ? 3_000 : 2_400 + ((i + r) % 5) * 300;
      const activity: Activity = {
        source: "strava",
        id: `${athleteId}${String(w * 10 + r).padStart(3, "0")}`,
        name: quality ? "Tempo" : "Easy run",
        sport: "run",
        sportType: "Run",
        start: new Date(startMs).toISOString(),
        timezone,
        utcOffsetS: null,
        movingS,
        elapsedS: movingS + 60,
        distanceM: movingS * (quality ? 3.6 : 2.9),
        avgHr: quality ? 165 : 140,
        maxHr: quality ? 180 : 155,
        avgSpeedMps: quality ? 3.6 : 2.9,
        sourceLabel: quality ? "workout" : null,
        laps: [],
      };
      out.push(
        activityValues({
          athleteId,
          provider: "strava",
          activity,
          classification: quality
            ? { kind: "quality", subtype: "tempo", confidence: 0.9, reasons: ["bench"] }
            : { kind: "easy", subtype: "easy", confidence: 0.9, reasons: ["bench"] },
          raw: null,
          rawFetchedAt: new Date(nowMs),
        }),
      );
    }
  return out;
}

/** Rows per multi-row insert: postgres.js sends at most 65,535 parameters in one statement. */
const INSERT_ROWS = 1_000;

/**
 * Seeds `o.athletes` athletes, each with a sealed Strava connection (as OAuth
 * stores it) and their runs, in multi-row inserts of INSERT_ROWS rows: 10,000
 * athletes and 120,000 runs take seconds, not the minutes one transaction per
 * athlete took. Every fourth athlete has chosen 3 sessions a week.
 */
async function seed(stack: BenchStack, o: Options): Promise<number[]> {
  const { pool, config } = stack;
  const key = config.secrets.tokenEncryptionKey;
  const nowMs = Date.now();
  const ids: number[] = [];
  for (let from = 0; from < o.athletes; from += INSERT_ROWS) {
    const batch = Array.from({ length: Math.min(INSERT_ROWS, o.athletes - from) }, (_, k) => from + k);
    const rows = await pool.db
      .insert(athletes)
      .values(
        batch.map((i) => ({
          displayName: `Roll-forward runner ${i + 1}`,
          timezone: ZONES[i % ZONES.length] as string,
          settings: i % 4 === 3 ? { sessionsPerWeek: 3 } : {},
          calendarToken: randomBytes(24).toString("base64url"),
        })),
      )
      .returning({ id: athletes.id });
    const athleteIds = rows.map((r) => r.id);
    await pool.db.insert(providerConnections).values(
      batch.map((i, k) => ({
        athleteId: athleteIds[k] as number,
        provider: "strava" as const,
        externalAthleteId: String(70_000_000 + i),
        accessTokenEnc: encryptSecret(`bench-access-${i}`, key),
        refreshTokenEnc: encryptSecret(`bench-refresh-${i}`, key),
        expiresAt: new Date(nowMs + 30 * DAY_MS),
        scopes: ["read", "activity:read_all", "profile:read_all"],
        status: "active" as const,
      })),
    );
    const runs = batch.flatMap((i, k) =>
      runsOf(athleteIds[k] as number, i, ZONES[i % ZONES.length] as string, o, nowMs),
    );
    for (let r = 0; r < runs.length; r += INSERT_ROWS)
      await pool.db.insert(activities).values(runs.slice(r, r + INSERT_ROWS));
    ids.push(...athleteIds);
  }
  return ids;
}

// --- rounds ---------------------------------------------------------------------------

async function enqueueAll(stack: BenchStack, ids: readonly number[]): Promise<void> {
  for (let from = 0; from < ids.length; from += 500)
    await Promise.all(
      ids
        .slice(from, from + 500)
        .map((athleteId) =>
          enqueue(stack.queues, "replan-athlete", { athleteId, cause: { type: "roll-forward" } }),
        ),
    );
}

/** Jobs still to run on `queues`: waiting, active and prioritized (delayed ones are the schedulers' next nights). */
async function pending(stack: BenchStack, names: readonly (typeof QUEUE_NAMES)[number][]): Promise<number> {
  let n = 0;
  for (const name of names) {
    const c = await stack.queues[name].getJobCounts("waiting", "active", "prioritized");
    n += (c.waiting ?? 0) + (c.active ?? 0) + (c.prioritized ?? 0);
  }
  return n;
}

/** CPU seconds of this database's Postgres backends, by pid. */
async function postgresCpu(stack: BenchStack): Promise<Map<number, number>> {
  const rows = await stack.pool.sql<{ pid: number }[]>`
    select pid from pg_stat_activity where datname = current_database()`;
  const out = new Map<number, number>();
  for (const { pid } of rows) {
    const s = cpuSeconds(pid);
    if (s !== null) out.set(pid, s);
  }
  return out;
}

const STATS_FLUSH_MS = 11_000;

interface DbCounts {
  transactions: number;
  rowsWritten: number;
  rowsRead: number;
}

/**
 * This database's transactions (a statement outside one counts as one) and rows
 * written and read so far, from pg_stat_database: counts, so unlike the timings
 * they do not depend on the machine's load. Postgres 15 publishes a busy backend's
 * counts at most once a second and an idle one's within 10 s, so a round waits
 * STATS_FLUSH_MS before it reads its last ones (else the next round gets them).
 */
async function dbCounts(stack: BenchStack): Promise<DbCounts> {
  await stack.pool.sql`select pg_stat_clear_snapshot()`;
  const [row] = await stack.pool.sql<{ x: string; w: string; r: string }[]>`
    select xact_commit + xact_rollback as x, tup_inserted + tup_updated + tup_deleted as w,
           tup_fetched as r
    from pg_stat_database where datname = current_database()`;
  return {
    transactions: Number(row?.x ?? 0),
    rowsWritten: Number(row?.w ?? 0),
    rowsRead: Number(row?.r ?? 0),
  };
}

async function redisPid(stack: BenchStack): Promise<number | null> {
  const info = await stack.redis.info("server");
  const pid = /process_id:(\d+)/.exec(info)?.[1];
  return pid === undefined ? null : Number(pid);
}

interface Round {
  processes: number;
  athletes: number;
  athletesPerS: number;
  measuredS: number;
  /** from spawning the processes to the first finished job: their start-up, not measured */
  firstJobAfterS: number;
  failedJobs: number;
  /** this database's transactions and rows per athlete, the whole round (hand-overs included) */
  postgresPerAthlete: DbCounts;
  /** cores busy over the measured span */
  cpuCores: { workers: number[]; postgres: number; redis: number | null; machine: number };
}

async function runRound(
  stack: BenchStack,
  ids: readonly number[],
  processes: number,
  deadline: number,
  extra: { spawn?: SpawnOptions; env?: Record<string, string> } = {},
): Promise<Round> {
  const failedBefore = await stack.queues.replan.getFailedCount();
  const countsBefore = await dbCounts(stack);
  await enqueueAll(stack, ids);
  const total = ids.length;
  const spawnedAt = Date.now();
  const workers = Array.from({ length: processes }, () =>
    spawnRunstrong("work", { ...stack.env, LOG_LEVEL: "info", ...extra.env }, extra.spawn),
  );
  const redis = await redisPid(stack);
  try {
    let start: {
      at: number;
      done: number;
      workers: (number | null)[];
      pg: Map<number, number>;
      redis: number | null;
      machine: number;
    } | null = null;
    for (;;) {
      if (Date.now() > deadline)
        throw new Error(`roll-forward round with ${processes} process(es) timed out`);
      for (const w of workers)
        if (await Promise.race([w.exited.then(() => true), sleep(0, false)]))
          throw new Error(`runstrong work ${w.pid} exited early:\n${w.output()}`);
      const remaining = await pending(stack, ["replan"]);
      const done = total - remaining;
      const at = Date.now();
      if (start === null && done > 0) {
        start = {
          at,
          done,
          workers: workers.map((w) => cpuSeconds(w.pid)),
          pg: await postgresCpu(stack),
          redis: redis === null ? null : cpuSeconds(redis),
          machine: machineCpuSeconds().busy,
        };
      }
      if (start !== null && remaining === 0) {
        const spanS = (at - start.at) / 1000;
        const s = start;
        const pgEnd = await postgresCpu(stack);
        let pg = 0;
        for (const [pid, cpu] of pgEnd) pg += cpu - (s.pg.get(pid) ?? 0);
        const redisEnd = redis === null ? null : cpuSeconds(redis);
        const cores = (x: number) => round2(x / spanS);
        const round: Round = {
          processes,
          athletes: total,
          athletesPerS: Math.round((total - s.done) / spanS),
          measuredS: round2(spanS),
          firstJobAfterS: round2((s.at - spawnedAt) / 1000),
          failedJobs: (await stack.queues.replan.getFailedCount()) - failedBefore,
          postgresPerAthlete: { transactions: 0, rowsWritten: 0, rowsRead: 0 },
          cpuCores: {
            workers: workers.map((w, k) => cores((cpuSeconds(w.pid) ?? 0) - (s.workers[k] ?? 0))),
            postgres: cores(pg),
            redis: redisEnd === null || s.redis === null ? null : cores(redisEnd - s.redis),
            machine: cores(machineCpuSeconds().busy - s.machine),
          },
        };
        // What the re-plans handed on (plan-changed and the rest) finishes before the next round.
        while ((await pending(stack, QUEUE_NAMES)) > 0 && Date.now() < deadline) await sleep(250);
        await sleep(STATS_FLUSH_MS);
        const countsAfter = await dbCounts(stack);
        const per = (k: keyof DbCounts) => round2((countsAfter[k] - countsBefore[k]) / total);
        round.postgresPerAthlete = {
          transactions: per("transactions"),
          rowsWritten: per("rowsWritten"),
          rowsRead: per("rowsRead"),
        };
        return round;
      }
      await sleep(250);
    }
  } finally {
    await Promise.all(workers.map((w) => w.stop()));
  }
}

/** CPU milliseconds per athlete re-planned, from a round: worker processes, this database's Postgres backends, Redis. */
function cpuPerAthlete(r: Round) {
  const ms = (cores: number) => round2((cores / r.athletesPerS) * 1000);
  return {
    worker: ms(r.cpuCores.workers.reduce((a, b) => a + b, 0)),
    postgres: ms(r.cpuCores.postgres),
    redis: ms(r.cpuCores.redis ?? 0),
  };
}

/**
 * What the cores allow, from the CPU each athlete costs: one process is held to
 * one core by its single JavaScript thread; any number of them share the machine
 * with Postgres and Redis. On a quiet machine two processes can do at most
 * `ratioCeiling` times one.
 */
function ceilingOf(perAthlete: ReturnType<typeof cpuPerAthlete>, cores: number) {
  const all = perAthlete.worker + perAthlete.postgres + perAthlete.redis;
  const machine = (cores * 1000) / all;
  const one = Math.min(1000 / perAthlete.worker, machine);
  const two = Math.min(2_000 / perAthlete.worker, machine);
  return {
    oneProcessPerS: Math.round(one),
    twoProcessesPerS: Math.round(two),
    ratioCeiling: round2(two / one),
  };
}

/** Which share of the cores each part took in the two-process round, when the target is missed. */
function limitOf(two: Round, cores: number, ceiling: ReturnType<typeof ceilingOf>, load: number): string {
  const workers = two.cpuCores.workers.reduce((a, b) => a + b, 0);
  const others = Math.max(
    0,
    two.cpuCores.machine - workers - two.cpuCores.postgres - (two.cpuCores.redis ?? 0),
  );
  const full = two.cpuCores.machine >= cores * 0.85;
  return (
    `${full ? "CPU-bound" : "not CPU-bound"}: the machine was ${two.cpuCores.machine} of ${cores} cores busy ` +
    `with two processes (1-minute load ${load}): workers ${two.cpuCores.workers.join(" + ")}, this database's ` +
    `Postgres backends ${two.cpuCores.postgres}, Redis ${two.cpuCores.redis ?? "?"}, everything else (this ` +
    `bench, other databases, other work on the machine) ${round2(others)}. From the CPU each athlete costs, ` +
    `${cores} quiet cores allow ${ceiling.oneProcessPerS}/s with one process and ${ceiling.twoProcessesPerS}/s ` +
    `with two (Postgres and Redis on the same cores): a ratio of at most ${ceiling.ratioCeiling}`
  );
}

/**
 * Runs the replan queue once more with one process under `node --cpu-prof`, and
 * says where its CPU went once the first job had finished (start-up left out).
 * The profile is kept in `keepDir` when given (for Chrome's DevTools).
 */
async function profiledRound(
  stack: BenchStack,
  ids: readonly number[],
  deadline: number,
  keepDir: string | undefined,
) {
  const dir = keepDir ?? mkdtempSync(join(tmpdir(), "runstrong-roll-forward-prof-"));
  try {
    const round = await runRound(stack, ids, 1, deadline, {
      spawn: { nodeArgs: ["--cpu-prof", "--cpu-prof-dir", dir] },
    });
    return {
      athletesPerS: round.athletesPerS,
      note: "one process under the profiler (slower); CPU after its first finished job",
      ...summariseProfiles(dir, round.firstJobAfterS * 1000),
    };
  } finally {
    if (keepDir === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The code of revision `rev` beside this checkout's, one process each, taking
 * turns (`rev`, this, `rev`, this) so that the machine's changing load falls on
 * both alike: a change's before and after from the same run.
 */
async function baselineRounds(stack: BenchStack, ids: readonly number[], deadline: number, rev: string) {
  const baseline = exportRevision(rev);
  try {
    const sides = { baseline: [] as Round[], current: [] as Round[] };
    for (let turn = 0; turn < 2; turn++) {
      sides.baseline.push(await runRound(stack, ids, 1, deadline, { spawn: { bin: baseline.bin } }));
      sides.current.push(await runRound(stack, ids, 1, deadline));
    }
    const side = (rounds: Round[]) => ({
      athletesPerS: rounds.map((r) => r.athletesPerS),
      cpuMsPerAthlete: rounds.map(cpuPerAthlete),
      postgresPerAthlete: rounds[0]?.postgresPerAthlete,
    });
    const mean = (rounds: Round[]) => rounds.reduce((a, r) => a + r.athletesPerS, 0) / rounds.length;
    return {
      rev: execFileSync("git", ["rev-parse", "--short", rev], { encoding: "utf8" }).trim(),
      baseline: side(sides.baseline),
      current: side(sides.current),
      speedup: round2(mean(sides.current) / mean(sides.baseline)),
      loadAvg1mAtEnd: round2(loadavg()[0] ?? 0),
    };
  } finally {
    baseline.remove();
  }
}

/** One- and two-process rounds with WORKER_CONCURRENCY=`n`, beside the measured ones. */
async function concurrencyRounds(stack: BenchStack, ids: readonly number[], deadline: number, n: number) {
  const env = { WORKER_CONCURRENCY: String(n) };
  const one = await runRound(stack, ids, 1, deadline, { env });
  const two = await runRound(stack, ids, 2, deadline, { env });
  return {
    workerConcurrency: n,
    oneProcess: {
      athletesPerS: one.athletesPerS,
      cpuCores: one.cpuCores,
      postgresPerAthlete: one.postgresPerAthlete,
    },
    twoProcesses: { athletesPerS: two.athletesPerS, cpuCores: two.cpuCores },
    ratio: round2(two.athletesPerS / one.athletesPerS),
    cpuMsPerAthlete: cpuPerAthlete(one),
    loadAvg1mAtEnd: round2(loadavg()[0] ?? 0),
  };
}

export async function main(args: string[]): Promise<object> {
  const o: Options = {
    athletes: option(args, "athletes", Number(process.env.ROLL_FORWARD_ATHLETES ?? 10_000)),
    weeks: option(args, "weeks", 4),
    runsPerWeek: option(args, "runs-per-week", 3),
    timeoutS: option(args, "timeout", 5_400),
  };
  const concurrency = args.includes("--concurrency") ? option(args, "concurrency", 4) : undefined;
  const alsoConcurrency = args.includes("--also-concurrency")
    ? option(args, "also-concurrency", 4)
    : undefined;
  const workEnv: Record<string, string> =
    concurrency === undefined ? {} : { WORKER_CONCURRENCY: String(concurrency) };
  const baselineAt = args.indexOf("--baseline");
  const baselineRev = baselineAt >= 0 ? args[baselineAt + 1] : undefined;
  if (baselineAt >= 0 && (baselineRev === undefined || baselineRev.startsWith("--")))
    throw new Error("--baseline takes a git revision, e.g. --baseline HEAD~1");
  const profileAt = args.indexOf("--profile");
  const profile = profileAt >= 0;
  const profileDir =
    profile && args[profileAt + 1]?.startsWith("--") === false ? args[profileAt + 1] : undefined;
  const loadAvg1mAtStart = round2(loadavg()[0] ?? 0);
  const deadline = Date.now() + o.timeoutS * 1000;
  return withBenchStack({ REPLAN_DEBOUNCE_MS: "0" }, async (stack) => {
    const seedFrom = Date.now();
    const ids = await seed(stack, o);
    const seedS = round2((Date.now() - seedFrom) / 1000);
    const warm = await runRound(stack, ids, 2, deadline, { env: workEnv });
    const one = await runRound(stack, ids, 1, deadline, { env: workEnv });
    const two = await runRound(stack, ids, 2, deadline, { env: workEnv });
    const loadAvg1mAtEnd = round2(loadavg()[0] ?? 0);
    const ratio = round2(two.athletesPerS / one.athletesPerS);
    const cores = availableParallelism();
    const perAthlete = cpuPerAthlete(one);
    const ceiling = ceilingOf(perAthlete, cores);
    const before =
      baselineRev === undefined ? undefined : await baselineRounds(stack, ids, deadline, baselineRev);
    const profiled = profile ? await profiledRound(stack, ids, deadline, profileDir) : undefined;
    const also =
      alsoConcurrency === undefined
        ? undefined
        : await concurrencyRounds(stack, ids, deadline, alsoConcurrency);
    return {
      benchmark: "nightly roll-forward re-plan through `runstrong work` processes",
      units: { athletesPerS: "athletes re-planned per second", cpuCores: "cores busy (CPU s / wall s)" },
      athletes: ids.length,
      activitiesPerAthlete: o.weeks * o.runsPerWeek,
      seedS,
      warmupFirstPlans: { athletesPerS: warm.athletesPerS, failedJobs: warm.failedJobs },
      oneProcess: one,
      twoProcesses: two,
      athletesPerSPerProcess: { one: one.athletesPerS, two: round2(two.athletesPerS / 2) },
      ratio,
      cpuMsPerAthlete: perAthlete,
      quietMachineCeiling: ceiling,
      loadAvg1mAtStart,
      loadAvg1mAtEnd,
      target: { ratio: TARGET_RATIO, met: ratio >= TARGET_RATIO },
      ...(ratio >= TARGET_RATIO ? {} : { limit: limitOf(two, cores, ceiling, loadAvg1mAtEnd) }),
      workerConcurrency: concurrency ?? "the app's default (WORKER_CONCURRENCY)",
      ...(also ? { alsoConcurrency: also } : {}),
      ...(before ? { beforeAfter: before } : {}),
      ...(profiled ? { profile: profiled } : {}),
    };
  });
}
