// The fault suite's outside world on the way out: Garmin's Training API,
// intervals.icu's events API and a Web Push service as real HTTP servers on
// loopback, and a real SMTP server (smtp-server), which the real `runstrong work`
// processes are configured to use. Each one logs every request with its identity
// (whose token, which session, which message) and when it came and was answered,
// so the suite can tell a workout created twice or a message sent twice from one
// sent once, and count requests per second; `mode` makes it answer 5xx, 429 (with
// Retry-After) or never.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { simpleParser } from "mailparser";
import { SMTPServer } from "smtp-server";
import { FakeGarminTraining, FakeIntervals } from "../support/destination-fakes.ts";

export type OutboundMode = "ok" | "5xx" | "429" | "hang";

export interface OutboundRequest {
  /** arrival, epoch ms */
  at: number;
  /** when the answer went out; null while unanswered (or never, in "hang") */
  answeredAt: number | null;
  method: string;
  path: string;
  /** whose request: the athlete it belongs to, as the simulator can tell */
  who: string;
  status: number | null;
  /** what it carried that names a thing of ours (intervals.icu external ids, a push Topic) */
  keys: string[];
}

export interface HttpSim {
  name: string;
  url: string;
  mode: OutboundMode;
  /** how long a good answer takes, ms */
  latencyMs: number;
  /** Retry-After (seconds) of a 429 */
  retryAfterS: number;
  requests: OutboundRequest[];
  close(): Promise<void>;
}

interface Handled {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

function toRequest(req: IncomingMessage, body: Buffer): Request {
  const headers = new Headers();
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === "string") headers.set(k, v);
  return new Request(`http://127.0.0.1${req.url ?? "/"}`, {
    method: req.method ?? "GET",
    headers,
    ...(body.length > 0 && req.method !== "GET" && req.method !== "DELETE"
      ? { body: new Uint8Array(body) }
      : {}),
  });
}

/**
 * A loopback HTTP server in front of `handle`. `identify` names the request's owner
 * and keys from its headers and body. Faults apply to every request.
 */
