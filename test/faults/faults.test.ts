// The fault suite (issue 15): one `runstrong serve` and two `runstrong work`
// processes on a Postgres cluster and a redis-server of their own, Strava, Garmin's
// Training API, intervals.icu, a Web Push service and an SMTP server played by
// loopback simulators (harness.ts, outbound.ts), webhooks for many athletes, and
// one fault per test. Each
// test prints one line: what was injected, what was sent, what was stored, lost,
// duplicated. Tests run in order on the same processes: each fault must leave the
// system working without restarting anything but the worker it killed.
import { createECDH, randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DatabasePool, openDatabase } from "../../src/db/client.ts";
import { ensureDatabase, runMigrations } from "../../src/db/migrate.ts";
import { connectAthlete } from "../../src/db/repos/connections.ts";
import { confirmEmail, saveSubscription, setEmail } from "../../src/db/repos/notifications.ts";
import { linkIntervals } from "../../src/db/repos/workout-pushes.ts";
import { browserKeys } from "../support/push-endpoint.ts";
import {
  type DriveResult,
  driveWebhooks,
  freePort,
  type PgCluster,
  type Proc,
  type RedisServer,
  runstrong,
  type StravaSim,
  startPostgres,
  startRedis,
  startStravaSim,
  stopAllNow,
  waitFor,
} from "./harness.ts";
import {
  busiestSecond,
  type GarminSim,
  garminToken,
  type HttpSim,
  type IntervalsSim,
  intervalsAthlete,
  mailOf,
  type SmtpSim,
  startGarminSim,
  startIntervalsSim,
  startPushSim,
  startSmtpSim,
} from "./outbound.ts";

const ATHLETES = 40;
const SUBSCRIPTION_ID = 120475;
const METRICS_TOKEN = "faults-metrics-token-0123456789";
const WEBHOOK_SECRET = randomBytes(24).toString("hex");
const KEY = randomBytes(32);

let pg: PgCluster;
let redis: RedisServer;
let sim: StravaSim;
let garmin: GarminSim;
let intervals: IntervalsSim;
let pushService: HttpSim;
let smtp: SmtpSim;
let pool: DatabasePool;
let env: Record<string, string>;
let serve: Proc;
let serveUrl: string;
const workers: Proc[] = [];
const owners: number[] = [];
let nextId = 17_000_000_000;

/** still running (a process killed by a signal has a null exitCode too) */
const running = (p: Proc) => p.proc.exitCode === null && p.proc.signalCode === null;

function startWorker(name: string): Proc {
  const w = runstrong(name, ["work"], env);
  workers.push(w);
  return w;
}

/** `n` new activities, spread over the athletes, known to the simulator. */
function newEvents(n: number): { id: string; owner: number }[] {
  return Array.from({ length: n }, (_, i) => {
    const id = String(nextId++);
    const owner = owners[i % owners.length] ?? 0;
    sim.owners.set(id, owner);
    return { id, owner };
  });
}

interface Outcome {
  imported: number;
  lost: number;
  duplicated: number;
  /** imported rows whose athlete is not the event's owner, or without a summary */
  wrong: number;
  /** webhook_events rows stored for the events */
  stored: number;
  /** events whose activity was fetched more than once (at-least-once fetch, exactly-once store) */
  refetched: number;
}

async function outcome(ids: string[]): Promise<Outcome> {
  const rows = await pool.sql<{ external_id: string; n: number; wrong: number }[]>`
    select a.external_id, count(*)::int as n,
      count(*) filter (where c.external_athlete_id is distinct from (
        select w.external_athlete_id from webhook_events w
        where w.provider = 'strava' and w.object_id = a.external_id limit 1) or a.summary is null)::int as wrong
    from activities a
    left join provider_connections c on c.athlete_id = a.athlete_id and c.provider = 'strava'
    where a.provider = 'strava' and a.external_id = any(${ids})
    group by a.external_id`;
  const [stored] = await pool.sql<{ n: number }[]>`
    select count(*)::int as n from webhook_events where provider = 'strava' and object_id = any(${ids})`;
  return {
    imported: rows.length,
    lost: ids.length - rows.length,
    duplicated: rows.reduce((s, r) => s + r.n - 1, 0),
    wrong: rows.reduce((s, r) => s + r.wrong, 0),
    stored: stored?.n ?? 0,
    refetched: ids.filter((id) => (sim.gets.get(id) ?? 0) > 1).length,
  };
}

/** Waits (bounded) until every acknowledged event is imported, then reports. */
async function settle(acknowledged: Set<string>, ms: number): Promise<Outcome> {
  const ids = [...acknowledged];
  try {
    await waitFor("every acknowledged event imported", ms, async () => (await outcome(ids)).lost === 0);
  } catch {
    // reported below as lost
  }
  return outcome(ids);
}

/** Every acknowledged event imported, once, into its owner's rows. */
function expectEachEventOnce(o: Outcome): void {
  expect(o.lost, tails()).toBe(0);
  expect(o.duplicated).toBe(0);
  expect(o.wrong).toBe(0);
}

