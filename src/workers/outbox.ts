// Follow-up work from the transactional outbox (src/db/schema/outbox.ts): a
// settings change or an override stores its re-plan (and schedule changes) in its
// own transaction; the request then queues them at once, best effort, and the
// sweep queues whatever Redis did not take. Queuing a row twice is harmless: a
// re-plan's job id is the row's key, and the schedule follow-ups read the stored
// settings and upsert idempotent schedulers.
import { z } from "zod";
import {
  markFollowUpFailed,
  markFollowUpsDone,
  type OutboxEntry,
  pendingFollowUps,
  pruneDoneFollowUps,
} from "../db/repos/outbox.ts";
import { loggableError } from "../observability/errors.ts";
import { replanCause } from "../plan/cause.ts";
import { followStoredSettings } from "./athlete-schedules.ts";
import type { WorkerDeps } from "./context.ts";
import { requestEmailNotice } from "./notify/request.ts";
import { requestReplan } from "./replan-trigger.ts";

export const followUpSchema = z.discriminatedUnion("type", [
  /** re-plan the athlete, telling them why */
  z.object({ type: z.literal("replan"), cause: replanCause }).strict(),
  /** the running-plan import follows the stored URL (import now and every 6 h, or no schedule) */
  z.object({ type: z.literal("running-plan-url") }).strict(),
  /** the running plan is read again (the time zone moved its all-day entries) */
  z.object({ type: z.literal("running-plan-reimport") }).strict(),
  /** the busy-calendar import follows the stored URL (import now and every 6 h, or no schedule) */
  z.object({ type: z.literal("busy-calendar-url") }).strict(),
  /** the daily roll-forward follows the stored time zone */
  z.object({ type: z.literal("roll-forward") }).strict(),
  /** the confirmation link goes to the athlete's new address */
  z.object({ type: z.literal("email-confirmation") }).strict(),
]);
export type FollowUp = z.infer<typeof followUpSchema>;

export type OutboxDeps = Pick<WorkerDeps, "db" | "queues" | "config" | "now" | "logger">;

/** Rows the sweep takes per query, and at most per run (the next run takes the rest). */
const PAGE = 200;
const MAX_PER_SWEEP = 2_000;
const DONE_KEPT_MS = 86_400_000;

/** Wait before a failed row is tried again: 30 s doubling to 15 min. */
export function retryDelayMs(attempts: number): number {
  return Math.min(30_000 * 2 ** Math.min(attempts, 10), 15 * 60_000);
}

class UnreadableFollowUp extends Error {
  override name = "UnreadableFollowUp";
}

async function queueFollowUp(deps: OutboxDeps, entry: OutboxEntry): Promise<void> {
  const parsed = followUpSchema.safeParse(entry.payload);
  if (!parsed.success) throw new UnreadableFollowUp(`unreadable follow-up: ${parsed.error.message}`);
  const followUp = parsed.data;
  if (followUp.type === "replan") {
    await requestReplan(
      deps.queues,
      entry.athleteId,
      followUp.cause,
      deps.config.replan.debounceMs,
      `replan-${entry.key}`,
    );
  } else if (followUp.type === "email-confirmation") {
    await requestEmailNotice(deps.queues, { athleteId: entry.athleteId, kind: "confirm-address" }, entry.key);
  } else {
    await followStoredSettings(deps.db, deps.queues, entry.athleteId, followUp.type, deps.now().getTime());
  }
}

/**
 * Queues follow-ups just committed, in order, and marks those queued done. Never
 * throws: the change is stored and its follow-ups are safe in the outbox, so a
 * Redis (or Postgres) failure here is logged and left to the sweep.
 */
