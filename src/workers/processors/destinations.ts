import type { QueueProcessor } from "../context.ts";
import { pushWorkouts } from "../destinations/push.ts";
import { WORKOUT_DESTINATIONS } from "../destinations/registry.ts";

export const destinationsProcessor: QueueProcessor<"destinations"> = {
  "push-workouts": (payload, deps, ctx) => pushWorkouts(WORKOUT_DESTINATIONS, payload, deps, ctx),
};
