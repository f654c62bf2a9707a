// One shape for an activity as the repositories hand it out to planning, the
// activity list and the athlete's verdict: the normalized columns and the
// classification, typed. The domain Activity (`summary`) and the raw payload
// stay behind; they are read where they are needed (src/db/repos/activities.ts).
import type { Sport } from "../../domain/activity.ts";
import type { ActivityKind, RunKind, RunSubtype } from "../../domain/classify/types.ts";
import { activityKind, readColumn, reasons, runKind, runSubtype, sport } from "../columns.ts";
import { activities } from "../schema/index.ts";
import type { Provider } from "./connections.ts";

export interface StoredActivity {
  id: number;
  provider: Provider;
  externalId: string;
  name: string;
  sport: Sport;
  startAt: Date;
  movingS: number;
  elapsedS: number;
  /** runstrong's verdict; null before the activity was classified */
  kind: ActivityKind | null;
  subtype: RunSubtype | null;
  confidence: number | null;
  reasons: string[] | null;
  /** the athlete's own verdict on this run, which beats every signal */
  kindOverride: RunKind | null;
}

/** The columns a StoredActivity is read from: select these, then readActivity each row. */
export const storedActivityColumns = {
  id: activities.id,
  provider: activities.provider,
  externalId: activities.externalId,
  name: activities.name,
  sport: activities.sport,
  startAt: activities.startAt,
  movingS: activities.movingS,
  elapsedS: activities.elapsedS,
  kind: activities.kind,
  subtype: activities.subtype,
  confidence: activities.confidence,
  reasons: activities.reasons,
  kindOverride: activities.kindOverride,
};

/** A selected row: the typed columns as their `$type` says, the rest still plain text. */
type SelectedActivity = Omit<StoredActivity, "subtype" | "kindOverride"> & {
  subtype: string | null;
  kindOverride: string | null;
};

export function readActivity(row: SelectedActivity): StoredActivity {
  const at = (column: string) => ({ table: "activities", column, row: row.id });
  return {
    ...row,
    sport: readColumn(sport, row.sport, at("sport")),
    kind: readColumn(activityKind.nullable(), row.kind, at("kind")),
    subtype: readColumn(runSubtype.nullable(), row.subtype, at("subtype")),
    reasons: readColumn(reasons.nullable(), row.reasons, at("reasons")),
    kindOverride: readColumn(runKind.nullable(), row.kindOverride, at("kindOverride")),
  };
}
