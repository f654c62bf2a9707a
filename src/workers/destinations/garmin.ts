// Garmin Training API V2 as a workout destination: per session a STRENGTH_TRAINING
// workout and a schedule entry on the session's date in the athlete's zone. A move
// updates both in place; a drop deletes the schedule, then the workout.
import { getConnectionForAthlete } from "../../db/repos/connections.ts";
import { garminTrainingClient } from "../../integrations/garmin-training/api.ts";
import { garminWorkout } from "../../integrations/garmin-training/workout.ts";
import type { BoundDestination, WorkoutDestination } from "./destination.ts";
import type { GarminTokenSource } from "./garmin-tokens.ts";

/** The permission a Garmin user grants for workouts to reach their calendar (Training API). */
export const WORKOUT_IMPORT = "WORKOUT_IMPORT";

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
            "Garmin did not grant workout import (WORKOUT_IMPORT): connect Garmin again and allow it to send workouts",
        };
      const client = garminTrainingClient({
        baseUrl: deps.config.garmin.apiBaseUrl,
        accessToken: access.accessToken,
        timeoutMs: deps.config.destinations.requestTimeoutMs,
        now: () => deps.now().getTime(),
      });
      const bound: BoundDestination = {
        async upsert(s, existing, save) {
          const body = garminWorkout({ name: s.name, summary: s.summary, steps: s.steps });
          let workoutId = existing?.externalId ?? null;
          let scheduleId = existing?.scheduleId ?? null;
          if (workoutId && !(await client.updateWorkout(workoutId, body))) {
            // Deleted in Garmin Connect: make it again, and its schedule went with it.
            workoutId = null;
          }
          if (!workoutId) {
            if (scheduleId) await client.deleteSchedule(scheduleId);
            scheduleId = null;
            workoutId = await client.createWorkout(body);
            // Kept at once: a failure from here on retries with this workout, never a second one.
            await save({ externalId: workoutId, scheduleId: null });
          }
          if (scheduleId && !(await client.updateSchedule(scheduleId, workoutId, s.localDate)))
            scheduleId = null;
          scheduleId ??= await client.createSchedule(workoutId, s.localDate);
          return { externalId: workoutId, scheduleId };
        },
        async remove(existing) {
          if (existing.scheduleId) await client.deleteSchedule(existing.scheduleId);
          if (existing.externalId) await client.deleteWorkout(existing.externalId);
        },
      };
      return bound;
    },
  };
}
