// The fault suite's world: a Postgres cluster and a redis-server of its own (so
// stopping them harms nothing else), a simulated Strava on loopback, and the real
// `runstrong serve` / `runstrong work` processes pointed at all three. Everything
// it starts is stopped by stopAll(), which also runs on process exit.
import { type ChildProcess, execFile, execFileSync, spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { detailedActivity } from "../support/strava-fake.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const BIN = join(ROOT, "bin/runstrong.js");

const cleanups: (() => void)[] = [];
/** Synchronous last-resort cleanup: a failed or interrupted run leaves no process or folder behind. */
export function stopAllNow(): void {
  while (cleanups.length > 0) {
    try {
      cleanups.pop()?.();
    } catch {
      // keep cleaning the rest
    }
  }
}
process.once("exit", stopAllNow);

export async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  await new Promise((r) => server.close(r));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}

export async function waitFor<T>(what: string, ms: number, probe: () => Promise<T | undefined | false>) {
  const deadline = Date.now() + ms;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v as T;
    } catch (err) {
      last = err;
    }
    await sleep(100);
  }
  throw new Error(`${what}: not within ${ms} ms${last ? ` (${String(last)})` : ""}`);
}

// ---------------------------------------------------------------- Postgres

/** The newest Debian PostgreSQL's bin folder with initdb and pg_ctl, or a message naming what is missing. */
export function findPostgresBin(): string {
  const base = "/usr/lib/postgresql";
  const versions = existsSync(base)
    ? readdirSync(base)
        .filter((v) => existsSync(join(base, v, "bin/initdb")) && existsSync(join(base, v, "bin/pg_ctl")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions[0] === undefined)
    throw new Error(
      "the fault suite runs a private PostgreSQL cluster and needs initdb and pg_ctl under " +
        "/usr/lib/postgresql/<version>/bin (apt-get install postgresql); none found",
    );
  return join(base, versions[0], "bin");
}

export interface PgCluster {
  url: string;
  port: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  remove(): void;
}

export async function startPostgres(port: number): Promise<PgCluster> {
  const bin = findPostgresBin();
  const dir = mkdtempSync(join(tmpdir(), "runstrong-faults-pg-"));
  const data = join(dir, "data");
  // initdb refuses root: run the cluster as the postgres user, which owns the folder.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const id = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (id.status !== 0)
      throw new Error(
        "the fault suite runs as root and needs a postgres user for initdb (apt-get install postgresql)",
      );
    chownSync(dir, Number(id.stdout), Number(gid.stdout));
  }
  const command = (cmd: string, args: string[]): [string, string[]] =>
    asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, cmd), ...args]] : [join(bin, cmd), args];
  const run = (cmd: string, args: string[]) => {
    const [file, argv] = command(cmd, args);
    execFileSync(file, argv, { stdio: "pipe", timeout: 60_000 });
  };
  // Asynchronous while the suite's driver is sending: the event loop keeps running.
  const runAsync = async (cmd: string, args: string[]) => {
    const [file, argv] = command(cmd, args);
    await promisify(execFile)(file, argv, { timeout: 60_000 });
  };
  const opts = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const cluster: PgCluster = {
    url: `postgres://postgres@127.0.0.1:${port}/runstrong`,
    port,
    start: () =>
      runAsync("pg_ctl", ["-D", data, "-o", opts, "-l", join(dir, "log"), "-w", "-t", "30", "start"]),
    stop: () => runAsync("pg_ctl", ["-D", data, "-m", "fast", "-w", "-t", "30", "stop"]),
    remove: () => {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "-t", "10", "stop"]);
      } catch {
        // already stopped
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  cleanups.push(cluster.remove);
  run("initdb", ["-D", data, "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8"]);
  await cluster.start();
  return cluster;
}

// ---------------------------------------------------------------- Redis

export interface RedisServer {
  url: string;
  stop(): Promise<void>;
  start(): Promise<void>;
}

