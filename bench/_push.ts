// The pipeline bench's last leg (issue 10): from the Strava webhook to the moved
// session's workout scheduled at Garmin. Garmin's Training API is played by the
// same stand-in the tests use (test/support/destination-fakes.ts) behind a
// node:http server on 127.0.0.1 that answers after `latencyMs`; every athlete
// has Garmin connected with WORKOUT_IMPORT, so each plan version queues a push.
// An event's figure is POST sent -> the Garmin push job of the plan version the
// event made finished (its schedule and workout written at the stand-in), read
// from BullMQ's finishedOn.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import type { Database, DatabasePool } from "../src/db/client.ts";
import { connectAthlete } from "../src/db/repos/connections.ts";
import { pushJobId } from "../src/workers/destinations/registry.ts";
import type { Queues } from "../src/workers/queues.ts";
import { FakeGarminTraining } from "../test/support/destination-fakes.ts";

export interface GarminSim {
  url: string;
  fake: FakeGarminTraining;
  close(): Promise<void>;
}

export async function startGarminSim(latencyMs: number): Promise<GarminSim> {
  const fake = new FakeGarminTraining();
  fake.latencyMs = latencyMs;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const headers = new Headers();
      for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
      const body = chunks.length > 0 ? Buffer.concat(chunks) : undefined;
      const request = new Request(`http://127.0.0.1${req.url ?? "/"}`, {
        method: req.method ?? "GET",
        headers,
        ...(body && req.method !== "GET" && req.method !== "DELETE" ? { body } : {}),
      });
      fake.handle(request).then(
        async (answer) => {
          res.writeHead(answer.status, Object.fromEntries(answer.headers));
          res.end(Buffer.from(await answer.arrayBuffer()));
        },
        (err: unknown) => {
          res.writeHead(500, { "content-type": "application/json" });
          res.end(JSON.stringify({ errorMessage: String(err) }));
        },
      );
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the Garmin stand-in has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    fake,
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

/** Garmin connected for each athlete, with WORKOUT_IMPORT, tokens valid for the run. */
export async function linkGarmin(db: Database, key: Buffer, athleteIds: readonly number[]): Promise<void> {
  for (const athleteId of athleteIds) {
    await connectAthlete(db, key, {
      provider: "garmin",
      externalAthleteId: `bench-garmin-${athleteId}`,
      displayName: null,
      tokens: {
        accessToken: `bench-garmin-access-${athleteId}`,
        refreshToken: `bench-garmin-refresh-${athleteId}`,
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
      },
      scopes: ["ACTIVITY_EXPORT", "WORKOUT_IMPORT"],
      signedInAthleteId: athleteId,
    });
  }
}

function summary(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length === 0
      ? null
      : Math.round(
          sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? 0,
        );
  return { count: sorted.length, p50: at(50), p95: at(95), p99: at(99), max: at(100) };
}

/**
 * Waits (to the deadline, at most 60 s after the plans settled) for the Garmin push
 * of each measured event's plan version, then: the latency from POST to that push
 * done, and whether Garmin holds exactly one schedule entry per pushed session.
 */
export async function pushFigures(o: {
  queues: Queues;
  sql: DatabasePool["sql"];
  garmin: GarminSim;
  events: readonly { athleteId: number; activityId: string; postAt: number }[];
  deadline: number;
}): Promise<object> {
  const ids = o.events.map((e) => e.activityId);
  const rows = await o.sql<{ id: string; activity_id: string }[]>`
    select min(id)::text as id, cause->>'activityId' as activity_id from plan_versions
    where cause->>'type' = 'activity' and cause->>'activityId' = any(${ids}::text[]) group by 2`;
  const versionOf = new Map(rows.map((r) => [r.activity_id, Number(r.id)]));
  const giveUp = Math.min(o.deadline, Date.now() + 60_000);
  const latencies: number[] = [];
  const states: Record<string, number> = {};
  for (const e of o.events) {
    const versionId = versionOf.get(e.activityId);
    if (versionId === undefined) continue;
    const jobId = pushJobId(o.queues, "garmin", e.athleteId, versionId);
    let state = "missing";
    for (;;) {
      const job = await o.queues.destinations.getJob(jobId);
      state = job ? await job.getState() : "missing";
      if (state === "completed" && job?.finishedOn) {
        latencies.push(job.finishedOn - e.postAt);
        break;
      }
      if (state === "failed" || Date.now() >= giveUp) break;
      await sleep(50);
    }
    states[state] = (states[state] ?? 0) + 1;
  }
  const [held] = await o.sql<{ n: number }[]>`
    select count(*)::int as n from workout_pushes where destination = 'garmin' and status = 'sent'`;
  const calls: Record<string, number> = {};
  for (const c of o.garmin.fake.calls) {
    const key = `${c.method} ${c.path.replace(/\/\d+$/, "/{id}")}`;
    calls[key] = (calls[key] ?? 0) + 1;
  }
  return {
    measured:
      "POST sent -> the Garmin push job of the event's plan version finished (workout and schedule written)",
    garminLatencyMs: o.garmin.fake.latencyMs,
    latencyMs: summary(latencies),
    pushJobs: states,
    garminCalls: calls,
    // One schedule entry per pushed session, none left behind.
    sessionsPushed: held?.n ?? 0,
    schedulesAtGarmin: o.garmin.fake.schedules.size,
    workoutsAtGarmin: o.garmin.fake.workouts.size,
  };
}
