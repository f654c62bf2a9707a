// The athlete's Web Push subscriptions: POST takes the browser's
// PushSubscription.toJSON() ({endpoint, expirationTime, keys: {p256dh, auth}}),
// GET lists them (never the keys), DELETE (body {endpoint}) removes one. An
// endpoint must be https on the public internet (OUTBOUND_ALLOW_PRIVATE lets
// development and tests use a local one). Endpoints are capability URLs: only
// their host is logged.
import type { Hono } from "hono";
import { z } from "zod";
import { deleteSubscription, saveSubscription, subscriptionsOf } from "../../db/repos/notifications.ts";
import {
  checkPushEndpoint,
  PushEndpointError,
  pushSubscriptionSchema,
} from "../../integrations/push/subscription.ts";
import type { AppDeps, AppEnv } from "../deps.ts";
import { AppError } from "../errors.ts";
import { readJson } from "../json-body.ts";
import { requireAthlete } from "../session.ts";

function problems(error: z.ZodError): { field: string; message: string }[] {
  return error.issues.map((i) => ({ field: i.path.join(".") || "(body)", message: i.message }));
}

const deleteSchema = z.object({ endpoint: z.string().min(1).max(2048) });

export function registerApiPushSubscriptions(app: Hono<AppEnv>, deps: AppDeps): void {
  const guard = requireAthlete(deps);

  app.get("/api/push-subscriptions", guard, async (c) => {
    const rows = await subscriptionsOf(deps.db, c.get("athleteId"));
    return c.json({
      subscriptions: rows.map((r) => ({
        endpoint: r.endpoint,
        createdAt: r.createdAt.toISOString(),
        failureCount: r.failureCount,
      })),
    });
  });

  app.post("/api/push-subscriptions", guard, async (c) => {
    const parsed = pushSubscriptionSchema.safeParse(await readJson(c));
    if (!parsed.success)
      throw new AppError("validation_failed", "not a push subscription (PushSubscription.toJSON())", {
        fields: problems(parsed.error),
      });
    const { endpoint, keys } = parsed.data;
    let host: string;
    try {
      host = (await checkPushEndpoint(endpoint, { allowPrivate: deps.config.outbound.allowPrivate })).host;
    } catch (err) {
      if (!(err instanceof PushEndpointError)) throw err;
      throw new AppError("validation_failed", err.message, {
        fields: [{ field: "endpoint", message: err.message }],
      });
    }
    const row = await saveSubscription(deps.db, c.get("athleteId"), { endpoint, ...keys });
    c.get("logger").info({ host, subscriptionId: row.id }, "push subscription saved");
    return c.json({ endpoint: row.endpoint, createdAt: row.createdAt.toISOString() }, 201);
  });

  app.delete("/api/push-subscriptions", guard, async (c) => {
    const parsed = deleteSchema.safeParse(await readJson(c));
    if (!parsed.success)
      throw new AppError("validation_failed", "expected {endpoint}", { fields: problems(parsed.error) });
    if (!(await deleteSubscription(deps.db, c.get("athleteId"), parsed.data.endpoint)))
      throw new AppError("not_found", "no such push subscription");
    c.get("logger").info("push subscription removed");
    return c.body(null, 204);
  });
}
