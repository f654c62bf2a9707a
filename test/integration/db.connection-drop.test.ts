// A Postgres connection that drops with a query in flight must fail that query, not the
// process. postgres.js 3.4.9 sends a transaction's ROLLBACK (and a reserved connection's
// next query) on the connection that has just closed, from a setImmediate, and threw
// `Cannot read properties of null (reading 'write')` there, where nothing can catch it:
// that took `runstrong work` down when Postgres restarted (porsager/postgres#1154, #1208).
// patches/postgres+3.4.9.patch settles those queries with CONNECTION_CLOSED instead, and
// keeps a reserved connection that died from coming back to the pool without a socket.
// The scenario runs in a child process (db.connection-drop.child.ts) so that an uncaught
// exception ends it the way it ends a worker.
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../support/databases.ts";

const CHILD = fileURLToPath(new URL("./db.connection-drop.child.ts", import.meta.url));
const database = await createTestDatabase();
afterAll(() => database.drop());

function runChild(url: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, ["--import", "tsx", CHILD, url], {
      cwd: fileURLToPath(new URL("../../", import.meta.url)),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    proc.stdout.on("data", (d) => {
      stdout += String(d);
    });
    proc.stderr.on("data", (d) => {
      stderr += String(d);
    });
    const killer = setTimeout(() => proc.kill("SIGKILL"), 90_000);
    proc.once("error", reject);
    proc.once("exit", (code) => {
      clearTimeout(killer);
      resolve({ code, stdout, stderr });
    });
  });
}

describe("a Postgres connection dropped with a query in flight", () => {
  it("fails the query with a connection error, leaves the process running and the pool answering", async () => {
    const run = await runChild(database.url);
    // Without the patch: exit 1 and the driver's TypeError on stderr.
    expect(run.stderr).not.toContain("Cannot read properties of null");
    expect(run.code, run.stderr).toBe(0);
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    const result = JSON.parse(line) as Record<string, unknown>;
    const dropped = ["CONNECTION_CLOSED", "ECONNRESET"];
    // the transaction's query, rolled back on a closed connection
    expect(dropped).toContain(result.transaction);
    // a reserved connection: its query in flight, then its next query, which must settle rather than hang
    expect(dropped).toContain(result.reservedInFlight);
    expect(result.reservedNext).toBe("CONNECTION_CLOSED");
    // and the pool reconnects: no connection is left without a socket (before the patch, a
    // reserved connection released after it died answered every later query CONNECTION_CLOSED)
    expect(result.afterwards).toEqual(["ok", "ok", "ok", "ok", "ok", "ok"]);
  }, 120_000);
});
