// The job that handles one stored Garmin notification item, built in one place.
import { JOBS, jobOptions, LIVE_PRIORITY } from "../jobs.ts";
import { type Queues, rowJobId } from "../queues.ts";

/** `garmin-event-<install id>-<inbox id>`: a repeated delivery of the same row is the same job. */
export function garminEventJobId(queues: Pick<Queues, "installId">, eventId: number): string {
  return rowJobId(queues, "garmin-event", eventId);
}

/** One job per stored item, in a single Redis round trip; ids already queued are left alone. */
export async function enqueueGarminEvents(queues: Queues, eventIds: readonly number[]): Promise<void> {
  const ids = [...new Set(eventIds)];
  if (ids.length === 0) return;
  const def = JOBS["garmin-event"];
  await queues[def.queue].addBulk(
    ids.map((eventId) => ({
      name: "garmin-event",
      data: def.payload.parse({ eventId }),
      opts: jobOptions("garmin-event", { jobId: garminEventJobId(queues, eventId), priority: LIVE_PRIORITY }),
    })),
  );
}