/** A redis-server without persistence: a restart comes back empty, as a cache-configured Redis does. */
export async function startRedis(port: number): Promise<RedisServer> {
  let proc: ChildProcess | null = null;
  const launch = async () => {
    const p = spawn(
      "redis-server",
      ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
      {
        stdio: "ignore",
      },
    );
    proc = p;
    await waitFor("redis-server", 10_000, async () => {
      if (p.exitCode !== null) throw new Error(`redis-server exited ${p.exitCode}`);
      return spawnSync("redis-cli", ["-p", String(port), "ping"], { encoding: "utf8" }).stdout.includes(
        "PONG",
      );
    });
  };
  cleanups.push(() => proc?.kill("SIGKILL"));
  await launch();
  return {
    url: `redis://127.0.0.1:${port}`,
    start: launch,
    stop: async () => {
      const p = proc;
      if (!p || p.exitCode !== null) return;
      const exited = new Promise((r) => p.once("exit", r));
      p.kill("SIGTERM");
      await Promise.race([exited, sleep(5_000)]);
      if (p.exitCode === null) p.kill("SIGKILL");
    },
  };
}

// ---------------------------------------------------------------- simulated Strava

export type StravaMode = "ok" | "5xx" | "429" | "hang";

export interface StravaSim {
  url: string;
  mode: StravaMode;
  /** how long a good answer takes, ms (so imports are in flight when a fault strikes) */
  latencyMs: number;
  /** activity id -> owner: the ids the simulator knows */
  owners: Map<string, number>;
  /** activity id -> GETs received */
  gets: Map<string, number>;
  /** every activity GET's arrival time */
  times: number[];
  close(): Promise<void>;
}

export async function startStravaSim(): Promise<StravaSim> {
  const sim: StravaSim = {
    url: "",
    mode: "ok",
    latencyMs: 0,
    owners: new Map(),
    gets: new Map(),
    times: [],
    close: async () => {},
  };
  const rate = (res: import("node:http").ServerResponse, status: number, body: unknown, usage = 10) => {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      "x-ratelimit-limit": "6000,60000",
      "x-ratelimit-usage": `${usage},${usage}`,
      "x-readratelimit-limit": "3000,30000",
      "x-readratelimit-usage": `${usage},${usage}`,
    });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    req.resume();
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const id = /^\/api\/v3\/activities\/(\d+)$/.exec(path)?.[1];
    if (req.method === "GET" && id !== undefined) {
      sim.gets.set(id, (sim.gets.get(id) ?? 0) + 1);
      sim.times.push(Date.now());
      if (sim.mode === "hang") return; // never answers: the caller's timeout must end it
      if (sim.mode === "5xx") return rate(res, 502, { message: "Bad Gateway" });
      if (sim.mode === "429")
        return rate(
          res,
          429,
          { message: "Rate Limit Exceeded", errors: [{ resource: "Application" }] },
          6001,
        );
      const owner = sim.owners.get(id);
      if (owner === undefined) return rate(res, 404, { message: "Record Not Found", errors: [] });
      const body = detailedActivity({ id, athleteId: owner, name: `Fault run ${id}` });
      setTimeout(() => rate(res, 200, body), sim.latencyMs);
      return;
    }
    if (req.method === "POST" && path === "/oauth/token")
      return rate(res, 200, {
        token_type: "Bearer",
        access_token: randomBytes(8).toString("hex"),
        refresh_token: randomBytes(8).toString("hex"),
        expires_at: Math.floor(Date.now() / 1000) + 21_600,
        expires_in: 21_600,
      });
    rate(res, 404, { message: "Record Not Found", errors: [] });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  sim.url = `http://127.0.0.1:${address.port}`;
  sim.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  cleanups.push(() => server.closeAllConnections());
  return sim;
}

// ---------------------------------------------------------------- runstrong processes

