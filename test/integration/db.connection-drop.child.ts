// Run by db.connection-drop.test.ts in a process of its own, as a `runstrong work` runs:
// our pool (src/db/client.ts) reaches Postgres through a loopback relay that can cut
// every connection at once, or terminate a new one while the driver fetches the array
// types, the ways a Postgres stop does. It installs no uncaughtException handler: if the
// driver throws or leaves a rejection unhandled (porsager/postgres#1154, #1192), Node
// prints the error and exits 1, and the test sees that. Otherwise it prints one JSON
// line: how each query settled, and whether the pool answers afterwards.
import { connect, createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { sql } from "drizzle-orm";
import { openDatabase } from "../../src/db/client.ts";

/** The error code a rejected query carries (drizzle wraps the driver's error as `cause`). */
function codeOf(err: unknown): string {
  const e = err as { code?: unknown; cause?: { code?: unknown }; message?: unknown };
  return String(e.code ?? e.cause?.code ?? e.message);
}

const settle = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (err: unknown) => codeOf(err),
  );

/** What Postgres sends a session it terminates (pg_ctl stop -m fast, pg_terminate_backend): FATAL 57P01. */
function adminShutdown(): Buffer {
  const field = (code: string, value: string) => `${code}${value}\0`;
  const body = Buffer.from(
    `${field("S", "FATAL")}${field("V", "FATAL")}${field("C", "57P01")}${field("M", "terminating connection due to administrator command")}\0`,
  );
  const header = Buffer.alloc(5);
  header.write("E");
  header.writeUInt32BE(body.length + 4, 1);
  return Buffer.concat([header, body]);
}

/**
 * A relay to Postgres. cut() closes every connection (new ones pass again afterwards);
 * terminateNextTypesFetch() answers the next connection that asks for the array types
 * (the driver's first query on every new connection) the way a stopping Postgres does:
 * 57P01, then the connection closes.
 */
async function startRelay(target: URL) {
  const live = new Set<Socket>();
  let terminateTypesFetch = false;
  const track = (s: Socket) => {
    live.add(s);
    s.on("close", () => live.delete(s));
    s.on("error", () => {});
  };
  const server = createServer((client) => {
    const upstream = connect(Number(target.port || 5432), target.hostname);
    track(client);
    track(upstream);
    client.on("data", (chunk) => {
      if (terminateTypesFetch && chunk.includes("typarray")) {
        terminateTypesFetch = false;
        upstream.destroy();
        client.end(adminShutdown());
        return;
      }
      upstream.write(chunk);
    });
    upstream.pipe(client);
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the relay has no port");
  const url = new URL(target);
  url.hostname = "127.0.0.1";
  url.port = String(address.port);
  return {
    url: url.toString(),
    cut: () => {
      for (const s of live) s.destroy();
    },
    terminateNextTypesFetch: () => {
      terminateTypesFetch = true;
    },
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

const target = process.argv[2];
if (!target) throw new Error("usage: db.connection-drop.child.ts <database url>");
const relay = await startRelay(new URL(target));
const pool = openDatabase(relay.url, { max: 3, applicationName: "runstrong-connection-drop" });
// Long enough to be in flight when the relay cuts; short enough that the server-side
// sessions, which do not notice the cut while sleeping, end soon after.
const inFlight = sql`select pg_sleep(3)`;
const result: Record<string, unknown> = {};

// A new connection terminated while the driver fetches the array types: the driver
// reconnects and runs the query there. Before the patch the types query's failure was an
// unhandled rejection (exit 1), and the 57P01 was replayed onto the query after reconnecting.
relay.terminateNextTypesFetch();
result.typesFetchTerminated = await settle(pool.db.execute(sql`select 1`));

// A transaction whose query is in flight: postgres.js then sends ROLLBACK on the
// connection that has just closed.
await pool.db.execute(sql`select 1`);
const transaction = settle(pool.db.transaction(async (tx) => tx.execute(inFlight)));
await sleep(500);
relay.cut();
result.transaction = await transaction;

// A reserved connection (as an advisory-lock holder keeps one): its query in flight when
// the connection drops, then its next query on the same, now closed, connection.
const reserved = await pool.sql.reserve();
await reserved`select 1`;
const reservedInFlight = settle(reserved`select pg_sleep(3)`);
await sleep(500);
relay.cut();
result.reservedInFlight = await reservedInFlight;
result.reservedNext = await Promise.race([settle(reserved`select 1`), sleep(10_000, "hung")]);
reserved.release();

// Whatever the driver scheduled for the dead sockets has run by now; the pool must still
// answer, on every one of its connections.
await sleep(500);
result.afterwards = await Promise.all(
  Array.from({ length: 6 }, () =>
    Promise.race([settle(pool.db.execute(sql`select 1`)), sleep(15_000, "hung")]),
  ),
);

console.log(JSON.stringify(result));
await pool.close();
await relay.close();
process.exit(0);