function report(fault: string, sent: DriveResult, o: Outcome, extra = ""): void {
  const line =
    `fault ${fault}: sent ${sent.sent} events, acknowledged ${sent.acknowledged.size}, ` +
    `stored ${o.stored}, imported ${o.imported}, lost ${o.lost}, duplicated ${o.duplicated}` +
    (extra ? `, ${extra}` : "");
  console.log(line);
}

function tails(): string {
  // Warnings and errors only: the info lines of a busy worker would bury them.
  const notable = (p: Proc) => p.tail.filter((l) => !l.startsWith('{"level":30')).slice(-15);
  return [serve, ...workers].map((p) => `--- ${p.name}\n${notable(p).join("\n")}`).join("\n");
}

async function readyz(): Promise<number> {
  const res = await fetch(`${serveUrl}/readyz`, {
    headers: { authorization: `Bearer ${METRICS_TOKEN}` },
    signal: AbortSignal.timeout(3_000),
  });
  await res.arrayBuffer();
  return res.status;
}

beforeAll(async () => {
  const [pgPort, redisPort] = [await freePort(), await freePort()];
  pg = await startPostgres(pgPort);
  redis = await startRedis(redisPort);
  sim = await startStravaSim();
  [garmin, intervals, pushService, smtp] = await Promise.all([
    startGarminSim(),
    startIntervalsSim(),
    startPushSim(),
    startSmtpSim(),
  ]);
  const vapid = createECDH("prime256v1");
  vapid.generateKeys();
  env = {
    NODE_ENV: "development",
    LOG_LEVEL: "info",
    HOST: "127.0.0.1",
    PORT: "0",
    DATABASE_URL: pg.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `rsfaults-${randomBytes(3).toString("hex")}`,
    TOKEN_ENCRYPTION_KEY: KEY.toString("base64"),
    SESSION_SECRET: randomBytes(32).toString("base64url"),
    METRICS_TOKEN,
    WORKER_CONCURRENCY: "4",
    SHUTDOWN_TIMEOUT_MS: "8000",
    INBOX_SWEEP_EVERY_MS: "2000",
    // Re-plans are not what this suite measures; they would only compete for the two cores.
    REPLAN_DEBOUNCE_MS: "600000",
    STRAVA_API_BASE_URL: `${sim.url}/api/v3`,
    STRAVA_OAUTH_BASE_URL: `${sim.url}/oauth`,
    STRAVA_REQUEST_TIMEOUT_MS: "1500",
    STRAVA_CLIENT_ID: "24523",
    STRAVA_CLIENT_SECRET: "faults-client-secret",
    STRAVA_VERIFY_TOKEN: "faults-verify-token",
    STRAVA_SUBSCRIPTION_ID: String(SUBSCRIPTION_ID),
    STRAVA_WEBHOOK_SECRET: WEBHOOK_SECRET,
    // The way out: workouts to Garmin and intervals.icu, plan-change mail and web push.
    PUBLIC_URL: "https://runstrong.faults.example",
    GARMIN_API_BASE_URL: garmin.url,
    INTERVALS_API_BASE_URL: intervals.url,
    DESTINATION_REQUEST_TIMEOUT_MS: "1500",
    SMTP_URL: smtp.url,
    MAIL_FROM: "runstrong <runstrong@faults.example>",
    VAPID_PUBLIC_KEY: vapid.getPublicKey().toString("base64url"),
    VAPID_PRIVATE_KEY: Buffer.from(vapid.getPrivateKey("hex").padStart(64, "0"), "hex").toString("base64url"),
    VAPID_SUBJECT: "mailto:faults@faults.example",
    // Loopback push endpoints are private addresses.
    OUTBOUND_ALLOW_PRIVATE: "true",
    NOTIFY_COALESCE_MS: "1000",
  };
  // `runstrong migrate` does this too; in-process it spares a process start on two busy cores.
  await ensureDatabase(pg.url);
  pool = openDatabase(pg.url, { max: 4 });
  await runMigrations(pool);
  for (let i = 0; i < ATHLETES; i++) {
    const ownerId = 5_100_000 + i;
    await connectAthlete(pool.db, KEY, {
      provider: "strava",
      externalAthleteId: String(ownerId),
      displayName: `Fault runner ${i}`,
      timezone: "Europe/Berlin",
      tokens: {
        accessToken: `fault-access-${ownerId}`,
        refreshToken: `fault-refresh-${ownerId}`,
        expiresAt: new Date(Date.now() + 6 * 3_600_000),
      },
      scopes: ["read", "activity:read_all", "profile:read_all"],
    });
    owners.push(ownerId);
  }
  for (const [name, size] of Object.entries(PUSH_GROUPS)) groups.set(name, await seedPushGroup(name, size));

  serve = runstrong("serve", ["serve"], env);
  startWorker("work-1");
  startWorker("work-2");
  const listening = await serve.waitLog("listening", 60_000);
  serveUrl = `http://127.0.0.1:${listening.port}`;
  await Promise.all(workers.map((w) => w.waitLog("workers running", 60_000)));
}, 150_000);

