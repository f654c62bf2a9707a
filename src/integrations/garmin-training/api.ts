// Garmin Training API V2 calls: workouts and their schedule entries. Paths from
// Garmin's Training API V2 document: create POST /workoutportal/workout/v2;
// PUT/DELETE /training-api/workout/v2/{workoutId}; POST /training-api/schedule/
// with {workoutId, date}; PUT/DELETE /training-api/schedule/{id}. The bodies Garmin
// answers are not confirmed by a public example, so ids are read defensively:
// a bare number, or an object with workoutId/scheduleId/id.
import { z } from "zod";
import { DestinationError, destinationFetch } from "../destination-error.ts";
import type { GarminWorkout } from "./workout.ts";

export interface GarminTrainingClient {
  createWorkout(workout: GarminWorkout): Promise<string>;
  /** false when Garmin no longer has it (404) */
  updateWorkout(workoutId: string, workout: GarminWorkout): Promise<boolean>;
  deleteWorkout(workoutId: string): Promise<void>;
  createSchedule(workoutId: string, date: string): Promise<string>;
  /** false when Garmin no longer has it (404) */
  updateSchedule(scheduleId: string, workoutId: string, date: string): Promise<boolean>;
  deleteSchedule(scheduleId: string): Promise<void>;
}

const idValue = z.union([z.number().int(), z.string().regex(/^\d+$/)]).transform(String);

function idIn(body: unknown, keys: string[], what: string): string {
  const bare = idValue.safeParse(body);
  if (bare.success) return bare.data;
  if (body && typeof body === "object") {
    for (const key of keys) {
      const v = idValue.safeParse((body as Record<string, unknown>)[key]);
      if (v.success) return v.data;
    }
  }
  throw new DestinationError("rejected", `${what}: Garmin's answer holds no ${keys[0]}`);
}

async function jsonOrText(res: Response): Promise<unknown> {
  const text = await res.text();
  try {
    return JSON.parse(text);
  } catch {
    return text.trim();
  }
}

/** A client for one athlete's access token. */
export function garminTrainingClient(o: {
  baseUrl: string;
  accessToken: string;
  timeoutMs: number;
  now: () => number;
}): GarminTrainingClient {
  const call = (what: string, method: string, path: string, body?: unknown) =>
    destinationFetch(`Garmin ${what}`, `${o.baseUrl}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${o.accessToken}`,
        accept: "application/json",
        ...(body !== undefined ? { "content-type": "application/json" } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      timeoutMs: o.timeoutMs,
      nowMs: o.now(),
    });
  // A 404 on update or delete: the athlete deleted it in Garmin Connect.
  const gone = async (p: Promise<Response>): Promise<boolean> => {
    try {
      await p;
      return true;
    } catch (err) {
      if (err instanceof DestinationError && err.code === "not_found") return false;
      throw err;
    }
  };
  return {
    async createWorkout(workout) {
      const res = await call("create workout", "POST", "/workoutportal/workout/v2", workout);
      return idIn(await jsonOrText(res), ["workoutId", "id"], "create workout");
    },
    updateWorkout: (id, workout) =>
      gone(call("update workout", "PUT", `/training-api/workout/v2/${encodeURIComponent(id)}`, workout)),
    async deleteWorkout(id) {
      await gone(call("delete workout", "DELETE", `/training-api/workout/v2/${encodeURIComponent(id)}`));
    },
    async createSchedule(workoutId, date) {
      const res = await call("schedule workout", "POST", "/training-api/schedule/", {
        workoutId: Number(workoutId),
        date,
      });
      return idIn(await jsonOrText(res), ["scheduleId", "workoutScheduleId", "id"], "schedule workout");
    },
    updateSchedule: (scheduleId, workoutId, date) =>
      gone(
        call("move schedule", "PUT", `/training-api/schedule/${encodeURIComponent(scheduleId)}`, {
          scheduleId: Number(scheduleId),
          workoutId: Number(workoutId),
          date,
        }),
      ),
    async deleteSchedule(scheduleId) {
      await gone(
        call("delete schedule", "DELETE", `/training-api/schedule/${encodeURIComponent(scheduleId)}`),
      );
    },
  };
}
