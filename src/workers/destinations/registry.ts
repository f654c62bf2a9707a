// The workout destinations in effect, and the job ids of their pushes.
import type { DestinationName } from "../../db/repos/workout-pushes.ts";
import { enqueue, type Queues, rowJobId } from "../queues.ts";
import type { WorkoutDestination } from "./destination.ts";
import { garminDestination } from "./garmin.ts";
import { refreshingGarminTokens } from "./garmin-tokens.ts";
import { intervalsDestination } from "./intervals.ts";

/** Garmin's tokens come fresh from Garmin-in's refresh (stored ones as they are when Garmin is not configured). */
export const WORKOUT_DESTINATIONS: readonly WorkoutDestination[] = [
  garminDestination(refreshingGarminTokens),
  intervalsDestination,
];

/** `push-<destination>-<install id>-<athleteId>-<planVersionId>`: one push per plan version and destination. */
export function pushJobId(
  queues: Pick<Queues, "installId">,
  destination: DestinationName,
  athleteId: number,
  planVersionId: number,
): string {
  return rowJobId(queues, `push-${destination}`, `${athleteId}-${planVersionId}`);
}

/**
 * Linking a destination pushes every future session of the current plan at
 * once. The id carries the moment of linking, so linking again pushes again.
 */
export async function queueLinkPush(
  queues: Queues,
  athleteId: number,
  destination: DestinationName,
  at: Date,
): Promise<string | undefined> {
  return enqueue(
    queues,
    "push-workouts",
    { athleteId, destination, planVersionId: null },
    { jobId: rowJobId(queues, `push-${destination}`, `${athleteId}-linked-${at.getTime()}`) },
  );
}
