// How many confirmation mails an athlete may ask for: each one is a message to an
// address the athlete typed, so the count is per athlete, per hour, whichever way
// it was asked for (PATCH /api/settings, the /notifications form, its "send it
// again" button). Counted in Redis under the install's key prefix in a fixed
// window on the verb's clock, so every `serve` process shares one count. A Redis
// that cannot be reached lets the mail through: the change itself is stored in
// Postgres, and its follow-up waits in the outbox anyway.
import type { Redis } from "ioredis";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";

const HOUR = 3_600_000;

/** Counts one confirmation mail for the athlete; throws PlanError "rate_limited" over the hour's limit. */
export async function countConfirmationMail(
  deps: Pick<PlanDeps, "config" | "queues" | "logger" | "now">,
  athleteId: number,
): Promise<void> {
  const limit = deps.config.rateLimits.confirmMailPerHour;
  if (limit <= 0) return;
  const nowMs = deps.now().getTime();
  const window = Math.floor(nowMs / HOUR);
  const key = `${deps.config.redis.prefix}:ratelimit:confirm-mail:${athleteId}:${window}`;
  let count: number;
  try {
    // The queues' connection: the ioredis client createQueues gave BullMQ, which shares it.
    const redis = (await deps.queues.replan.getBackend().client) as unknown as Redis;
    const replies = await redis.multi().incr(key).pexpire(key, HOUR).exec();
    count = Number(replies?.[0]?.[1]);
  } catch (err) {
    deps.logger.warn(
      { err: (err as Error).message },
      "confirmation mail limit not checked: Redis unreachable",
    );
    return;
  }
  if (!Number.isFinite(count) || count <= limit) return;
  const retryAfterS = Math.max(1, Math.ceil(((window + 1) * HOUR - nowMs) / 1000));
  throw new PlanError(
    "rate_limited",
    `too many confirmation mails this hour; try again in ${retryAfterS} s`,
    {
      retryAfterS,
    },
  );
}

/** The seconds a "rate_limited" refusal asks to wait, for a Retry-After header; null for any other error. */
export function retryAfterOf(err: unknown): number | null {
  if (!(err instanceof PlanError) || err.code !== "rate_limited") return null;
  const s = (err.details as { retryAfterS?: unknown } | undefined)?.retryAfterS;
  return typeof s === "number" ? s : null;
}
