// One Strava activity into Postgres: one GET /activities/{id} (the detailed
// activity carries the laps classification reads), mapped to the domain Activity,
// classified against the athlete's zones and recent baseline, upserted by
// (provider, external id) while the connection is still active, then a
// (debounced) re-plan of the athlete.
import { z } from "zod";
import type { Database } from "../../db/client.ts";
import { activitiesBetween, activityOverride } from "../../db/repos/activities.ts";
import { storeActivityOnce } from "../../db/repos/activity-links.ts";
import { adoptTimezoneIfDefault, getAthlete } from "../../db/repos/athletes.ts";
import type { Connection, Provider } from "../../db/repos/connections.ts";
import { activeConnectionForWrite } from "../../db/repos/strava-data.ts";
import type { Activity } from "../../domain/activity.ts";
import { BASELINE_WINDOW_DAYS, deriveBaseline } from "../../domain/classify/baseline.ts";
import { classifyActivity } from "../../domain/classify/run.ts";
import type { Classification } from "../../domain/classify/types.ts";
import { fromStravaActivity, stravaIdSchema } from "../../integrations/strava/activity.ts";
import type { FetchedActivity } from "../../integrations/strava/api.ts";
import { StravaResponseError } from "../../integrations/strava/errors.ts";

const DAY_MS = 86_400_000;

const ownerSchema = z.object({ athlete: z.object({ id: stravaIdSchema }) });

export type ImportResult =
  | { status: "imported"; activityId: string; created: boolean; kind: Classification["kind"] }
  | { status: "not_owner"; activityId: string }
  | { status: "disconnected"; activityId: string };

/**
 * The classification context of one activity: the athlete's zones, max HR, own
 * override and recent baseline. Garmin's import classifies through it too.
 */
export async function classifyForAthlete(
  db: Database,
  athleteId: number,
  activity: Activity,
  provider: Provider = "strava",
): Promise<Classification> {
  const athlete = await getAthlete(db, athleteId);
  const override = await activityOverride(db, provider, activity.id);
  let baseline = null;
  if (activity.sport === "run") {
    const before = new Date(activity.start);
    const recent = await activitiesBetween(
      db,
      athleteId,
      new Date(before.getTime() - BASELINE_WINDOW_DAYS * DAY_MS),
      before,
    );
    baseline = deriveBaseline(recent, activity.start);
  }
  return classifyActivity(activity, {
    hrZones: athlete?.hrZones ?? null,
    maxHr: athlete?.maxHr ?? null,
    baseline,
    override,
  });
}

/**
 * Stores a fetched activity. Events are not signed, so the activity must belong
 * to the connection's athlete by what Strava itself says (`athlete.id`); an
 * activity of someone else is not stored.
 */
export async function storeFetchedActivity(
  db: Database,
  connection: Connection,
  fetched: FetchedActivity,
  now: Date,
): Promise<ImportResult> {
  const activityId = fetched.activity.id;
  const owner = ownerSchema.safeParse(fetched.raw);
  if (!owner.success) throw new StravaResponseError(`activity ${activityId} came without athlete.id`);
  if (owner.data.athlete.id !== connection.externalAthleteId) return { status: "not_owner", activityId };

  const activity = fromStravaActivity(fetched.activity);
  const classification = await classifyForAthlete(db, connection.athleteId, activity);
  const stored = await db.transaction(async (tx) => {
    if (!(await activeConnectionForWrite(tx, connection.id))) return null;
    // The same run may have come from Garmin already: stored once (activity-links.ts).
    return storeActivityOnce(tx, {
      athleteId: connection.athleteId,
      provider: "strava",
      activity,
      classification,
      raw: fetched.raw,
      rawFetchedAt: now,
    });
  });
  if (!stored) return { status: "disconnected", activityId };
  if (activity.timezone) await adoptTimezoneIfDefault(db, connection.athleteId, activity.timezone);
  return { status: "imported", activityId, created: stored.created, kind: classification.kind };
}