afterAll(async () => {
  for (const p of [serve, ...workers]) if (p && running(p)) p.proc.kill("SIGTERM");
  await Promise.race([Promise.all([serve, ...workers].filter(Boolean).map((p) => p.exited)), sleep(10_000)]);
  await pool?.close().catch(() => {});
  await sim?.close().catch(() => {});
  for (const s of [garmin, intervals, pushService, smtp]) await s?.close().catch(() => {});
  stopAllNow();
}, 30_000);

const webhook = () => `${serveUrl}/webhooks/strava/${WEBHOOK_SECRET}`;

// ---------------------------------------------------------------- the way out

/**
 * Athletes who push workouts and get messages (Strava, Garmin with WORKOUT_IMPORT,
 * intervals.icu, a confirmed address, a browser subscribed), one group per fault so
 * each counts only its own. A group's first plan comes from an imported activity:
 * every future session goes to both destinations, and one message by mail and push.
 */
const PUSH_GROUPS = { kill: 12, outage: 6, limited: 6 } as const;
interface PushAthlete {
  id: number;
  ownerId: number;
}
const groups = new Map<string, PushAthlete[]>();
let nextPushOwner = 5_200_000;

function group(name: keyof typeof PUSH_GROUPS): PushAthlete[] {
  const g = groups.get(name);
  if (!g) throw new Error(`no push group ${name}`);
  return g;
}

async function seedPushGroup(name: string, size: number): Promise<PushAthlete[]> {
  const out: PushAthlete[] = [];
  for (let i = 0; i < size; i++) {
    const ownerId = nextPushOwner++;
    const { athlete } = await connectAthlete(pool.db, KEY, {
      provider: "strava",
      externalAthleteId: String(ownerId),
      displayName: `Fault pusher ${name} ${i}`,
      timezone: "Europe/Berlin",
      tokens: {
        accessToken: `fault-access-${ownerId}`,
        refreshToken: `fault-refresh-${ownerId}`,
        expiresAt: new Date(Date.now() + 6 * 3_600_000),
      },
      scopes: ["read", "activity:read_all", "profile:read_all"],
    });
    await connectAthlete(pool.db, KEY, {
      provider: "garmin",
      externalAthleteId: `fault-garmin-${athlete.id}`,
      displayName: null,
      tokens: {
        accessToken: garminToken(athlete.id),
        refreshToken: `fault-garmin-refresh-${athlete.id}`,
        expiresAt: new Date(Date.now() + 30 * 86_400_000),
      },
      scopes: ["ACTIVITY_EXPORT", "WORKOUT_IMPORT"],
      signedInAthleteId: athlete.id,
    });
    const apiKey = `fault-intervals-key-${athlete.id}`;
    intervals.fake.keys.set(intervalsAthlete(athlete.id), apiKey);
    await linkIntervals(pool.db, KEY, athlete.id, { athleteId: intervalsAthlete(athlete.id), apiKey });
    await setEmail(pool.db, athlete.id, mailOf(athlete.id));
    await confirmEmail(pool.db, athlete.id, mailOf(athlete.id), new Date());
    const browser = browserKeys();
    await saveSubscription(pool.db, athlete.id, {
      endpoint: `${pushService.url}/push/${athlete.id}`,
      p256dh: browser.p256dh,
      auth: browser.auth,
    });
    out.push({ id: athlete.id, ownerId });
  }
  return out;
}

async function withQueue<T>(name: string, fn: (queue: Queue) => Promise<T>): Promise<T> {
  const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { connection, prefix: env.REDIS_PREFIX ?? "" });
  try {
    return await fn(queue);
  } finally {
    await queue.close();
    connection.disconnect();
  }
}

/**
 * One new Strava activity per athlete of the group, through the webhook; the
 * imports queue the athletes' re-plans, debounced for 10 minutes here (so the
 * Strava faults run without re-plans), which the suite then makes due at once.
 */
async function importAndReplan(athletes: PushAthlete[]): Promise<DriveResult> {
  sim.mode = "ok";
  const events = athletes.map((a) => {
    const id = String(nextId++);
    sim.owners.set(id, a.ownerId);
    return { id, owner: a.ownerId };
  });
  const sent = await driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, concurrency: 6 });
  const ids = new Set(athletes.map((a) => a.id));
  await withQueue("replan", async (replan) => {
    const due = await waitFor("each athlete's re-plan queued by its import", 60_000, async () => {
      const jobs = (await replan.getDelayed()).filter((j) => ids.has(j.data.athleteId));
      return jobs.length >= athletes.length ? jobs : undefined;
    });
    for (const job of due) await job.promote();
  });
  return sent;
}

interface PushOutcome {
  /** future planned sessions of the athletes' current plans */
  sessions: number;
  garminCreated: number;
  /** workouts at Garmin that no workout_pushes row names: created twice */
  garminTwins: number;
  /** workouts scheduled more than once */
  garminScheduledTwice: number;
  intervalsEvents: number;
  /** intervals.icu upserts of a session already there (harmless: keyed by external_id) */
  intervalsResent: number;
  /** sessions not (yet) at a destination, summed over both */
  lostSessions: number;
  mailMessages: number;
  mailsReceived: number;
  /** Message-IDs received more than once (the same message sent again) */
  mailsTwice: { messageId: string; at: number[] }[];
  /** mails beyond one per message, whatever their Message-ID */
  mailsExtra: number;
  pushMessages: number;
  pushesReceived: number;
  pushesTwice: { topic: string; at: number[] }[];
  pushesExtra: number;
  /** messages recorded but not sent (pending, failed), and athletes without their message */
  lostMessages: number;
}

