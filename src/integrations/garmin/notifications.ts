// The notifications Garmin POSTs to the endpoints configured for runstrong, one
// list per summary type (Activity API 1.2.3 sections 4.2 and 5.1; Health API
// 1.2.2 for deregistrations and permission changes; copies in
// github.com/benjdour/adapt2life docs/, examples in test/fixtures/garmin):
//  - ping: {"activities": [{"userId", "callbackURL"}]}: fetch the callback later;
//  - push: {"activities": [{"userId", "summaryId", "activityType", …}]}: the
//    summaries inline, in the Activity API's own model;
//  - {"deregistrations": [{"userId"}]};
//  - {"userPermissionsChange": [{"userId", "summaryId", "permissions", "changeTimeInSeconds"}]}.
// Nothing is signed: the secret path keeps strangers out, and the worker trusts
// only users it knows and, for anything destructive, what Garmin itself confirms.
import { createHash } from "node:crypto";
import { z } from "zod";
import { garminActivitySchema } from "./activity.ts";

const userId = z.union([z.string().min(1).max(200), z.number().int()]).transform(String);

const pingSchema = z.object({ userId, callbackURL: z.string().min(1).max(4000) });

/** Manually updated activities share the activity summary model (Activity API 7.2). */
export const ACTIVITY_LISTS = ["activities", "manuallyUpdatedActivities"] as const;

export const activitiesBodySchema = z
  .object({
    activities: z.array(z.unknown()).optional(),
    manuallyUpdatedActivities: z.array(z.unknown()).optional(),
  })
  .passthrough();

export const deregistrationsBodySchema = z.object({
  deregistrations: z.array(z.object({ userId }).passthrough()).min(1),
});

export const permissionsBodySchema = z.object({
  userPermissionsChange: z
    .array(
      z
        .object({
          userId,
          summaryId: z.union([z.string(), z.number()]).transform(String).optional(),
          permissions: z.array(z.string()),
          changeTimeInSeconds: z.number().int().optional(),
        })
        .passthrough(),
    )
    .min(1),
});

/** One stored notification item, as the inbox row's `payload` holds it and the worker reads it. */
/** Activity files (FIT, TCX, GPX) come by ping only, to be downloaded once within 24 h (Activity API 5.2). */
export const activityFilesBodySchema = z.object({ activityFiles: z.array(z.unknown()) }).passthrough();
const activityFileSchema = pingSchema
  .extend({
    fileType: z.string().max(20).optional(),
    summaryId: z.union([z.string(), z.number()]).transform(String).optional(),
  })
  .passthrough();

export const garminEventSchema = z.discriminatedUnion("kind", [
  /** an activity's file to download: a strength activity's sets become its session's log */
  z.object({
    kind: z.literal("activity-file"),
    userId: z.string(),
    callbackURL: z.string(),
    fileType: z.string().nullable(),
  }),
  z.object({ kind: z.literal("activity-ping"), userId: z.string(), callbackURL: z.string() }),
  z.object({
    kind: z.literal("activity-push"),
    userId: z.string(),
    summary: z.record(z.string(), z.unknown()),
  }),
  z.object({ kind: z.literal("deregistration"), userId: z.string() }),
  z.object({
    kind: z.literal("permissions"),
    userId: z.string(),
    permissions: z.array(z.string()),
    changeTimeInSeconds: z.number().int().nullable(),
  }),
]);
export type GarminEvent = z.infer<typeof garminEventSchema>;

export interface GarminInboxItem {
  /** the item's identity: a repeated delivery lands on the same inbox row */
  dedupeKey: string;
  userId: string;
  objectType: string;
  objectId: string | null;
  aspectType: string;
  event: GarminEvent;
}

export class GarminNotificationError extends Error {
  override name = "GarminNotificationError";
  readonly issues: { path: string; message: string }[];
  constructor(message: string, issues: { path: string; message: string }[] = []) {
    super(message);
    this.issues = issues;
  }
}

const sha1 = (v: string) => createHash("sha1").update(v).digest("hex");

function issuesOf(error: z.ZodError, prefix: string) {
  return error.issues
    .slice(0, 5)
    .map((i) => ({ path: [prefix, ...i.path].filter((p) => p !== "").join("."), message: i.message }));
}

