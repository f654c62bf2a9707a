// "Send the link again": another confirmation mail to the athlete's unconfirmed
// address (the first one went astray or its link expired). It counts against the
// same hourly limit as changing the address, and goes out the way that one does:
// an outbox follow-up stored first, queued at once when Redis takes it.
import { getAthlete } from "../db/repos/athletes.ts";
import { addFollowUps } from "../db/repos/outbox.ts";
import { queueFollowUps } from "../workers/outbox.ts";
import { countConfirmationMail } from "./confirm-mail-limit.ts";
import type { PlanDeps } from "./deps.ts";
import { PlanError } from "./errors.ts";

export async function resendEmailConfirmation(deps: PlanDeps, athleteId: number): Promise<void> {
  const athlete = await getAthlete(deps.db, athleteId);
  if (!athlete) throw new PlanError("unknown_athlete", `athlete ${athleteId} no longer exists`);
  if (!athlete.email) throw new PlanError("conflict", "there is no address to confirm; give one first");
  if (athlete.emailConfirmedAt) throw new PlanError("conflict", "your address is already confirmed");
  await countConfirmationMail(deps, athleteId);
  const entries = await addFollowUps(deps.db, athleteId, [{ type: "email-confirmation" }]);
  await queueFollowUps(deps, entries);
}
