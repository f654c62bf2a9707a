// `runstrong backfill --athlete ID [--weeks N]`: imports an athlete's recent Strava
// activities and shows a progress bar on standard error until it is done.
//
// The backfill always goes through the strava queue, as on connect (low priority,
// deduplicated per athlete, resumable). When a worker is serving that queue
// (`runstrong start` or `work`), this command only follows the job; when none is,
// it runs a worker for the strava queue itself until the job is done, so the
// command works on an install whose workers are stopped. The re-plan the
// backfill asks for then waits in its queue for the next `start` or `work`.

import { QueueEvents } from "bullmq";
import { SingleBar } from "cli-progress";
import { getAthlete } from "../db/repos/athletes.ts";
import { getConnectionForAthlete } from "../db/repos/connections.ts";
import { boot } from "../runtime/bootstrap.ts";
import { openResources } from "../runtime/resources.ts";
import { createRedis } from "../workers/connection.ts";
import { startWorkers } from "../workers/run-workers.ts";
import {
  type BackfillProgress,
  DEFAULT_BACKFILL_WEEKS,
  enqueueBackfill,
  MAX_BACKFILL_WEEKS,
} from "../workers/strava/backfill.ts";
import { type CommandIO, type CommandRun, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./command.ts";

export const USAGE = `usage: runstrong backfill --athlete ID [--weeks N]   (N 1-${MAX_BACKFILL_WEEKS}, default ${DEFAULT_BACKFILL_WEEKS})`;

export interface BackfillArgs {
  athleteId: number;
  weeks: number;
}

function positiveInt(flag: string, value: string | undefined, max: number): number {
  if (value === undefined || !/^\d+$/.test(value))
    throw new UsageError(`${flag} needs a whole number; ${USAGE}`);
  const n = Number(value);
  if (n < 1 || n > max) throw new UsageError(`${flag} must be 1-${max}, got ${value}`);
  return n;
}

export function parseBackfillArgs(args: string[]): BackfillArgs {
  let athleteId: number | undefined;
  let weeks = DEFAULT_BACKFILL_WEEKS;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    const [flag, inline] = arg.startsWith("--") && arg.includes("=") ? arg.split("=", 2) : [arg, undefined];
    const value = () => inline ?? args[++i];
    if (flag === "--athlete") athleteId = positiveInt("--athlete", value(), Number.MAX_SAFE_INTEGER);
    else if (flag === "--weeks") weeks = positiveInt("--weeks", value(), MAX_BACKFILL_WEEKS);
    else throw new UsageError(`unknown argument "${arg}"; ${USAGE}`);
  }
  if (athleteId === undefined) throw new UsageError(`--athlete is required; ${USAGE}`);
  return { athleteId, weeks };
}

function isProgress(p: unknown): p is BackfillProgress {
  return typeof p === "object" && p !== null && typeof (p as BackfillProgress).done === "number";
}

export const run: CommandRun = async (args, io) => {
  let parsed: BackfillArgs;
  try {
    parsed = parseBackfillArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`runstrong backfill: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const booted = await boot(io, "backfill", { postgres: true, redis: true }, "answer");
  if (typeof booted === "number") return booted;
  const { config, logger } = booted;
  const res = await openResources(config, logger, "backfill");
  await res.ready();
  try {
    const athlete = await getAthlete(res.pool.db, parsed.athleteId);
    const connection = athlete ? await getConnectionForAthlete(res.pool.db, athlete.id, "strava") : null;
    if (!athlete || !connection || connection.status !== "active") {
      io.stderr.write(
        `runstrong backfill: ${
          !athlete
            ? `no athlete ${parsed.athleteId}`
            : `athlete ${parsed.athleteId} has ${connection ? `a ${connection.status} Strava connection (they must connect again at /auth/strava)` : "no Strava connection"}`
        }\n`,
      );
      return EXIT_USAGE;
    }
    return await follow(io, res, parsed);
  } finally {
    await res.close();
  }
};

async function follow(
  io: CommandIO,
  res: Awaited<ReturnType<typeof openResources>>,
  { athleteId, weeks }: BackfillArgs,
): Promise<number> {
  const { config, logger, queues } = res;
  const events = new QueueEvents("strava", {
    connection: createRedis(config.redis.url, "runstrong-backfill-events"),
    prefix: config.redis.prefix,
  });
  let workers: ReturnType<typeof startWorkers> | null = null;
  let workerRedis: ReturnType<typeof createRedis> | null = null;
  const bar = new SingleBar({
    stream: io.stderr,
    format: "backfill {bar} {value}/{total} activities",
    hideCursor: false,
    noTTYOutput: true,
    notTTYSchedule: 2_000,
  });
  let barStarted = false;
  const show = (p: unknown) => {
    if (!isProgress(p)) return;
    if (!barStarted) {
      bar.start(p.total, p.done);
      barStarted = true;
    } else bar.setTotal(p.total);
    bar.update(p.done);
  };
  try {
    // Listening before the job exists, so no progress event is missed.
    await events.waitUntilReady();
    const jobId = await enqueueBackfill(queues, athleteId, weeks);
    const job = jobId ? await queues.strava.getJob(jobId) : undefined;
    if (!job) throw new Error("the backfill job vanished as it was queued");
    events.on("progress", ({ jobId: id, data }) => {
      if (id === job.id) show(data);
    });
    events.on("delayed", ({ jobId: id, delay }) => {
      if (id === job.id)
        io.stderr.write(
          `\nrunstrong backfill: waiting for Strava's rate limit until ${new Date(Number(delay)).toISOString()}\n`,
        );
    });
    show(job.progress);

    if ((await queues.strava.getWorkersCount()) === 0) {
      io.stderr.write("runstrong backfill: no worker is running; running the backfill here\n");
      workerRedis = createRedis(config.redis.url, "runstrong-backfill-worker");
      workers = startWorkers(
        { config, db: res.pool.db, queues, logger, now: () => new Date() },
        {
          connection: workerRedis,
          prefix: config.redis.prefix,
          concurrency: 1,
          metrics: res.metrics,
          queues: ["strava"],
        },
      );
    }
    try {
      const result = await job.waitUntilFinished(events);
      if (barStarted) bar.stop();
      io.stdout.write(`${JSON.stringify({ jobId: job.id, athleteId, weeks, ...(result as object) })}\n`);
      return EXIT_OK;
    } catch (err) {
      if (barStarted) bar.stop();
      io.stderr.write(`runstrong backfill: the backfill failed: ${(err as Error).message}\n`);
      return EXIT_FAILURE;
    }
  } finally {
    if (barStarted) bar.stop();
    await workers?.close(config.workers.shutdownTimeoutMs);
    workerRedis?.disconnect();
    await events.close();
  }
}
