import type { QueueProcessor } from "../context.ts";
import { handleGarminEvent } from "../garmin/handle-event.ts";

export const garminProcessor: QueueProcessor<"garmin"> = {
  "garmin-event": handleGarminEvent,
};