async function pushOutcome(athletes: PushAthlete[]): Promise<PushOutcome> {
  const ids = athletes.map((a) => a.id);
  const wanted = await pool.sql<{ athlete_id: number; session_key: string }[]>`
    select s.athlete_id::int, s.session_key::text from planned_sessions s
    where s.plan_version_id in (
      select distinct on (athlete_id) id from plan_versions where athlete_id = any(${ids})
      order by athlete_id, version desc)
    and s.status = 'planned' and s.start_at > now()`;
  const pushes = await pool.sql<
    {
      athlete_id: number;
      destination: string;
      session_key: string;
      external_id: string | null;
      status: string;
    }[]
  >`select athlete_id::int, destination::text, session_key::text, external_id, status from workout_pushes
    where athlete_id = any(${ids})`;
  const messages = await pool.sql<{ athlete_id: number; channel: string; status: string }[]>`
    select athlete_id::int, channel::text, status::text from notifications where athlete_id = any(${ids})`;

  const sentKeys = (destination: string) =>
    new Set(
      pushes
        .filter((p) => p.destination === destination && p.status === "sent")
        .map((p) => `${p.athlete_id}:${p.session_key}`),
    );
  let lostSessions = 0;
  for (const destination of ["garmin", "intervals_icu"]) {
    const held = sentKeys(destination);
    lostSessions += wanted.filter((w) => !held.has(`${w.athlete_id}:${w.session_key}`)).length;
  }
  // Garmin: every workout created with the group's tokens must be one a row names.
  const tokens = new Set(ids.map(garminToken));
  const created = garmin.fake.created.filter((c) => tokens.has(c.token));
  const named = new Set(pushes.filter((p) => p.destination === "garmin").map((p) => p.external_id));
  const perWorkout = new Map<number, number>();
  for (const sch of garmin.fake.schedules.values())
    perWorkout.set(sch.workoutId, (perWorkout.get(sch.workoutId) ?? 0) + 1);
  // intervals.icu: events held for the group, and upserts answered for a session already upserted.
  const intervalsIds = new Set(ids.map(intervalsAthlete));
  const upserted = new Map<string, number>();
  for (const r of intervals.requests)
    if (intervalsIds.has(r.who) && r.status === 200 && r.path.endsWith("/events/bulk"))
      for (const k of r.keys) upserted.set(`${r.who}:${k}`, (upserted.get(`${r.who}:${k}`) ?? 0) + 1);

  const sent = (channel: string) => messages.filter((m) => m.channel === channel && m.status === "sent");
  const addresses = new Set(ids.map(mailOf));
  const mails = smtp.mails.filter((m) => m.to.some((t) => addresses.has(t)));
  const byMessageId = new Map<string, number[]>();
  for (const m of mails) byMessageId.set(m.messageId, [...(byMessageId.get(m.messageId) ?? []), m.at]);
  const who = new Set(ids.map(String));
  const pushed = pushService.requests.filter((r) => who.has(r.who) && r.status === 201);
  const byTopic = new Map<string, number[]>();
  for (const r of pushed) {
    const topic = `${r.who}:${r.keys[0] ?? "(no topic)"}`;
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), r.at]);
  }
  const unsent = messages.filter((m) => m.status !== "sent").length;
  const withoutMessage = ids.filter(
    (id) => !["email", "webpush"].every((c) => messages.some((m) => m.athlete_id === id && m.channel === c)),
  ).length;
  return {
    sessions: wanted.length,
    garminCreated: created.length,
    garminTwins: created.filter((c) => !named.has(String(c.workoutId))).length,
    garminScheduledTwice: created.filter((c) => (perWorkout.get(c.workoutId) ?? 0) > 1).length,
    intervalsEvents: [...intervalsIds].reduce((n, a) => n + intervals.fake.of(a).length, 0),
    intervalsResent: [...upserted.values()].reduce((n, c) => n + c - 1, 0),
    lostSessions,
    mailMessages: sent("email").length,
    mailsReceived: mails.length,
    mailsTwice: [...byMessageId]
      .filter(([, at]) => at.length > 1)
      .map(([messageId, at]) => ({ messageId, at })),
    mailsExtra: Math.max(0, mails.length - sent("email").length),
    pushMessages: sent("webpush").length,
    pushesReceived: pushed.length,
    pushesTwice: [...byTopic].filter(([, at]) => at.length > 1).map(([topic, at]) => ({ topic, at })),
    pushesExtra: Math.max(0, pushed.length - sent("webpush").length),
    lostMessages: unsent + withoutMessage * 2,
  };
}

