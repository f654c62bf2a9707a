// The load generator of bench/webhook.ts, in a process of its own so that it does
// not share the server's event loop (it still shares the machine's two cores, as
// the reference figures do). It receives one run's settings over IPC, runs
// autocannon with a fresh Strava event per request, and answers with autocannon's
// figures and the object ids of the events answered 200.
import { createRequire } from "node:module";

export interface LoadRun {
  url: string;
  /** the webhook's path, secret included */
  path: string;
  durationS: number;
  connections: number;
  /** owner ids of connected athletes; events pick one at random */
  owners: number[];
  /** a share of events from athletes that are not connected (answered 200, stored nowhere) */
  unknownShare: number;
  /** object ids start here and rise by one per request, so every event is new */
  firstObjectId: number;
  subscriptionId: number;
}

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationS: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  /** object ids of events answered 200, with whether their owner was connected */
  acknowledged: { id: number; known: boolean }[];
}

interface AutocannonResult {
  requests: { total: number };
  latency: { p50: number; p90: number; p99: number; max: number; average: number };
  "2xx": number;
  non2xx: number;
  errors: number;
  timeouts: number;
  duration: number;
}
interface AutocannonRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AutocannonRequest, ctx: Record<string, unknown>) => AutocannonRequest;
  onResponse?: (status: number, body: string, ctx: Record<string, unknown>) => void;
}
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

const UPDATE_TITLES = ["Morning Run", "Tempo 3x10 min", "8x400m", "Easy recovery", "Long run", "Parkrun"];

async function run(r: LoadRun): Promise<LoadResult> {
  let next = r.firstObjectId;
  let tick = 0;
  const acknowledged: LoadResult["acknowledged"] = [];
  const request: AutocannonRequest = {
    method: "POST",
    path: r.path,
    headers: { "content-type": "application/json", "user-agent": "Strava-Webhooks" },
    setupRequest: (req, ctx) => {
      const id = next++;
      tick++;
      const known = Math.random() >= r.unknownShare;
      const owner = known ? (r.owners[id % r.owners.length] as number) : 900_000_000 + (id % 1000);
      // Mostly uploads, some title changes and deletes, as a day of runners looks.
      const roll = id % 20;
      const aspect = roll < 17 ? "create" : roll < 19 ? "update" : "delete";
      const body = {
        aspect_type: aspect,
        event_time: 1_764_000_000 + Math.floor(tick / 50),
        object_id: 16_000_000_000 + id,
        object_type: "activity",
        owner_id: owner,
        subscription_id: r.subscriptionId,
        updates: aspect === "update" ? { title: UPDATE_TITLES[id % UPDATE_TITLES.length] } : {},
      };
      ctx.id = id;
      ctx.known = known;
      return { ...req, body: JSON.stringify(body) };
    },
    onResponse: (status, _body, ctx) => {
      if (status === 200) acknowledged.push({ id: ctx.id as number, known: ctx.known as boolean });
    },
  };
  const result = await autocannon({
    url: r.url,
    connections: r.connections,
    pipelining: 1,
    duration: r.durationS,
    requests: [request],
  });
  return {
    requests: result.requests.total,
    ok: result["2xx"],
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationS: result.duration,
    latencyMs: {
      p50: result.latency.p50,
      p90: result.latency.p90,
      p99: result.latency.p99,
      max: result.latency.max,
      mean: result.latency.average,
    },
    acknowledged,
  };
}

process.on("message", (message: LoadRun) => {
  run(message).then(
    (result) => process.send?.({ result }),
    (err: unknown) => process.send?.({ error: err instanceof Error ? err.message : String(err) }),
  );
});
