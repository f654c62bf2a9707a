// One Garmin activity summary into Postgres: the same mapper the CLI uses
// (integrations/garmin/activity.ts), the same classification as Strava's import,
// stored once per run (a run Strava also sent is linked, not doubled) while the
// connection is still active.
import type { Database } from "../../db/client.ts";
import { storeActivityOnce } from "../../db/repos/activity-links.ts";
import type { Connection } from "../../db/repos/connections.ts";
import { activeConnectionForWrite } from "../../db/repos/strava-data.ts";
import type { Classification } from "../../domain/classify/types.ts";
import { mapGarminActivity } from "../../integrations/garmin/activity.ts";
import { classifyForAthlete } from "../strava/import-activity.ts";

export type GarminImportResult =
  | {
      status: "imported";
      activityId: string;
      created: boolean;
      linked: boolean;
      kind: Classification["kind"];
    }
  | { status: "disconnected"; activityId: string };

/** Throws ActivityParseError when the summary is not one (the caller ends the event as failed). */
export async function storeGarminSummary(
  db: Database,
  connection: Connection,
  summary: unknown,
  now: Date,
): Promise<GarminImportResult> {
  const activity = mapGarminActivity(summary);
  const classification = await classifyForAthlete(db, connection.athleteId, activity, "garmin");
  const stored = await db.transaction(async (tx) => {
    if (!(await activeConnectionForWrite(tx, connection.id))) return null;
    return storeActivityOnce(tx, {
      athleteId: connection.athleteId,
      provider: "garmin",
      activity,
      classification,
      raw: summary,
      rawFetchedAt: now,
    });
  });
  if (!stored) return { status: "disconnected", activityId: activity.id };
  return {
    status: "imported",
    activityId: activity.id,
    created: stored.created,
    linked: stored.linked,
    kind: classification.kind,
  };
}
