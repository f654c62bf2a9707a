// The Strava stand-in of bench/pipeline.ts: an HTTP server answering GET
// /activities/{id} with a DetailedActivity built from the recorded fixture
// (after a set latency), the token refresh, and Strava's rate-limit headers;
// everything else is a 404 as Strava writes one.
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { offsetMinutes } from "../src/domain/time.ts";
import { parseStravaJson } from "../src/integrations/strava/activity.ts";

/** A strength-planning app Strava has raised the limits of (it does on request): the budget reserves
 * and records every call in Redis as usual, and never makes a job wait. Usage counts every call since
 * the stand-in started, so the limits leave room for several runs in one 15-minute window (rss runs
 * 1,000 imports per Node measured: at 3,000 reads the third run's stopped at the live lane's 90%). */
const RATE_LIMITS = { overall: [60_000, 600_000], read: [30_000, 300_000] } as const;

/** One run the bench's athletes record: warm-up, repetitions with recoveries, cool-down. */
export interface Workout {
  name: string;
  sportType: "Run" | "TrailRun" | "VirtualRun";
  /** Strava's run workout_type: 0 default, 1 race, 3 workout */
  workoutType: 0 | 1 | 3;
  warmupS: number;
  reps: number;
  repS: number;
  repSpeed: number;
  restS: number;
  cooldownS: number;
}

const FIXTURES = new URL("../test/fixtures/strava/", import.meta.url);

export function fixture(name: string): Record<string, unknown> {
  return parseStravaJson(readFileSync(fileURLToPath(new URL(name, FIXTURES)), "utf8")) as Record<
    string,
    unknown
  >;
}

export interface StravaGet {
  receivedAt: number;
  answeredAt: number;
}

export interface FakeStrava {
  url: string;
  /**
   * How to build the body GET /activities/{id} answers: called (once) when the GET
   * arrives, while the simulated latency runs, so it can look at the newest plan.
   */
  put(activityId: string, body: () => Promise<string>): void;
  gets: Map<string, StravaGet>;
  counts: { activityGets: number; notFound: number; tokenPosts: number; unexpected: number };
  close(): Promise<void>;
}

const NOT_FOUND = JSON.stringify({
  message: "Record Not Found",
  errors: [{ resource: "Activity", field: "id", code: "invalid" }],
});

