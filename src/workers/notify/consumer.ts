import type { PlanChangeConsumer } from "../plan-consumers.ts";
import { requestNotification } from "./request.ts";

/** Email and web push: each stored plan version asks for a (coalesced) message. */
export const planChangeNotifications: PlanChangeConsumer = {
  name: "notifications",
  consume: (event, deps) =>
    requestNotification(deps.queues, event.athleteId, event.planVersionId, deps.config.notify.coalesceMs),
};
