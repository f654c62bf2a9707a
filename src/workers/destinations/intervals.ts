// intervals.icu as a workout destination: each planned session a WORKOUT event
// keyed by external_id = our session key, so an upsert updates it in place;
// intervals.icu forwards planned workouts on to Garmin, COROS, Wahoo and Suunto.
import { destinationLink, readLinkSecret } from "../../db/repos/workout-pushes.ts";
import { exerciseLine } from "../../integrations/garmin-training/exercises.ts";
import { type IntervalsEvent, intervalsClient } from "../../integrations/intervals/events.ts";
import type { SessionToPush, WorkoutDestination } from "./destination.ts";

export function intervalsEvent(s: SessionToPush): IntervalsEvent {
  return {
    category: "WORKOUT",
    start_date_local: s.localStart,
    type: "WeightTraining",
    name: s.name,
    description: [s.summary, "", ...s.steps.map((e) => `- ${exerciseLine(e)}`)].join("\n"),
    moving_time: s.durationSeconds,
    external_id: s.key,
  };
}

export const intervalsDestination: WorkoutDestination = {
  name: "intervals_icu",
  async linked(athleteId, deps) {
    const link = await destinationLink(deps.db, athleteId, "intervals_icu");
    return link?.secretEnc != null;
  },
  async bind(athleteId, deps) {
    const link = await destinationLink(deps.db, athleteId, "intervals_icu");
    const apiKey = link ? readLinkSecret(link, deps.config.secrets.tokenEncryptionKey) : null;
    if (!link?.externalAthleteId || !apiKey) return { state: "off", reason: "intervals.icu is not linked" };
    const client = intervalsClient({
      baseUrl: deps.config.destinations.intervalsApiBaseUrl,
      athleteId: link.externalAthleteId,
      apiKey,
      timeoutMs: deps.config.destinations.requestTimeoutMs,
      now: () => deps.now().getTime(),
    });
    const upsertMany = async (sessions: SessionToPush[]) => {
      const ids = await client.upsertEvents(sessions.map(intervalsEvent));
      return new Map(sessions.map((s) => [s.key, { externalId: ids.get(s.key) ?? null, scheduleId: null }]));
    };
    return {
      upsertMany,
      async upsert(s) {
        const ref = (await upsertMany([s])).get(s.key);
        return ref ?? { externalId: null, scheduleId: null };
      },
      async remove(existing) {
        await client.deleteEvents([existing.sessionKey]);
      },
    };
  },
};