/** Waits (bounded) until every session is at both destinations and every message went out. */
async function settlePushes(athletes: PushAthlete[], ms: number): Promise<PushOutcome> {
  try {
    await waitFor("every session pushed and every message sent", ms, async () => {
      const o = await pushOutcome(athletes);
      return o.sessions > 0 && o.lostSessions === 0 && o.lostMessages === 0;
    });
  } catch {
    // reported below as lost
  }
  return pushOutcome(athletes);
}

function reportPushes(fault: string, athletes: PushAthlete[], o: PushOutcome, extra = ""): void {
  console.log(
    `fault ${fault}: ${athletes.length} athletes, ${o.sessions} sessions; ` +
      `Garmin created ${o.garminCreated} workouts, twins ${o.garminTwins}, scheduled twice ${o.garminScheduledTwice}; ` +
      `intervals.icu holds ${o.intervalsEvents} events, upserted again ${o.intervalsResent}; ` +
      `sessions lost ${o.lostSessions}; ` +
      `mail ${o.mailsReceived} for ${o.mailMessages} messages, sent twice ${o.mailsExtra}; ` +
      `push ${o.pushesReceived} for ${o.pushMessages} messages, sent twice ${o.pushesExtra}; ` +
      `messages lost ${o.lostMessages}` +
      (extra ? `; ${extra}` : ""),
  );
}

