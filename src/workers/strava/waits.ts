// How a Strava job meets Strava's refusals: a rate limit (429, or our budget's
// headroom) moves the job to delayed until the window reopens, using up no
// attempt; transient failures retry with the job's backoff; whatever no retry
// can fix fails the job at once.
import { UnrecoverableError } from "bullmq";
import { StravaError, StravaRateLimitedError } from "../../integrations/strava/errors.ts";
import type { JobHandler } from "../context.ts";
import type { JobName } from "../jobs.ts";

export function withStravaWaits<N extends JobName>(handler: JobHandler<N>): JobHandler<N> {
  return async (payload, deps, ctx) => {
    try {
      return await handler(payload, deps, ctx);
    } catch (err) {
      if (err instanceof StravaRateLimitedError && ctx.delayUntil) {
        ctx.logger.info(
          { retryAt: new Date(err.retryAt).toISOString(), window: err.window, fromStrava: err.fromStrava },
          "Strava rate limit: job waits for the next window",
        );
        throw await ctx.delayUntil(err.retryAt);
      }
      if (err instanceof StravaError && !err.retryable) throw new UnrecoverableError(err.message);
      throw err;
    }
  };
}
