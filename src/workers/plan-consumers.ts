import type { WorkerDeps } from "./context.ts";
import { workoutDestinationsConsumer } from "./destinations/consumer.ts";
import type { JobPayload } from "./jobs.ts";
import { planChangeNotifications } from "./notify/consumer.ts";

export type PlanChangedEvent = JobPayload<"plan-changed">;

/**
 * Something outside the plan that follows it: a workout destination (Garmin
 * Training API, intervals.icu) or a notification channel (email, web push).
 * Each must be idempotent per (planVersionId, its own key), because the
 * plan-changed job retries as a whole. The calendar feed needs no consumer: it
 * reads the stored plan directly.
 */
export interface PlanChangeConsumer {
  name: string;
  consume(event: PlanChangedEvent, deps: WorkerDeps): Promise<void>;
}

/** The consumers in effect. Destinations and notifications register here as they are built. */
export const PLAN_CHANGE_CONSUMERS: readonly PlanChangeConsumer[] = [
  planChangeNotifications,
  // queues one push job per linked destination and returns: a slow destination holds up nothing here
  workoutDestinationsConsumer,
];