export async function startFakeStrava(latencyMs: number): Promise<FakeStrava> {
  const bodies = new Map<string, () => Promise<string>>();
  const gets = new Map<string, StravaGet>();
  const counts = { activityGets: 0, notFound: 0, failed: 0, tokenPosts: 0, unexpected: 0 };
  const closing = new AbortController();
  const refresh = fixture("strava-oauth-token-refresh.json");
  // Usage as Strava counts it: every API call, from the recorded fixture's starting point.
  let calls = 0;
  const reply = (res: ServerResponse, status: number, body: string, rated: boolean) => {
    res.writeHead(status, {
      "content-type": "application/json; charset=utf-8",
      ...(rated
        ? {
            "x-ratelimit-limit": RATE_LIMITS.overall.join(","),
            "x-ratelimit-usage": `${5 + calls},${148 + calls}`,
            "x-readratelimit-limit": RATE_LIMITS.read.join(","),
            "x-readratelimit-usage": `${5 + calls},${148 + calls}`,
          }
        : {}),
    });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = Date.now();
    req.resume();
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const id = /^\/api\/v3\/activities\/(\d+)$/.exec(path)?.[1];
    if (req.method === "GET" && id !== undefined) {
      calls++;
      counts.activityGets++;
      const build = bodies.get(id);
      Promise.all([build?.(), sleep(latencyMs, undefined, { signal: closing.signal })]).then(
        ([body]) => {
          if (body === undefined) {
            counts.notFound++;
            reply(res, 404, NOT_FOUND, true);
            return;
          }
          reply(res, 200, body, true);
          gets.set(id, { receivedAt, answeredAt: Date.now() });
        },
        (err: unknown) => {
          if (closing.signal.aborted) return;
          counts.failed++;
          reply(res, 500, JSON.stringify({ message: String(err) }), true);
        },
      );
      return;
    }
    if (req.method === "POST" && path === "/oauth/token") {
      counts.tokenPosts++;
      const expiresAt = Math.floor(Date.now() / 1000) + 21_600;
      reply(res, 200, JSON.stringify({ ...refresh, expires_at: expiresAt, expires_in: 21_600 }), false);
      return;
    }
    counts.unexpected++;
    reply(res, 404, NOT_FOUND, true);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("the Strava stand-in has no port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    put: (activityId, build) => {
      let body: Promise<string> | null = null;
      bodies.set(activityId, () => {
        body ??= build();
        return body;
      });
    },
    gets,
    counts,
    close: () =>
      new Promise<void>((done) => {
        closing.abort();
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}

const round1 = (n: number) => Math.round(n * 10) / 10;

/** "(GMT+05:45) Asia/Kathmandu", as Strava labels an activity's zone */
function stravaZoneLabel(offsetMin: number, timezone: string): string {
  const abs = Math.abs(offsetMin);
  const hh = String(Math.floor(abs / 60)).padStart(2, "0");
  const mm = String(abs % 60).padStart(2, "0");
  return `(GMT${offsetMin < 0 ? "-" : "+"}${hh}:${mm}) ${timezone}`;
}

/**
 * A DetailedActivity as GET /activities/{id} answers it: the recorded fixture (its
 * map, segment efforts, best efforts, gear...) with this run's identity, time,
 * zone and a lap per warm-up, repetition, recovery and cool-down.
 */
export function detailedActivity(
  base: Record<string, unknown>,
  o: { id: number; ownerId: number; startMs: number; timezone: string; workout: Workout },
): Record<string, unknown> {
  const offsetMin = offsetMinutes(o.startMs, o.timezone);
  const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
  // Strava's local time: the wall clock written with a misleading "Z".
  const wall = (ms: number) => iso(ms + offsetMin * 60_000);
  const w = o.workout;
  const segments = [{ s: w.warmupS, speed: 2.9, hr: 138 }];
  for (let r = 0; r < w.reps; r++) {
    segments.push({ s: w.repS, speed: w.repSpeed, hr: 166 + Math.min(r, 6) });
    if (r < w.reps - 1 && w.restS > 0) segments.push({ s: w.restS, speed: 2.2, hr: 146 });
  }
  segments.push({ s: w.cooldownS, speed: 2.8, hr: 142 });

  const lapBase = (base.laps as Record<string, unknown>[] | undefined)?.[0] ?? {};
  let t = 0;
  let distance = 0;
  let heartbeats = 0;
  const laps = segments.map((seg, i) => {
    const lapDistance = round1(seg.s * seg.speed);
    const lap = {
      ...lapBase,
      id: o.id * 100 + i + 1,
      name: `Lap ${i + 1}`,
      activity: { id: o.id, visibility: "everyone", resource_state: 1 },
      athlete: { id: o.ownerId, resource_state: 1 },
      elapsed_time: seg.s,
      moving_time: seg.s,
      start_date: iso(o.startMs + t * 1000),
      start_date_local: wall(o.startMs + t * 1000),
      distance: lapDistance,
      average_speed: seg.speed,
      max_speed: round1(seg.speed * 1.15),
      lap_index: i + 1,
      split: i + 1,
      start_index: t,
      end_index: t + seg.s,
      average_heartrate: seg.hr,
      max_heartrate: seg.hr + 8,
    };
    t += seg.s;
    distance += lapDistance;
    heartbeats += seg.hr * seg.s;
    return lap;
  });
  const elapsed = t;
  const moving = elapsed - 15;
  const splits = (key: string, unitM: number) =>
    ((base[key] as unknown[] | undefined) ?? []).slice(0, Math.ceil(distance / unitM));
  return {
    ...base,
    id: o.id,
    athlete: { id: o.ownerId, resource_state: 1 },
    name: w.name,
    type: w.sportType,
    sport_type: w.sportType,
    workout_type: w.workoutType,
    start_date: iso(o.startMs),
    start_date_local: wall(o.startMs),
    timezone: stravaZoneLabel(offsetMin, o.timezone),
    utc_offset: offsetMin * 60,
    distance: round1(distance),
    moving_time: moving,
    elapsed_time: elapsed,
    average_speed: Math.round((distance / moving) * 1000) / 1000,
    max_speed: round1(Math.max(...segments.map((s) => s.speed)) * 1.15),
    has_heartrate: true,
    average_heartrate: round1(heartbeats / elapsed),
    max_heartrate: Math.max(...segments.map((s) => s.hr)) + 8,
    trainer: w.sportType === "VirtualRun",
    laps,
    splits_metric: splits("splits_metric", 1000),
    splits_standard: splits("splits_standard", 1609.34),
    upload_id: o.id + 1_000_000_000,
    upload_id_str: String(o.id + 1_000_000_000),
    external_id: `bench-${o.id}.fit`,
    device_name: "Garmin Forerunner 255",
  };
}
