import type { StoredActivity } from "../db/repos/activity-rows.ts";
import { isoWithOffset } from "../domain/time.ts";

/** An activity as the athlete sees it, in their zone, with runstrong's verdict and theirs. */
export function activityView(a: StoredActivity, timezone: string) {
  return {
    id: a.id,
    provider: a.provider,
    name: a.name,
    sport: a.sport,
    start: isoWithOffset(a.startAt.getTime(), timezone),
    durationMin: Math.round(a.elapsedS / 60),
    kind: a.kind,
    subtype: a.subtype,
    confidence: a.confidence,
    reasons: a.reasons ?? [],
    kindOverride: a.kindOverride,
  };
}

export type ActivityView = ReturnType<typeof activityView>;
