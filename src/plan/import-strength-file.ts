// A strength activity's .FIT file (a Garmin watch's, or one the athlete has) into
// the log of the session planned on its day. The file's activity itself is not
// stored here: Garmin sends its summary through the activity import, which
// already counts it as strength done, and a session marked done stands for a
// bare file, so storing it again would count one session twice. The FIT readers
// (and with them @garmin/fitsdk, about 14 MB resident) are imported on the first
// file, not at start (bench/rss.ts).
import { getAthlete } from "../db/repos/athletes.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";
import { logRecordedStrength } from "./strength-log.ts";

/** Throws ActivityParseError when the bytes are no FIT activity. */
export async function importStrengthFit(
  deps: PlanDeps,
  athleteId: number,
  bytes: Uint8Array,
  source: "garmin" | "fit",
): Promise<{ logged: true; sessionKey: string; version: number } | { logged: false; reason: string }> {
  const athlete = await getAthlete(deps.db, athleteId);
  if (!athlete) throw new PlanError("unknown_athlete", `athlete ${athleteId} no longer exists`);
  const [{ parseFitActivity }, { fitStrengthSets }] = await Promise.all([
    import("../integrations/fit/activity.ts"),
    import("../integrations/fit/strength-sets.ts"),
  ]);
  const { activity } = parseFitActivity(bytes);
  if (activity.sport !== "strength") return { logged: false, reason: `a ${activity.sportType} activity` };
  const result = await logRecordedStrength(deps, athlete, fitStrengthSets(bytes), source);
  deps.logger.info(
    { athleteId, source, ...(result.logged ? { sessionKey: result.sessionKey } : { reason: result.reason }) },
    result.logged ? "strength activity logged" : "strength activity not logged",
  );
  return result;
}