/** The items of an activities notification (ping or push); throws GarminNotificationError on a bad one. */
export function activityItems(body: unknown): GarminInboxItem[] {
  const parsed = activitiesBodySchema.safeParse(body);
  if (!parsed.success)
    throw new GarminNotificationError("not a Garmin activities notification", issuesOf(parsed.error, ""));
  const out: GarminInboxItem[] = [];
  for (const list of ACTIVITY_LISTS) {
    (parsed.data[list] ?? []).forEach((raw, i) => {
      const where = `${list}.${i}`;
      if (raw && typeof raw === "object" && "callbackURL" in raw) {
        const ping = pingSchema.safeParse(raw);
        if (!ping.success)
          throw new GarminNotificationError("not a Garmin ping", issuesOf(ping.error, where));
        out.push({
          dedupeKey: `${list}:ping:${sha1(ping.data.callbackURL)}`,
          userId: ping.data.userId,
          objectType: list,
          objectId: null,
          aspectType: "ping",
          event: { kind: "activity-ping", userId: ping.data.userId, callbackURL: ping.data.callbackURL },
        });
        return;
      }
      const owner = z.object({ userId }).passthrough().safeParse(raw);
      const summary = garminActivitySchema.safeParse(raw);
      if (!owner.success || !summary.success)
        throw new GarminNotificationError(
          "not a Garmin activity summary",
          issuesOf((owner.error ?? summary.error) as z.ZodError, where),
        );
      // A legacy push carries the user's OAuth 1.0a access token: it is never stored.
      const { userAccessToken: _token, ...record } = raw as Record<string, unknown>;
      const id = summary.data.summaryId ?? summary.data.activityId ?? "";
      out.push({
        // An edited summary (same id, new content) is a new event; a repeat is not.
        dedupeKey: `${list}:push:${id}:${sha1(JSON.stringify(record))}`,
        userId: owner.data.userId,
        objectType: list,
        objectId: id,
        aspectType: "push",
        event: { kind: "activity-push", userId: owner.data.userId, summary: record },
      });
    });
  }
  return out;
}

/** The items of an activity-files notification; throws GarminNotificationError on a bad one. */
export function activityFileItems(body: unknown): GarminInboxItem[] {
  const parsed = activityFilesBodySchema.safeParse(body);
  if (!parsed.success)
    throw new GarminNotificationError("not a Garmin activity files notification", issuesOf(parsed.error, ""));
  return parsed.data.activityFiles.map((raw, i) => {
    const item = activityFileSchema.safeParse(raw);
    if (!item.success)
      throw new GarminNotificationError(
        "not a Garmin activity file",
        issuesOf(item.error, `activityFiles.${i}`),
      );
    return {
      dedupeKey: `activityFiles:${sha1(item.data.callbackURL)}`,
      userId: item.data.userId,
      objectType: "activityFiles",
      objectId: item.data.summaryId ?? null,
      aspectType: "file",
      event: {
        kind: "activity-file",
        userId: item.data.userId,
        callbackURL: item.data.callbackURL,
        fileType: item.data.fileType ?? null,
      },
    };
  });
}

export function deregistrationItems(body: unknown): GarminInboxItem[] {
  const parsed = deregistrationsBodySchema.safeParse(body);
  if (!parsed.success)
    throw new GarminNotificationError("not a Garmin deregistration notification", issuesOf(parsed.error, ""));
  return parsed.data.deregistrations.map((d) => ({
    // The inbox adds the connection's identity: a deregistration after a later reconnect is a new event.
    dedupeKey: "deregistration",
    userId: d.userId,
    objectType: "deregistrations",
    objectId: null,
    aspectType: "deregistration",
    event: { kind: "deregistration", userId: d.userId },
  }));
}

export function permissionItems(body: unknown): GarminInboxItem[] {
  const parsed = permissionsBodySchema.safeParse(body);
  if (!parsed.success)
    throw new GarminNotificationError(
      "not a Garmin permission change notification",
      issuesOf(parsed.error, ""),
    );
  return parsed.data.userPermissionsChange.map((p) => ({
    dedupeKey: `permissions:${p.summaryId ?? ""}:${p.changeTimeInSeconds ?? ""}:${sha1([...p.permissions].sort().join(","))}`,
    userId: p.userId,
    objectType: "userPermissionsChange",
    objectId: p.summaryId ?? null,
    aspectType: "permissions",
    event: {
      kind: "permissions",
      userId: p.userId,
      permissions: p.permissions,
      changeTimeInSeconds: p.changeTimeInSeconds ?? null,
    },
  }));
}

/** The Garmin permission a workout destination needs (Training API: 412 without it). */
export const WORKOUT_IMPORT = "WORKOUT_IMPORT";

/**
 * Why workouts cannot be sent to this Garmin connection, or null when they can:
 * for the Garmin destination to read before it pushes, and to show.
 */
export function garminWorkoutProblem(connection: {
  status: string;
  scopes: readonly string[];
}): string | null {
  if (connection.status !== "active")
    return `the Garmin connection is ${connection.status}: connect Garmin again`;
  if (!connection.scopes.includes(WORKOUT_IMPORT))
    return 'Garmin does not let runstrong send workouts (the "Workout Import" permission is off): turn it on in Garmin Connect\'s account settings or connect Garmin again';
  return null;
}
