// Real `runstrong` processes for a benchmark, and what /proc says about them: the
// command (bin/runstrong.js) spawned with the bench stack's environment, its CPU
// time from /proc/<pid>/stat and its resident memory from /proc/<pid>/status.
// Linux only, like the machine the figures are taken on; no pidstat.
import { execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

const BIN = new URL("../bin/runstrong.js", import.meta.url).pathname;
const MEMORY_REPORT = "runstrong-memory ";
/** `node --import` this into a spawned process to have it report its memory on SIGUSR2 */
export const MEMORY_REPORTER = new URL("./_memory-report.mjs", import.meta.url).pathname;

/** clock ticks per second of /proc/<pid>/stat's utime and stime */
const TICKS = (() => {
  try {
    return Number(execFileSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface RunstrongProcess {
  pid: number;
  /** the last few kB the process wrote, for a failure message */
  output(): string;
  /** the JSON of each `runstrong-memory` line it wrote to stderr (bench/_memory-report.mjs), oldest first */
  memoryReports: unknown[];
  /** resolves with the exit code once it has exited */
  exited: Promise<number | null>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited */
  stop(graceMs?: number): Promise<void>;
}

export interface SpawnOptions {
  /** the node binary to run it with (another Node version); this process's own by default */
  node?: string;
  /** flags for node before the script, e.g. `--cpu-prof` */
  nodeArgs?: readonly string[];
  /** another copy of bin/runstrong.js to run (an earlier revision's, see exportRevision) */
  bin?: string;
}

/**
 * Exports revision `rev` of this repository (its bin, src, migrations, package.json
 * and tsconfig.json) into a temporary folder that shares this checkout's
 * node_modules, so a benchmark can run the code before a change beside the code
 * after it, in the same run on the same machine. Returns the folder's
 * bin/runstrong.js and a function that removes the folder.
 */
export function exportRevision(rev: string): { bin: string; remove: () => void } {
  const root = new URL("..", import.meta.url).pathname;
  const dir = mkdtempSync(join(tmpdir(), "runstrong-baseline-"));
  const archive = execFileSync(
    "git",
    ["-C", root, "archive", "--format=tar", rev, "bin", "src", "migrations", "package.json", "tsconfig.json"],
    { maxBuffer: 256 * 1024 * 1024 },
  );
  execFileSync("tar", ["-x", "-C", dir], { input: archive });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  return {
    bin: join(dir, "bin", "runstrong.js"),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Spawns `runstrong <command>` with `env` over this process's environment; its output is kept only in a small tail. */
export function spawnRunstrong(
  command: string,
  env: Record<string, string>,
  options: SpawnOptions = {},
): RunstrongProcess {
  const child = spawn(
    options.node ?? process.execPath,
    [...(options.nodeArgs ?? []), options.bin ?? BIN, command],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-4_000);
  };
  const memoryReports: unknown[] = [];
  let partial = "";
  child.stdout.on("data", keep);
  child.stderr.on("data", (chunk: Buffer) => {
    keep(chunk);
    const lines = (partial + chunk.toString("utf8")).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines)
      if (line.startsWith(MEMORY_REPORT)) memoryReports.push(JSON.parse(line.slice(MEMORY_REPORT.length)));
  });
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  if (child.pid === undefined) throw new Error(`could not spawn runstrong ${command}`);
  return {
    pid: child.pid,
    output: () => tail,
    memoryReports,
    exited,
    stop: async (graceMs = 15_000) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      const killed = await Promise.race([exited.then(() => false), sleep(graceMs, true)]);
      if (killed) {
        child.kill("SIGKILL");
        await exited;
      }
    },
  };
}

/** CPU seconds (user + system) the process has used, or null once it is gone. */
export function cpuSeconds(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name, in parentheses, may hold spaces: count fields after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    // utime and stime are fields 14 and 15 of the whole line, 12 and 13 after the name.
    return (Number(fields[11]) + Number(fields[12])) / TICKS;
  } catch {
    return null;
  }
}

/** Resident memory in MB (VmRSS of /proc/<pid>/status), or null once it is gone. */
export function rssMb(pid: number): number | null {
  try {
    const kb = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1];
    return kb === undefined ? null : Math.round((Number(kb) / 1024) * 10) / 10;
  } catch {
    return null;
  }
}

/**
 * Resident memory in MB split as /proc/<pid>/status splits it: anonymous (the JS
 * heap, malloc, buffers: what the process allocated) and file-backed (the node
 * binary's and shared libraries' pages it has touched), or null once it is gone.
 */
export function rssParts(pid: number): { rssMb: number; anonMb: number; fileMb: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const mb = (field: string) => {
      const kb = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(status)?.[1];
      return kb === undefined ? 0 : Math.round((Number(kb) / 1024) * 10) / 10;
    };
    return { rssMb: mb("VmRSS"), anonMb: mb("RssAnon"), fileMb: mb("RssFile") };
  } catch {
    return null;
  }
}

/** The whole machine's CPU so far, in seconds: busy (all but idle and iowait) and total, summed over cores. */
export function machineCpuSeconds(): { busy: number; total: number } {
  const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
  const v = line.trim().split(/\s+/).slice(1).map(Number);
  const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (v[3] ?? 0) + (v[4] ?? 0);
  return { busy: (total - idle) / TICKS, total: total / TICKS };
}
