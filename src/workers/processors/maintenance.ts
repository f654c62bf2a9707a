import { purgeRawPayloads } from "../../db/repos/activities.ts";
import { pruneHandledEvents } from "../../db/repos/webhook-inbox.ts";
import type { QueueProcessor } from "../context.ts";
import { sweepOutbox } from "../outbox.ts";
import { sweepStravaInbox } from "../strava/sweep-inbox.ts";

const DAY_MS = 86_400_000;

export const maintenanceProcessor: QueueProcessor<"maintenance"> = {
  "prune-webhook-inbox": async (payload, deps, ctx) => {
    const days = payload.olderThanDays ?? deps.config.retention.webhookInboxDays;
    const before = new Date(deps.now().getTime() - days * DAY_MS);
    const deleted = await pruneHandledEvents(deps.db, before);
    ctx.logger.info({ deleted, before: before.toISOString() }, "pruned webhook inbox");
    return { deleted };
  },
  "requeue-strava-inbox": async (payload, deps, ctx) => {
    const before = new Date(deps.now().getTime() - (payload.olderThanSeconds ?? 60) * 1000);
    return sweepStravaInbox(deps, { before, logger: ctx.logger });
  },
  "sweep-outbox": async (payload, deps, ctx) =>
    sweepOutbox(
      { ...deps, logger: ctx.logger },
      { minAgeMs: (payload.olderThanSeconds ?? 10) * 1000, ignoreBackoff: false },
    ),
  "purge-strava-raw": async (payload, deps, ctx) => {
    const days = payload.olderThanDays ?? deps.config.strava.rawRetentionDays;
    const before = new Date(deps.now().getTime() - days * DAY_MS);
    const purged = await purgeRawPayloads(deps.db, "strava", before);
    ctx.logger.info({ purged, before: before.toISOString() }, "purged raw Strava payloads");
    return { purged };
  },
};
