import type { QueueProcessor } from "../context.ts";
import { handleGarminEvent } from "../garmin/handle-event.ts";
import { sweepGarminInbox } from "../garmin/sweep-inbox.ts";

export const garminProcessor: QueueProcessor<"garmin"> = {
  "garmin-event": handleGarminEvent,
  "requeue-garmin-inbox": async (payload, deps, ctx) => {
    const before = new Date(deps.now().getTime() - (payload.olderThanSeconds ?? 60) * 1000);
    return sweepGarminInbox(deps, { before, logger: ctx.logger });
  },
};