export interface Proc {
  name: string;
  proc: ChildProcess;
  /** the last lines it printed (stdout and stderr) */
  tail: string[];
  exited: Promise<number | null>;
  /** resolves with the first JSON log line whose msg is `msg` */
  waitLog(msg: string, ms?: number): Promise<Record<string, unknown>>;
}

export function runstrong(name: string, args: string[], env: Record<string, string>): Proc {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", ...env },
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const tail: string[] = [];
  const seen: Record<string, unknown>[] = [];
  let partial = "";
  const take = (chunk: Buffer) => {
    const lines = (partial + String(chunk)).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      tail.push(line);
      if (tail.length > 200) tail.shift();
      if (line.startsWith("{")) {
        try {
          const entry = JSON.parse(line) as Record<string, unknown>;
          if (
            entry.msg === "listening" ||
            entry.msg === "workers running" ||
            entry.msg === "migrations applied"
          )
            seen.push(entry);
        } catch {
          // not a log line
        }
      }
    }
  };
  proc.stdout?.on("data", take);
  proc.stderr?.on("data", take);
  const exited = new Promise<number | null>((r) => proc.once("exit", (code) => r(code)));
  cleanups.push(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  return {
    name,
    proc,
    tail,
    exited,
    waitLog: (msg, ms = 30_000) =>
      waitFor(`${name} logging "${msg}"`, ms, async () => {
        if (proc.exitCode !== null) throw new Error(`${name} exited ${proc.exitCode}:\n${tail.join("\n")}`);
        return seen.find((e) => e.msg === msg);
      }),
  };
}

// ---------------------------------------------------------------- the webhook driver

export interface DriveResult {
  sent: number;
  acknowledged: Set<string>;
  /** 503 answers (each then retried, as Strava retries) */
  refused: number;
  /** connection errors (retried too) */
  errors: number;
  /** the slowest 503, ms */
  slowest503: number;
  /** every status seen */
  statuses: Map<number, number>;
}

/**
 * POSTs one Strava create event per activity (owner from `owners`), `concurrency`
 * at a time, retrying a 503 or a refused connection after a pause (Strava retries
 * for a while) until it answers 200 or `deadlineMs` passes. `during` runs alongside.
 */
export async function driveWebhooks(
  url: string,
  events: { id: string; owner: number }[],
  o: { concurrency?: number; deadlineMs?: number; perSecond?: number; subscriptionId: number },
): Promise<DriveResult> {
  const result: DriveResult = {
    sent: events.length,
    acknowledged: new Set(),
    refused: 0,
    errors: 0,
    slowest503: 0,
    statuses: new Map(),
  };
  const deadline = Date.now() + (o.deadlineMs ?? 60_000);
  const gap = o.perSecond ? 1000 / o.perSecond : 0;
  const started = Date.now();
  let next = 0;
  const lane = async () => {
    while (next < events.length) {
      const i = next++;
      const event = events[i];
      if (!event) break;
      if (gap > 0) {
        const due = started + i * gap;
        if (due > Date.now()) await sleep(due - Date.now());
      }
      const body = JSON.stringify({
        aspect_type: "create",
        event_time: Math.floor(Date.now() / 1000),
        object_id: Number(event.id),
        object_type: "activity",
        owner_id: event.owner,
        subscription_id: o.subscriptionId,
        updates: {},
      });
      while (Date.now() < deadline) {
        const t0 = Date.now();
        try {
          const res = await fetch(url, {
            method: "POST",
            headers: { "content-type": "application/json" },
            body,
            signal: AbortSignal.timeout(5_000),
          });
          await res.arrayBuffer();
          result.statuses.set(res.status, (result.statuses.get(res.status) ?? 0) + 1);
          if (res.status === 200) {
            result.acknowledged.add(event.id);
            break;
          }
          if (res.status === 503) {
            result.refused++;
            result.slowest503 = Math.max(result.slowest503, Date.now() - t0);
          }
        } catch {
          result.errors++;
        }
        await sleep(250);
      }
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 8 }, lane));
  return result;
}
