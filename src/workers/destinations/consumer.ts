// Workout destinations as a plan-change consumer: a stored plan version queues one
// push job per destination the athlete linked, and returns. Each push then runs,
// fails and retries on its own (push.ts): a destination that is down never holds
// up another, nor the plan-changed job, nor the plan.

import type { PlanChangeConsumer } from "../plan-consumers.ts";
import { enqueue } from "../queues.ts";
import { pushJobId, WORKOUT_DESTINATIONS } from "./registry.ts";

export const workoutDestinationsConsumer: PlanChangeConsumer = {
  name: "workout-destinations",
  async consume(event, deps) {
    for (const destination of WORKOUT_DESTINATIONS) {
      if (!(await destination.linked(event.athleteId, deps))) continue;
      await enqueue(
        deps.queues,
        "push-workouts",
        { athleteId: event.athleteId, destination: destination.name, planVersionId: event.planVersionId },
        { jobId: pushJobId(deps.queues, destination.name, event.athleteId, event.planVersionId) },
      );
    }
  },
};
