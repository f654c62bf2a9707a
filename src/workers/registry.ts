import type { JobHandler, QueueProcessor } from "./context.ts";
import { JOBS, type JobName, type QueueName } from "./jobs.ts";
import { calendarProcessor } from "./processors/calendar.ts";
import { destinationsProcessor } from "./processors/destinations.ts";
import { garminProcessor } from "./processors/garmin.ts";
import { maintenanceProcessor } from "./processors/maintenance.ts";
import { notifyProcessor } from "./processors/notify.ts";
import { planEventsProcessor } from "./processors/plan-events.ts";
import { replanProcessor } from "./processors/replan.ts";
import { stravaProcessor } from "./processors/strava.ts";

/** Each queue's processor. The type makes a missing handler a compile error. */
export const PROCESSORS: { [Q in QueueName]: QueueProcessor<Q> } = {
  maintenance: maintenanceProcessor,
  replan: replanProcessor,
  strava: stravaProcessor,
  "plan-events": planEventsProcessor,
  calendar: calendarProcessor,
  notify: notifyProcessor,
  destinations: destinationsProcessor,
  garmin: garminProcessor,
};

export function handlerFor(queue: QueueName, name: string): JobHandler<JobName> | undefined {
  const def = (JOBS as Record<string, { queue: QueueName }>)[name];
  if (!def || def.queue !== queue) return undefined;
  return (PROCESSORS[queue] as Record<string, JobHandler<JobName>>)[name];
}
