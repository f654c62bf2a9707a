// The intervals.icu link as a setting: PATCH /api/settings {intervalsIcu:
// {athleteId, apiKey}} links (or relinks) it, {intervalsIcu: null} unlinks it.
// The key is write-only: sealed at rest (destination_links.secret_enc, as OAuth
// tokens are), never answered; GET answers {athleteId, connected}.
import { z } from "zod";
import type { Database } from "../db/client.ts";
import {
  destinationLink,
  forgetPushes,
  linkIntervals,
  readLinkSecret,
  unlinkDestination,
} from "../db/repos/workout-pushes.ts";
import { queueLinkPush } from "../workers/destinations/registry.ts";
import type { PlanDeps } from "./deps.ts";

export const INTERVALS_FIELD = "intervalsIcu";

const intervalsIcuSchema = z.union([
  z.null(),
  z
    .object({
      // intervals.icu's athlete ids look like "i12345" (Settings → Developer Settings)
      athleteId: z.string().regex(/^i?\d{1,12}$/, 'must be your intervals.icu athlete id, e.g. "i12345"'),
      apiKey: z.string().trim().min(8, "must be your intervals.icu API key").max(200),
    })
    .strict(),
]);
export type IntervalsIcuPatch = z.output<typeof intervalsIcuSchema>;

export interface IntervalsIcuView {
  athleteId: string | null;
  connected: boolean;
}

/** The body without intervalsIcu, and intervalsIcu validated (undefined when absent). */
export function splitIntervalsIcu(body: unknown): {
  rest: unknown;
  value: IntervalsIcuPatch | undefined;
  problem: { field: string; message: string } | null;
} {
  if (typeof body !== "object" || body === null || Array.isArray(body) || !(INTERVALS_FIELD in body))
    return { rest: body, value: undefined, problem: null };
  const { [INTERVALS_FIELD]: raw, ...rest } = body as Record<string, unknown>;
  const parsed = intervalsIcuSchema.safeParse(raw);
  if (parsed.success) return { rest, value: parsed.data, problem: null };
  const issue = parsed.error.issues.find((i) => i.path.length > 0) ?? parsed.error.issues[0];
  const where = issue?.path.length ? `${issue.path.join(".")}: ` : "";
  return {
    rest,
    value: undefined,
    problem: {
      field: INTERVALS_FIELD,
      message: `${where}${issue?.message ?? 'expected {"athleteId", "apiKey"} or null'}`,
    },
  };
}

export async function intervalsIcuView(db: Database, athleteId: number): Promise<IntervalsIcuView> {
  const link = await destinationLink(db, athleteId, "intervals_icu");
  return { athleteId: link?.externalAthleteId ?? null, connected: link?.secretEnc != null };
}

/**
 * Stores the link and pushes every future session to it at once. A link to
 * another intervals.icu athlete forgets what the old one held. The push is queued
 * after the link is stored; with Redis away the next plan change pushes instead.
 */
export async function applyIntervalsIcu(
  deps: PlanDeps,
  athleteId: number,
  value: IntervalsIcuPatch,
): Promise<boolean> {
  const before = await destinationLink(deps.db, athleteId, "intervals_icu");
  if (value === null) {
    if (!before) return false;
    await deps.db.transaction(async (tx) => {
      await unlinkDestination(tx, athleteId, "intervals_icu");
      await forgetPushes(tx, athleteId, "intervals_icu");
    });
    return true;
  }
  const key = deps.config.secrets.tokenEncryptionKey;
  if (before?.externalAthleteId === value.athleteId && readLinkSecret(before, key) === value.apiKey)
    return false;
  await deps.db.transaction(async (tx) => {
    if (before && before.externalAthleteId !== value.athleteId)
      await forgetPushes(tx, athleteId, "intervals_icu");
    await linkIntervals(tx, key, athleteId, value);
  });
  try {
    await queueLinkPush(deps.queues, athleteId, "intervals_icu", deps.now());
  } catch (err) {
    deps.logger.warn(
      { err: (err as Error).message },
      "intervals.icu linked; its first push waits for the next plan change",
    );
  }
  return true;
}