export async function queueFollowUps(deps: OutboxDeps, entries: readonly OutboxEntry[]): Promise<void> {
  const queued: number[] = [];
  try {
    for (const entry of entries) {
      await queueFollowUp(deps, entry);
      queued.push(entry.id);
    }
  } catch (err) {
    deps.logger.warn(
      {
        err: loggableError(err).message,
        athleteId: entries[0]?.athleteId,
        pending: entries.length - queued.length,
      },
      "follow-up work not queued yet; the outbox sweep will queue it",
    );
  }
  try {
    await markFollowUpsDone(deps.db, queued, deps.now());
  } catch (err) {
    // The sweep will queue them again: harmless, see above.
    deps.logger.warn({ err: loggableError(err).message }, "queued follow-ups not marked done");
  }
}

/**
 * Queues follow-ups that are not done, oldest first: those stored at least
 * `minAgeMs` ago (a request still queuing its own need not be raced) and due
 * (a failed row waits `retryDelayMs` unless `ignoreBackoff`). Each row is tried
 * once per run, so rows that keep failing never hold back the ones after them.
 * Also prunes rows done more than a day ago.
 */
export async function sweepOutbox(
  deps: OutboxDeps,
  options: { minAgeMs: number; ignoreBackoff: boolean },
): Promise<{ queued: number; failed: number; pruned: number }> {
  const now = deps.now();
  const createdBefore = new Date(now.getTime() - options.minAgeMs);
  let queued = 0;
  let failed = 0;
  let afterId = 0;
  while (queued + failed < MAX_PER_SWEEP) {
    const page = await pendingFollowUps(deps.db, {
      now,
      createdBefore,
      ignoreBackoff: options.ignoreBackoff,
      afterId,
      limit: PAGE,
    });
    for (const entry of page) {
      afterId = entry.id;
      try {
        await queueFollowUp(deps, entry);
        await markFollowUpsDone(deps.db, [entry.id], deps.now());
        queued++;
      } catch (err) {
        failed++;
        const message = loggableError(err).message;
        // A row no code can read will not become readable: give up on it, loudly.
        const giveUp = err instanceof UnreadableFollowUp;
        const at = deps.now();
        await markFollowUpFailed(
          deps.db,
          entry.id,
          message,
          at,
          giveUp ? null : new Date(at.getTime() + retryDelayMs(entry.attempts)),
        );
        deps.logger[giveUp ? "error" : "warn"](
          { athleteId: entry.athleteId, outboxId: entry.id, attempts: entry.attempts + 1, err: message },
          giveUp ? "follow-up dropped" : "follow-up not queued; will retry",
        );
      }
    }
    if (page.length < PAGE) break;
  }
  const pruned = await pruneDoneFollowUps(deps.db, new Date(now.getTime() - DONE_KEPT_MS), 1_000);
  if (queued + failed > 0) deps.logger.info({ queued, failed, pruned }, "outbox swept");
  return { queued, failed, pruned };
}

export interface OutboxSweeper {
  /** sweep the whole outbox now, backoff or not; a trigger during a sweep asks for one more */
  trigger: (reason: string) => void;
  /** resolves once no sweep is running and none will start */
  stop: () => Promise<void>;
}

/**
 * The sweep a worker process runs when it starts and whenever Redis may have
 * lost what it held (a connection ready again, Redis back empty): follow-ups
 * stored while Redis was away are queued as soon as it is back, whether or not
 * it kept the minutely sweep's scheduler. Sweeps never overlap; a failed one
 * (Postgres away) is logged and left to the next trigger or the minutely sweep.
 */
export function keepOutboxSwept(deps: OutboxDeps): OutboxSweeper {
  let running: Promise<void> | null = null;
  let again: string | null = null;
  let stopped = false;
  const run = (reason: string): void => {
    if (stopped) return;
    if (running) {
      again = reason;
      return;
    }
    running = sweepOutbox(deps, { minAgeMs: 0, ignoreBackoff: true })
      .then(
        () => {},
        (err: unknown) =>
          deps.logger.warn({ reason, err: loggableError(err).message }, "outbox sweep failed"),
      )
      .finally(() => {
        running = null;
        const next = again;
        again = null;
        if (next !== null) run(next);
      });
  };
  return {
    trigger: run,
    stop: async () => {
      stopped = true;
      while (running) await running;
    },
  };
}