async function startHttpSim(
  name: string,
  handle: (req: IncomingMessage, body: Buffer) => Promise<Handled>,
  identify: (req: IncomingMessage, body: Buffer) => { who: string; keys: string[] },
): Promise<HttpSim> {
  const sim: HttpSim = {
    name,
    url: "",
    mode: "ok",
    latencyMs: 0,
    retryAfterS: 2,
    requests: [],
    close: async () => {},
  };
  const reply = (res: ServerResponse, entry: OutboundRequest, answer: Handled) => {
    entry.status = answer.status;
    entry.answeredAt = Date.now();
    res.writeHead(answer.status, answer.headers);
    res.end(answer.body);
  };
  const json = (status: number, body: unknown, headers: Record<string, string> = {}): Handled => ({
    status,
    headers: { "content-type": "application/json", ...headers },
    body: Buffer.from(JSON.stringify(body)),
  });
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
      const { who, keys } = identify(req, body);
      const entry: OutboundRequest = {
        at: Date.now(),
        answeredAt: null,
        method: req.method ?? "GET",
        path,
        who,
        status: null,
        keys,
      };
      sim.requests.push(entry);
      const mode = sim.mode;
      if (mode === "hang") return; // the caller's timeout must end it
      if (mode === "5xx") return reply(res, entry, json(503, { error: "Service Unavailable" }));
      if (mode === "429")
        return reply(
          res,
          entry,
          json(429, { error: "Too Many Requests" }, { "retry-after": String(sim.retryAfterS) }),
        );
      setTimeout(() => {
        handle(req, body).then(
          (answer) => reply(res, entry, answer),
          (err: unknown) => reply(res, entry, json(500, { error: String(err) })),
        );
      }, sim.latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error(`${name} simulator has no port`);
  sim.url = `http://127.0.0.1:${address.port}`;
  sim.close = async () => {
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  };
  return sim;
}

const answerOf = async (response: Response): Promise<Handled> => ({
  status: response.status,
  headers: Object.fromEntries(response.headers),
  body: Buffer.from(await response.arrayBuffer()),
});

// ---------------------------------------------------------------- Garmin Training API

export interface GarminSim extends HttpSim {
  fake: FakeGarminTraining;
}

/** Garmin's Training API V2 (test/support/destination-fakes.ts); `who` is the bearer token. */
export async function startGarminSim(): Promise<GarminSim> {
  const fake = new FakeGarminTraining();
  const sim = await startHttpSim(
    "Garmin",
    async (req, body) => answerOf(await fake.handle(toRequest(req, body))),
    (req) => ({ who: String(req.headers.authorization ?? "").replace(/^Bearer /, ""), keys: [] }),
  );
  return Object.assign(sim, { fake });
}

/** The Garmin access token the suite gives an athlete: the simulator's `who` for them. */
export const garminToken = (athleteId: number) => `fault-garmin-access-${athleteId}`;

// ---------------------------------------------------------------- intervals.icu

export interface IntervalsSim extends HttpSim {
  fake: FakeIntervals;
}

/** intervals.icu's events API; `who` is the intervals.icu athlete id, `keys` the events' external ids. */
export async function startIntervalsSim(): Promise<IntervalsSim> {
  const fake = new FakeIntervals();
  const sim = await startHttpSim(
    "intervals.icu",
    async (req, body) => answerOf(await fake.handle(toRequest(req, body))),
    (req, body) => {
      const who = decodeURIComponent(/\/athlete\/([^/]+)\//.exec(req.url ?? "")?.[1] ?? "");
      let keys: string[] = [];
      try {
        const list = JSON.parse(body.toString("utf8")) as { external_id?: unknown }[];
        keys = Array.isArray(list) ? list.map((e) => String(e.external_id)) : [];
      } catch {
        // not JSON: no keys
      }
      return { who, keys };
    },
  );
  return Object.assign(sim, { fake });
}

/** The intervals.icu athlete id the suite links for an athlete. */
export const intervalsAthlete = (athleteId: number) => `i${athleteId}`;

// ---------------------------------------------------------------- Web Push service

/**
 * A push service: POST /push/<athleteId> answers 201 (as FCM and Mozilla's do);
 * `who` is the athlete of the endpoint, `keys` the message's Topic header.
 */
export async function startPushSim(): Promise<HttpSim> {
  return startHttpSim(
    "push service",
    async () => ({ status: 201, headers: {}, body: Buffer.alloc(0) }),
    (req) => ({
      who: /^\/push\/(\d+)/.exec(req.url ?? "")?.[1] ?? "",
      keys: typeof req.headers.topic === "string" ? [req.headers.topic] : [],
    }),
  );
}

// ---------------------------------------------------------------- SMTP

export interface SentMail {
  at: number;
  to: string[];
  messageId: string;
  subject: string;
}

export interface SmtpSim {
  url: string;
  mails: SentMail[];
  close(): Promise<void>;
}

/** A real SMTP server (smtp-server) that accepts every message and keeps its recipients and Message-ID. */
export async function startSmtpSim(): Promise<SmtpSim> {
  const mails: SentMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ["STARTTLS", "AUTH"],
    logger: false,
    onData(stream, session, callback) {
      const to = session.envelope.rcptTo.map((r) => r.address);
      simpleParser(stream).then(
        (mail) => {
          mails.push({ at: Date.now(), to, messageId: mail.messageId ?? "", subject: mail.subject ?? "" });
          callback();
        },
        (err: Error) => callback(err),
      );
    },
  });
  // A worker killed mid-conversation resets its connection, which smtp-server reports
  // as an 'error' on the server (thrown when nobody listens); only mail whose DATA
  // completed is counted, so a reset connection is nothing to record.
  server.on("error", () => {});
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const address = server.server.address();
  if (!address || typeof address === "string") throw new Error("SMTP simulator has no port");
  return {
    url: `smtp://127.0.0.1:${address.port}`,
    mails,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** The confirmed address the suite gives an athlete. */
export const mailOf = (athleteId: number) => `runner-${athleteId}@faults.example`;

// ---------------------------------------------------------------- counting

/** The most requests `times` holds within one wall-clock second. */
export function busiestSecond(times: number[]): number {
  const per = new Map<number, number>();
  for (const t of times) per.set(Math.floor(t / 1000), (per.get(Math.floor(t / 1000)) ?? 0) + 1);
  return Math.max(0, ...per.values());
}
