// A Postgres connection that drops must fail its queries, not the process. postgres.js
// 3.4.9 ended `runstrong work` when Postgres restarted, in two ways that nothing in our
// code could catch:
// - it sent a transaction's ROLLBACK (or a reserved connection's next query) on the
//   connection that had just closed, from a setImmediate, and threw `Cannot read
//   properties of null (reading 'write')` there (porsager/postgres#1154, #1208);
// - a new connection fetches the array types first, and that query's failure, when the
//   connection was terminated meanwhile, was an unhandled rejection (#1192, #1223), which
//   also replayed the old session's 57P01 onto the query that waited for the connection.
// patches/postgres+3.4.9.patch fixes both, and keeps a reserved connection that died
// from coming back to the pool without a socket. The scenario runs in a child process
// (db.connection-drop.child.ts) so that an uncaught exception ends it as it ends a worker.
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
    // Without the patch: exit 1, with the driver's TypeError or its unhandled rejection on stderr.
    expect(run.stderr).not.toContain("Cannot read properties of null");
    expect(run.stderr).not.toContain("triggerUncaughtException");
    expect(run.code, run.stderr).toBe(0);
    const line = run.stdout.trim().split("\n").at(-1) ?? "";
    const result = JSON.parse(line) as Record<string, unknown>;
    const dropped = ["CONNECTION_CLOSED", "ECONNRESET"];
    // a new connection terminated while fetching the array types: the query runs on the next one
    expect(result.typesFetchTerminated).toBe("ok");
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
