// The real `runstrong` command as a newcomer runs it: a child process, real
// Postgres and Redis, signals for shutdown.
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import postgres from "postgres";
import { describe, expect, it, onTestFinished } from "vitest";
import { ADMIN_URL, databaseUrl, REDIS_URL } from "../support/databases.ts";

const BIN = fileURLToPath(new URL("../../bin/runstrong.js", import.meta.url));

interface Run {
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function runstrong(args: string[], env: Record<string, string>): Run {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/tmp", LOG_LEVEL: "info", ...env },
    cwd: fileURLToPath(new URL("../../", import.meta.url)),
  });
  const run: Run = {
    proc,
    stdout: [],
    stderr: [],
    exited: new Promise((r) => proc.once("exit", (code) => r(code))),
  };
  proc.stdout?.on("data", (d) => run.stdout.push(String(d)));
  proc.stderr?.on("data", (d) => run.stderr.push(String(d)));
  onTestFinished(() => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill("SIGKILL");
  });
  return run;
}

async function waitForLog(run: Run, msg: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    for (const line of run.stdout.join("").split("\n")) {
      if (!line.startsWith("{")) continue;
      const entry = JSON.parse(line) as Record<string, unknown>;
      if (entry.msg === msg) return entry;
    }
    if (run.proc.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no "${msg}" log line; stdout:\n${run.stdout.join("")}\nstderr:\n${run.stderr.join("")}`);
}

describe("runstrong start", () => {
  it("creates and migrates its database, answers /readyz, and stops cleanly on SIGTERM", async () => {
    const name = `rs_cli_${randomBytes(4).toString("hex")}`;
    onTestFinished(async () => {
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    });
    const run = runstrong(["start"], {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: databaseUrl(name),
      REDIS_URL,
      REDIS_PREFIX: `rstest-cli-${randomBytes(3).toString("hex")}`,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SESSION_SECRET: randomBytes(32).toString("base64url"),
      METRICS_TOKEN: "a-long-metrics-token-for-tests",
    });
    const listening = await waitForLog(run, "listening");
    await waitForLog(run, "workers running");
    const res = await fetch(`http://127.0.0.1:${listening.port}/readyz`, {
      headers: { authorization: "Bearer a-long-metrics-token-for-tests" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "ok",
      checks: { postgres: { status: "ok" }, migrations: { status: "ok" }, redis: { status: "ok" } },
    });

    const signalled = Date.now();
    run.proc.kill("SIGTERM");
    expect(await run.exited).toBe(0);
    expect(Date.now() - signalled).toBeLessThan(10_000);
    await waitForLog(run, "stopped");
  });
});

describe("runstrong refuses to start when it cannot", () => {
  it("prints one line per bad setting and exits 2", async () => {
    const run = runstrong(["serve"], { PORT: "abc", LOG_LEVEL: "loud" });
    expect(await run.exited).toBe(2);
    const lines = run.stderr.join("").trim().split("\n");
    expect(lines[0]).toBe("runstrong: invalid configuration");
    expect(
      lines
        .slice(1)
        .map((l) => l.trim().split(":")[0])
        .sort(),
    ).toEqual(["LOG_LEVEL", "PORT"]);
  });

  it("names the missing Redis, where it looked and how to get it, and exits 2", async () => {
    const run = runstrong(["serve"], {
      DATABASE_URL: databaseUrl("test"),
      REDIS_URL: "redis://127.0.0.1:1",
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SESSION_SECRET: randomBytes(32).toString("base64url"),
    });
    expect(await run.exited).toBe(2);
    const err = run.stderr.join("");
    expect(err).toContain("runstrong needs Redis, and it did not answer.");
    expect(err).toContain("looked at: redis://127.0.0.1:1 (REDIS_URL)");
    expect(err).toMatch(/docker compose up -d redis/);
    expect(err).toMatch(/apt-get install redis-server/);
    expect(err).not.toContain("PostgreSQL");
    expect(err.split("\n").length).toBeLessThan(12);
  });

  it("names a missing PostgreSQL the same way", async () => {
    const run = runstrong(["work"], {
      DATABASE_URL: "postgres://postgres:pw@127.0.0.1:1/runstrong",
      REDIS_URL,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SESSION_SECRET: randomBytes(32).toString("base64url"),
    });
    expect(await run.exited).toBe(2);
    const err = run.stderr.join("");
    expect(err).toContain("runstrong needs PostgreSQL");
    expect(err).toContain("postgres://postgres:***@127.0.0.1:1/runstrong (DATABASE_URL)");
    expect(err).not.toContain(":pw@");
  });

  it("an unknown command is a usage error", async () => {
    const run = runstrong(["fly"], {});
    expect(await run.exited).toBe(2);
    expect(run.stderr.join("")).toMatch(/unknown command "fly"/);
  });
});

describe("two installs on one Redis prefix", () => {
  it("the second, on another database, refuses to start in one readable line and exits 2", async () => {
    const names = [1, 2].map(() => `rs_cli_${randomBytes(4).toString("hex")}`);
    onTestFinished(async () => {
      const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      for (const name of names) await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    });
    const prefix = `rstest-cli-${randomBytes(3).toString("hex")}`;
    const shared = {
      PORT: "0",
      HOST: "127.0.0.1",
      REDIS_URL,
      REDIS_PREFIX: prefix,
      TOKEN_ENCRYPTION_KEY: randomBytes(32).toString("base64"),
      SESSION_SECRET: randomBytes(32).toString("base64url"),
    };
    const first = runstrong(["start"], { ...shared, DATABASE_URL: databaseUrl(names[0] ?? "") });
    await waitForLog(first, "workers running");

    // Its own database (a new install id) but the first one's prefix.
    const second = runstrong(["start"], { ...shared, DATABASE_URL: databaseUrl(names[1] ?? "") });
    expect(await second.exited).toBe(2);
    const lines = second.stderr.join("").trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(
        `^runstrong start: Redis prefix "${prefix}" \\(REDIS_PREFIX, .*\\) is in use by another install`,
      ),
    );
    expect(lines[0]).toMatch(/give each install its own REDIS_PREFIX/);

    expect(first.proc.exitCode).toBeNull();
    first.proc.kill("SIGTERM");
    expect(await first.exited).toBe(0);
  });
});
