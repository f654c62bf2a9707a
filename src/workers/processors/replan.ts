import type { QueueProcessor } from "../context.ts";

// The replan worker (issue 5) lands here once the planner is in; until then a
// replan job fails loudly rather than pretending.
export const replanProcessor: QueueProcessor<"replan"> = {
  "replan-athlete": async () => {
    throw new Error("replan worker not built yet");
  },
};
