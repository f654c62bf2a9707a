import { markPublished } from "../../db/repos/plans.ts";
import type { QueueProcessor } from "../context.ts";
import { PLAN_CHANGE_CONSUMERS } from "../plan-consumers.ts";

export const planEventsProcessor: QueueProcessor<"plan-events"> = {
  "plan-changed": async (event, deps, ctx) => {
    for (const consumer of PLAN_CHANGE_CONSUMERS) {
      await consumer.consume(event, deps);
      ctx.logger.info(
        { athleteId: event.athleteId, version: event.version, consumer: consumer.name },
        "plan change handed on",
      );
    }
    await markPublished(deps.db, event.planVersionId, deps.now());
    return { consumers: PLAN_CHANGE_CONSUMERS.length, changes: event.changes.length };
  },
};
