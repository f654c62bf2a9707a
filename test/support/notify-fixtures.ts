// Plan versions as a re-plan stores them (sessions, and the diff's sentences), an
// athlete with a confirmed address, and the notify jobs run the way a worker runs
// them, for the notification tests.
import { randomUUID } from "node:crypto";
import { afterAll } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { confirmEmail, newestVersion, setEmail } from "../../src/db/repos/notifications.ts";
import { insertPlanVersionOn, type NewPlanVersion, type StoredSession } from "../../src/db/repos/plans.ts";
import type { JobContext, WorkerDeps } from "../../src/workers/context.ts";
import { JOBS } from "../../src/workers/jobs.ts";
import { notifyProcessor } from "../../src/workers/processors/notify.ts";
import { startMailSink } from "./mail-sink.ts";
import { startPushEndpoint } from "./push-endpoint.ts";
import { type TestEnv, useTestEnv } from "./test-env.ts";

/**
 * This file's test env, with mail going to a local SMTP sink and pushes allowed to
 * a local push service (a private address, hence OUTBOUND_ALLOW_PRIVATE); both
 * are closed after the file.
 */
export async function useNotifyEnv() {
  const sink = await startMailSink();
  const service = await startPushEndpoint();
  afterAll(async () => {
    await sink.close();
    await service.close();
  });
  const env = await useTestEnv({
    SMTP_URL: sink.url,
    PUBLIC_URL: "https://runstrong.example",
    OUTBOUND_ALLOW_PRIVATE: "true",
  });
  return { env, sink, service };
}

/** A diff sentence as the planner writes it. */
export const MOVED =
  "Strength A moved from Wed 18:00 to Thu 18:00: Wednesday's 07:00 run was a quality session";

// biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers by path
type JsonBody = Record<string, any>;
export const json = async (res: Response): Promise<JsonBody> => (await res.json()) as JsonBody;

export function session(
  key: string,
  start: string,
  minutes = 45,
  letter: StoredSession["session"] = "A",
): StoredSession {
  const startAt = new Date(start);
  return {
    sessionKey: key,
    session: letter,
    phase: "base",
    startAt,
    endAt: new Date(startAt.getTime() + minutes * 60_000),
    exercises: [],
    reasons: [],
    status: "planned",
    pinned: false,
    sequence: 0,
  };
}

export const newKey = () => randomUUID();

/** Stores the athlete's next plan version with these sessions and diff sentences. */
export async function storeVersion(
  db: Database,
  athleteId: number,
  sessions: StoredSession[],
  sentences: string[],
): Promise<{ id: number; version: number }> {
  return db.transaction(async (tx) => {
    const base = (await newestVersion(tx, athleteId))?.version ?? 0;
    return insertPlanVersionOn(tx, base, {
      athleteId,
      windowFrom: "2026-11-30",
      windowTo: "2026-12-13",
      cause: { type: "settings", fields: ["availability"] } as unknown as NewPlanVersion["cause"],
      diff: sentences.map((sentence) => ({
        type: "moved",
        session: "A",
        week: "2026-11-30",
        sentence,
      })) as unknown as NewPlanVersion["diff"],
      unplaced: [],
      sessions,
    });
  });
}

export async function confirmedAddress(db: Database, athleteId: number, email: string): Promise<void> {
  await setEmail(db, athleteId, email);
  await confirmEmail(db, athleteId, email, new Date("2026-11-01T00:00:00Z"));
}

export function workerDeps(env: TestEnv, now: () => Date, overrides: Partial<WorkerDeps> = {}): WorkerDeps {
  return { config: env.config, db: env.pool.db, queues: env.queues, logger: env.logger, now, ...overrides };
}

const ctx = (env: TestEnv): JobContext => ({ jobId: "test", attempt: 1, logger: env.logger });

/** Runs one job of the notify queue as a worker would: its payload parsed, its registered handler. */
export async function runJob(
  deps: WorkerDeps,
  env: TestEnv,
  name: "notify-plan-change" | "send-email-notice",
  data: unknown,
) {
  const handler = notifyProcessor[name] as (p: unknown, d: WorkerDeps, c: JobContext) => Promise<unknown>;
  return handler(JOBS[name].payload.parse(data), deps, ctx(env));
}

/** The notify queue's jobs of one athlete (waiting or delayed). */
export async function notifyJobs(env: TestEnv, athleteId: number) {
  const jobs = await env.queues.notify.getJobs(["waiting", "delayed", "prioritized"]);
  return jobs.filter((j) => j.data.athleteId === athleteId);
}
