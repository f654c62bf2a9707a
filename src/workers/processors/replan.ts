import type { QueueProcessor } from "../context.ts";
import { replanAthlete } from "../replan/replan-athlete.ts";

export const replanProcessor: QueueProcessor<"replan"> = {
  "replan-athlete": replanAthlete,
};