describe("faults", () => {
  it("kill -9 of a worker in the middle of imports, pushes and sends: every event imported once, nothing lost, only a send in flight at the kill made again", async () => {
    sim.mode = "ok";
    sim.latencyMs = 150;
    garmin.latencyMs = 250;
    intervals.latencyMs = 250;
    pushService.latencyMs = 1_000;
    const pushers = group("kill");
    const addresses = new Set(pushers.map((a) => mailOf(a.id)));
    const mailsOut = () => smtp.mails.filter((m) => m.to.some((t) => addresses.has(t))).length;
    const tokens = new Set(pushers.map((a) => garminToken(a.id)));
    const garminCalls = () => garmin.requests.filter((r) => tokens.has(r.who)).length;
    // First plans for the pushers (every session to Garmin and intervals.icu, a message each),
    // and, while those go out, a burst of imports for the other athletes.
    await importAndReplan(pushers);
    await sleep(1_000);
    const events = newEvents(80);
    const ids = events.map((e) => e.id);
    let result: DriveResult | undefined;
    const driving = driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, perSecond: 20 }).then(
      (r) => {
        result = r;
        return r;
      },
    );
    // Strike while webhooks still arrive and imports flow, some plan mail is out but not all,
    // and push jobs are queued or running; once the burst is sent, imports and pushes suffice.
    const at = await withQueue("destinations", (destinations) =>
      waitFor("imports, pushes and sends under way", 60_000, async () => {
        if ((await outcome(ids)).imported < 10) return undefined;
        const busy = (await destinations.getActiveCount()) + (await destinations.getWaitingCount());
        const mails = mailsOut();
        const midSends = result === undefined && mails > 0 && mails < pushers.length;
        return busy > 0 && (midSends || result !== undefined)
          ? { mails, garminCalls: garminCalls(), busy }
          : undefined;
      }),
    );
    const victim = workers.find(running);
    const killedAt = Date.now();
    victim?.proc.kill("SIGKILL");
    await victim?.exited;
    const sent = result ?? (await driving);
    // A supervisor would start it again; the other worker takes the killed one's jobs when their locks lapse.
    const replacement = startWorker("work-1b");
    await replacement.waitLog("workers running", 60_000);
    const o = await settle(sent.acknowledged, 90_000);
    const p = await settlePushes(pushers, 60_000);
    const creating = garmin.requests.filter(
      (r) =>
        tokens.has(r.who) &&
        r.method === "POST" &&
        r.at <= killedAt &&
        (r.answeredAt ?? killedAt) >= killedAt,
    ).length;
    report("kill-9-worker", sent, o, `refetched ${o.refetched}`);
    reportPushes(
      "kill-9-worker-pushes",
      pushers,
      p,
      `killed with ${at.mails} of ${pushers.length} mails out, ${at.garminCalls} Garmin calls made, ${creating} Garmin creates in flight, ${at.busy} push jobs queued or running` +
        (p.mailsTwice.length + p.pushesTwice.length > 0
          ? `; sent again, first copies out at (ms from the kill): mails ${p.mailsTwice.map((t) => (t.at[0] ?? 0) - killedAt).join(" ") || "none"} (same Message-ID each), pushes ${p.pushesTwice.map((t) => (t.at[0] ?? 0) - killedAt).join(" ") || "none"} (same Topic each)`
          : ""),
    );
    expect(sent.acknowledged.size, tails()).toBe(events.length);
    expectEachEventOnce(o);
    expect(p.lostSessions, tails()).toBe(0);
    expect(p.lostMessages, tails()).toBe(0);
    // What a crash can still repeat: a send in flight when the worker died. Garmin has no
    // idempotency key: a workout or schedule it made for a request whose caller died (or
    // whose answer the caller had no time to record) is made again by the retry. A message
    // the provider took before the worker recorded it goes out again, as the same message
    // (one Message-ID, one Topic) that mail stores and push services fold into one. Nothing
    // else may be doubled: not a send finished earlier, not one made after the kill.
    const inFlight = (r: { at: number; answeredAt: number | null }) =>
      r.at <= killedAt && (r.answeredAt === null || r.answeredAt >= killedAt - 1_000);
    const garminInFlight = (path: string) =>
      garmin.requests.filter(
        (r) => tokens.has(r.who) && r.method === "POST" && r.path === path && inFlight(r),
      ).length;
    // The first copy reached the simulator around the kill (its last bytes may be parsed just after).
    const around = (t: number) => Math.abs(t - killedAt) <= 1_000;
    expect(p.garminTwins).toBeLessThanOrEqual(garminInFlight("/workoutportal/workout/v2"));
    expect(p.garminScheduledTwice).toBeLessThanOrEqual(garminInFlight("/training-api/schedule/"));
    expect(p.mailsExtra).toBe(p.mailsTwice.reduce((n, t) => n + t.at.length - 1, 0));
    for (const t of p.mailsTwice)
      expect(
        [t.at.length, around(t.at[0] ?? 0)],
        `${t.messageId} at ${t.at.map((x) => x - killedAt)} ms`,
      ).toEqual([2, true]);
    expect(p.pushesExtra).toBe(p.pushesTwice.reduce((n, t) => n + t.at.length - 1, 0));
    for (const t of p.pushesTwice)
      expect(
        [t.at.length, around(t.at[0] ?? 0)],
        `${t.topic} at ${t.at.map((x) => x - killedAt)} ms`,
      ).toEqual([2, true]);
  }, 240_000);

  it("SIGTERM of a worker during load: jobs in flight finish or return to the queue", async () => {
    sim.latencyMs = 150;
    const events = newEvents(80);
    const driving = driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, perSecond: 40 });
    await waitFor(
      "imports under way",
      30_000,
      async () => (await outcome(events.map((e) => e.id))).imported >= 30,
    );
    const victim = workers.find(running);
    victim?.proc.kill("SIGTERM");
    const code = await Promise.race([victim?.exited, sleep(20_000).then(() => "still running")]);
    const sent = await driving;
    const replacement = startWorker("work-2b");
    await replacement.waitLog("workers running", 60_000);
    const o = await settle(sent.acknowledged, 45_000);
    report("sigterm-worker", sent, o, `worker exit code ${code}`);
    expect(code, tails()).toBe(0);
    expect(sent.acknowledged.size).toBe(events.length);
    expectEachEventOnce(o);
  }, 150_000);

  it("Redis stopped and restarted (empty) while webhooks arrive: 200 or 503, every acknowledged event imported", async () => {
    sim.latencyMs = 50;
    const events = newEvents(90);
    const driving = driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, perSecond: 30 });
    await sleep(1_500);
    await redis.stop();
    await sleep(2_500);
    await redis.start();
    const sent = await driving;
    const o = await settle(sent.acknowledged, 60_000);
    const other = [...sent.statuses.keys()].filter((s) => s !== 200 && s !== 503);
    report("redis-restart", sent, o, `answered 503 ${sent.refused} times`);
    expect(other, tails()).toEqual([]);
    expect(sent.acknowledged.size).toBe(events.length);
    expectEachEventOnce(o);
  }, 120_000);

  it("Strava answering 5xx, then timing out: backoff without a hot loop, no lost work", async () => {
    sim.latencyMs = 0;
    const events = newEvents(24);
    const ids = events.map((e) => e.id);
    const getsOf = () => ids.reduce((s, id) => s + (sim.gets.get(id) ?? 0), 0);
    const windowStart = sim.times.length;
    sim.mode = "5xx";
    const sent = await driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, concurrency: 8 });
    await waitFor("first attempts", 15_000, async () => ids.every((id) => (sim.gets.get(id) ?? 0) >= 1));
    // The job's backoff is 5 s, then 10 s: the retries meet a Strava that hangs (STRAVA_REQUEST_TIMEOUT_MS 1.5 s).
    await sleep(2_000);
    const after5xx = getsOf();
    sim.mode = "hang";
    await sleep(5_000);
    sim.mode = "ok";
    const okFrom = Date.now();
    const o = await settle(sent.acknowledged, 60_000);
    // While failing: a hot loop would show as many GETs in one second (after it, the due retries may bunch).
    const busiest = busiestSecond(sim.times.slice(windowStart).filter((t) => t < okFrom));
    const total = getsOf();
    report(
      "strava-5xx-then-timeout",
      sent,
      o,
      `Strava GETs ${total} for ${ids.length} activities, busiest second while failing ${busiest}`,
    );
    // No hot loop: a failed GET is not retried before the backoff, so each activity
    // saw one GET in the 5xx phase and a handful in all.
    expect(after5xx).toBe(ids.length);
    expect(total).toBeLessThanOrEqual(ids.length * 4);
    expect(busiest).toBeLessThanOrEqual(ids.length);
    expect(o.lost, tails()).toBe(0);
    expect(o.duplicated).toBe(0);
  }, 120_000);
  it("Strava answering 429: jobs wait for the next window without a call, and none is lost", async () => {
    sim.latencyMs = 0;
    const events = newEvents(20);
    const ids = events.map((e) => e.id);
    const getsOf = () => ids.reduce((s, id) => s + (sim.gets.get(id) ?? 0), 0);
    sim.mode = "429";
    const sent = await driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, concurrency: 8 });
    const connection = new Redis(redis.url, { maxRetriesPerRequest: null });
    const strava = new Queue("strava", { connection, prefix: env.REDIS_PREFIX ?? "" });
    try {
      // The first 429 spends the 15-minute window (recorded in Redis for every process): each later
      // job waits for the window without calling Strava, so no event is asked for twice.
      await waitFor("every event parked until the window reopens", 20_000, async () => {
        const delayed = await strava.getDelayedCount();
        return delayed >= ids.length && (await outcome(ids)).imported === 0;
      });
      await sleep(2_000);
      const during429 = getsOf();
      const parked = await strava.getDelayedCount();
      // The window reopening, without waiting for the quarter hour: Strava answers again, the
      // recorded budget is forgotten and the waiting jobs are due now.
      sim.mode = "ok";
      await connection.del(`${env.REDIS_PREFIX}:strava:rate-budget`);
      await strava.promoteJobs();
      const o = await settle(sent.acknowledged, 45_000);
      report(
        "strava-429",
        sent,
        o,
        `Strava GETs while limited ${during429} for ${ids.length} activities, ${parked} jobs waited for the window`,
      );
      expect(during429).toBeLessThanOrEqual(ids.length);
      expect(parked).toBeGreaterThanOrEqual(ids.length);
      expect(o.lost, tails()).toBe(0);
      expect(o.duplicated).toBe(0);
    } finally {
      await strava.close();
      connection.disconnect();
    }
  }, 120_000);
  it("Garmin, intervals.icu and the push service answering 5xx, then not answering: backoff, no hot loop, nothing lost", async () => {
    const athletes = group("outage");
    sim.latencyMs = 0;
    for (const s of [garmin, intervals, pushService]) {
      s.latencyMs = 0;
      s.mode = "5xx";
    }
    const tokens = new Set(athletes.map((a) => garminToken(a.id)));
    const icu = new Set(athletes.map((a) => intervalsAthlete(a.id)));
    const who = new Set(athletes.map((a) => String(a.id)));
    const mine = () => [
      ...garmin.requests.filter((r) => tokens.has(r.who)),
      ...intervals.requests.filter((r) => icu.has(r.who)),
    ];
    try {
      await importAndReplan(athletes);
      await waitFor("every push and message tried once", 60_000, async () =>
        athletes.every(
          (a) =>
            garmin.requests.some((r) => r.who === garminToken(a.id)) &&
            intervals.requests.some((r) => r.who === intervalsAthlete(a.id)) &&
            pushService.requests.some((r) => r.who === String(a.id)),
        ),
      );
      // Inside the push jobs' first backoff (10 s): nothing is asked again.
      await sleep(3_000);
      const during5xx = mine().length;
      // The retries meet a Garmin and an intervals.icu that never answer
      // (DESTINATION_REQUEST_TIMEOUT_MS 1.5 s); the push service is back.
      garmin.mode = "hang";
      intervals.mode = "hang";
      pushService.mode = "ok";
      const hangFrom = Date.now();
      await waitFor("every push retried into the silence", 40_000, async () =>
        [...tokens, ...icu].every((t) => mine().some((r) => r.who === t && r.at >= hangFrom)),
      );
      const failing = mine().length;
      garmin.mode = "ok";
      intervals.mode = "ok";
      const okFrom = Date.now();
      const o = await settlePushes(athletes, 90_000);
      const requests = mine();
      // Per athlete and destination, the gap between a failed call and the next one: the backoff.
      const gaps: number[] = [];
      for (const w of [...tokens, ...icu]) {
        const times = requests.filter((r) => r.who === w).map((r) => r.at);
        for (let i = 1; i < Math.min(times.length, 3); i++) gaps.push((times[i] ?? 0) - (times[i - 1] ?? 0));
      }
      // While failing: a hot loop would show as many calls in one second.
      const busiest = busiestSecond(requests.filter((r) => r.at < okFrom).map((r) => r.at));
      reportPushes(
        "outbound-5xx-then-timeout",
        athletes,
        o,
        `calls while failing ${failing} (${during5xx} in the 5xx phase) for ${athletes.length * 2} push jobs, shortest retry gap ${Math.min(...gaps)} ms, busiest second while failing ${busiest}, push service tried ${pushService.requests.filter((r) => who.has(r.who)).length} times`,
      );
      // No hot loop: one call per job attempt (the first call fails the attempt), then the backoff.
      expect(during5xx).toBe(athletes.length * 2);
      expect(failing).toBe(athletes.length * 4);
      expect(Math.min(...gaps)).toBeGreaterThanOrEqual(9_000);
      expect(busiest).toBeLessThanOrEqual(athletes.length * 2);
      expect(o.lostSessions, tails()).toBe(0);
      expect(o.lostMessages, tails()).toBe(0);
      expect(o.garminTwins).toBe(0);
      expect(o.garminScheduledTwice).toBe(0);
      // The mail went out on the first attempt, the push failed: the retry sends the push only.
      expect(o.mailsExtra).toBe(0);
      expect(o.pushesExtra).toBe(0);
    } finally {
      for (const s of [garmin, intervals, pushService]) s.mode = "ok";
    }
  }, 200_000);

  it("Garmin and intervals.icu answering 429 with Retry-After: nothing asked again before it, none lost", async () => {
    const athletes = group("limited");
    sim.latencyMs = 0;
    const RETRY_AFTER_S = 4;
    for (const s of [garmin, intervals]) {
      s.latencyMs = 0;
      s.retryAfterS = RETRY_AFTER_S;
      s.mode = "429";
    }
    const owners = [
      ...athletes.map((a) => ({ sim: garmin as HttpSim, who: garminToken(a.id) })),
      ...athletes.map((a) => ({ sim: intervals as HttpSim, who: intervalsAthlete(a.id) })),
    ];
    const since = Date.now();
    try {
      await importAndReplan(athletes);
      await waitFor("every push limited once", 60_000, async () =>
        owners.every(({ sim: s, who }) => s.requests.some((r) => r.who === who && r.at >= since)),
      );
      // The window has not passed for any of them yet: the limited API is back, the jobs still wait.
      for (const s of [garmin, intervals]) s.mode = "ok";
      const o = await settlePushes(athletes, 60_000);
      // Each athlete's next call to a destination comes no sooner than its Retry-After.
      const waited = owners.map(({ sim: s, who }) => {
        const [limited, next] = s.requests.filter((r) => r.who === who && r.at >= since);
        return (next?.at ?? Number.POSITIVE_INFINITY) - (limited?.at ?? 0);
      });
      const limitedCalls = owners.filter(({ sim: s, who }) =>
        s.requests.some((r) => r.who === who && r.status === 429),
      ).length;
      const answered429 = [garmin, intervals].reduce(
        (n, s) => n + s.requests.filter((r) => r.at >= since && r.status === 429).length,
        0,
      );
      reportPushes(
        "outbound-429",
        athletes,
        o,
        `${limitedCalls} push jobs answered 429 (Retry-After ${RETRY_AFTER_S} s) ${answered429} times, next call after ${Math.min(...waited)} ms at the soonest`,
      );
      expect(limitedCalls).toBe(owners.length);
      // One call each while limited: the job waits instead of asking again.
      expect(answered429).toBe(owners.length);
      // The worker reads its clock before the call; the simulator stamps the arrival a little later.
      expect(Math.min(...waited)).toBeGreaterThanOrEqual(RETRY_AFTER_S * 1000 - 500);
      expect(o.lostSessions, tails()).toBe(0);
      expect(o.lostMessages, tails()).toBe(0);
      expect(o.garminTwins).toBe(0);
      expect(o.mailsExtra).toBe(0);
      expect(o.pushesExtra).toBe(0);
    } finally {
      for (const s of [garmin, intervals]) s.mode = "ok";
    }
  }, 120_000);
  // Last: it has been seen to take the workers down (see README, Faults), which would fail what follows.
  it("Postgres stopped and restarted: webhooks answer 503 quickly, /readyz fails and recovers, nothing half written", async () => {
    sim.latencyMs = 50;
    expect(await readyz()).toBe(200);
    const events = newEvents(90);
    const driving = driveWebhooks(webhook(), events, { subscriptionId: SUBSCRIPTION_ID, perSecond: 30 });
    await sleep(1_500);
    await pg.stop();
    const down = await waitFor("/readyz failing", 10_000, async () => {
      const s = await readyz();
      return s !== 200 ? s : undefined;
    });
    await sleep(2_000);
    await pg.start();
    const recovered = await waitFor("/readyz recovering", 30_000, async () => (await readyz()) === 200);
    const sent = await driving;
    const o = await settle(sent.acknowledged, 60_000);
    const other = [...sent.statuses.keys()].filter((s) => s !== 200 && s !== 503);
    report(
      "postgres-restart",
      sent,
      o,
      `answered 503 ${sent.refused} times (slowest ${sent.slowest503} ms), /readyz ${down} then 200`,
    );
    expect(recovered).toBe(true);
    // Recovered without a restart: every process that was running still is (postgres.js 3.4.9 can
    // throw from a timer when a connection drops mid-write, porsager/postgres#1154, and take a worker down).
    expect(
      [serve, ...workers].filter((w) => w.proc.exitCode !== null && w.proc.exitCode !== 0).map((w) => w.name),
      tails(),
    ).toEqual([]);
    expect(other, tails()).toEqual([]);
    expect(sent.refused).toBeGreaterThan(0);
    // The bound: a 503 comes fast enough for the sender to retry (WEBHOOK_STORE_TIMEOUT_MS is 800).
    expect(sent.slowest503).toBeLessThan(3_000);
    expect(sent.acknowledged.size).toBe(events.length);
    expect(o.stored).toBe(events.length);
    expectEachEventOnce(o);
  }, 120_000);
});
