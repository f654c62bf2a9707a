// Garmin Training API V2 as a workout destination: per session a STRENGTH_TRAINING
// workout and a schedule entry on the session's date in the athlete's zone. A move
// updates both in place; a drop deletes the schedule, then the workout.

import { getConnectionForAthlete } from "../../db/repos/connections.ts";
import type { WorkoutPush } from "../../db/repos/workout-pushes.ts";
import { DestinationError } from "../../integrations/destination-error.ts";
import { type GarminTrainingClient, garminTrainingClient } from "../../integrations/garmin-training/api.ts";
import { garminWorkout } from "../../integrations/garmin-training/workout.ts";
import type { BoundDestination, PushedRef, SessionToPush, WorkoutDestination } from "./destination.ts";
import type { GarminTokenSource } from "./garmin-tokens.ts";

/** The permission a Garmin user grants for workouts to reach their calendar (Training API). */
export const WORKOUT_IMPORT = "WORKOUT_IMPORT";

async function upsertWith(
  client: GarminTrainingClient,
  s: SessionToPush,
  existing: Pick<WorkoutPush, "externalId" | "scheduleId"> | null,
  save: (partial: PushedRef) => Promise<void>,
): Promise<PushedRef> {
  const body = garminWorkout({ name: s.name, summary: s.summary, steps: s.steps });
  let workoutId = existing?.externalId ?? null;
  let scheduleId = existing?.scheduleId ?? null;
  // A 404: deleted in Garmin Connect; make it again (its schedule went with it).
  if (workoutId && !(await client.updateWorkout(workoutId, body))) workoutId = null;
  if (!workoutId) {
    if (scheduleId) await client.deleteSchedule(scheduleId);
    scheduleId = null;
    workoutId = await client.createWorkout(body);
    // Kept at once: a failure from here on retries with this workout, never a second one.
    await save({ externalId: workoutId, scheduleId: null });
  }
  if (scheduleId && !(await client.updateSchedule(scheduleId, workoutId, s.localDate))) scheduleId = null;
  scheduleId ??= await client.createSchedule(workoutId, s.localDate);
  return { externalId: workoutId, scheduleId };
}

export function garminDestination(tokens: GarminTokenSource): WorkoutDestination {
  return {
    name: "garmin",
    async linked(athleteId, deps) {
      return (await getConnectionForAthlete(deps.db, athleteId, "garmin")) !== null;
    },
    async bind(athleteId, deps) {
      const access = await tokens.access(athleteId, deps);
      if ("state" in access) return access;
      if (!access.permissions.includes(WORKOUT_IMPORT))
        return {
          state: "revoked",
          reason:
            "Garmin does not grant workout import (WORKOUT_IMPORT): connect Garmin again and allow it to send workouts",
        };
      const clientFor = (accessToken: string) =>
        garminTrainingClient({
          baseUrl: deps.config.garmin.apiBaseUrl,
          accessToken,
          timeoutMs: deps.config.destinations.requestTimeoutMs,
          now: () => deps.now().getTime(),
        });
      let token = access.accessToken;
      let client = clientFor(token);
      // A 401 to a token we thought good: refresh it once and try again; a second 401 is revoked.
      const withRefresh = async <T>(fn: (c: GarminTrainingClient) => Promise<T>): Promise<T> => {
        try {
          return await fn(client);
        } catch (err) {
          if (!(err instanceof DestinationError) || err.status !== 401) throw err;
          const renewed = await tokens.access(athleteId, deps, { rejected: token });
          if ("state" in renewed || renewed.accessToken === token) throw err;
          token = renewed.accessToken;
          client = clientFor(token);
          return fn(client);
        }
      };
      const bound: BoundDestination = {
        async upsert(s, existing, save) {
          let current: Pick<WorkoutPush, "externalId" | "scheduleId"> | null = existing;
          const tracked = async (partial: PushedRef) => {
            await save(partial);
            current = partial;
          };
          return withRefresh((c) => upsertWith(c, s, current, tracked));
        },
        async remove(existing) {
          await withRefresh(async (c) => {
            if (existing.scheduleId) await c.deleteSchedule(existing.scheduleId);
            if (existing.externalId) await c.deleteWorkout(existing.externalId);
          });
        },
      };
      return bound;
    },
  };
}
