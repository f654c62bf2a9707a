// GET /athlete/zones -> the heart-rate zones classification measures effort against.
// Needs the profile:read_all scope; the top zone's max is -1 ("and above").
import { z } from "zod";
import { ActivityParseError } from "../../domain/activity.ts";
import type { HeartRateZone } from "../../domain/classify/types.ts";

const zoneSchema = z.object({ min: z.number(), max: z.number() });

export const stravaZonesSchema = z.object({
  heart_rate: z.object({
    custom_zones: z.boolean().nullish(),
    zones: z
      .array(zoneSchema)
      .min(2, "needs at least two zones: zone 2's max is the easy ceiling")
      .refine(
        (zs) =>
          zs.every((z, i) => z.max === -1 || (z.max > z.min && (i === 0 || z.min >= (zs[i - 1]?.max ?? 0)))),
        "zones must rise, each max above its min",
      ),
  }),
});

export type StravaZones = z.infer<typeof stravaZonesSchema>;

export function mapStravaZones(json: unknown): HeartRateZone[] {
  const parsed = stravaZonesSchema.safeParse(json);
  if (!parsed.success) throw ActivityParseError.fromIssues("not Strava athlete zones", parsed.error.issues);
  return parsed.data.heart_rate.zones.map((z) => ({ min: z.min, max: z.max }));
}
