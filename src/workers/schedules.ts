import type { Queues } from "./queues.ts";

/** Recurring jobs, registered idempotently at start-up with BullMQ job schedulers. */
export async function registerSchedules(queues: Queues): Promise<void> {
  await queues.maintenance.upsertJobScheduler(
    "prune-webhook-inbox-daily",
    { pattern: "17 3 * * *", tz: "UTC" },
    {
      name: "prune-webhook-inbox",
      data: {},
      opts: { attempts: 3, backoff: { type: "exponential", delay: 60_000 } },
    },
  );
}
