// The athlete's settings as stored (athletes.settings) and as the settings API
// reads and writes them. The planning fields are the `athlete` object of
// `runstrong plan` (contracts/cli.md); the time zone lives in its own column.
import { z } from "zod";
import { AthleteSettingsSchema, LiftsSchema } from "./plan/input.ts";
import { DEFAULT_RUN_TEMPLATE, type WeeklyRunTemplate } from "./plan/run-template.ts";
import { parseTime } from "./time.ts";

// Postgres refuses a NUL inside jsonb: a stored text with one would answer 500 (found by the /settings form fuzz).
const NO_CONTROL = /^\P{Cc}*$/u;
const CONTROL_MESSAGE = "must not contain control characters";

const templateRunSchema = z.object({
  weekday: z.number().int().min(1).max(7),
  time: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected a local time HH:MM" }),
  durationMin: z.number().int().min(5).max(600),
  kind: z.enum(["easy", "quality"]),
  title: z.string().min(1).max(120).regex(NO_CONTROL, CONTROL_MESSAGE),
});

const localTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { message: "expected a local time HH:MM" });

export const notificationPrefsSchema = z.object({
  email: z.boolean().default(true),
  push: z.boolean().default(true),
  /** plan-change messages wait while it is between `from` and `to` in the athlete's zone (may wrap midnight) */
  quietHours: z
    .object({ from: localTime, to: localTime })
    .strict()
    .refine((q) => q.from !== q.to, { message: "from and to must differ" })
    .nullable()
    .optional(),
});

/** Everything but the time zone, all optional: what is absent takes the planner's default. */
export const storedSettingsSchema = AthleteSettingsSchema.omit({ timezone: true })
  .partial()
  .extend({
    runTemplate: z
      .array(templateRunSchema)
      .max(21)
      .refine((runs) => noOverlap(runs), { message: "two template runs overlap on the same day" })
      .optional(),
    notifications: notificationPrefsSchema.partial().optional(),
    runningPlanIcsUrl: z
      .string()
      .regex(NO_CONTROL, CONTROL_MESSAGE)
      .url()
      .refine((u) => /^(https?|webcal):/.test(u), { message: "expected an http(s) or webcal URL" })
      .nullish(),
    /** the athlete's own calendar's secret iCal address: its busy times keep sessions away (titles are never stored) */
    busyCalendarIcsUrl: z
      .string()
      .regex(NO_CONTROL, CONTROL_MESSAGE)
      .url()
      .refine((u) => /^(https?|webcal):/.test(u), { message: "expected an http(s) or webcal URL" })
      .nullish(),
    /** the athlete's one-rep maxes; `units` and `loadIncrementKg` come with the planning fields */
    lifts: LiftsSchema.optional(),
  });

export type StoredSettings = z.output<typeof storedSettingsSchema>;

function noOverlap(runs: z.output<typeof templateRunSchema>[]): boolean {
  // zod runs this even when a run failed its own checks; such a list already has its issue.
  if (!runs.every((r) => templateRunSchema.safeParse(r).success)) return true;
  const sorted = [...runs].sort((a, b) => a.weekday - b.weekday || parseTime(a.time) - parseTime(b.time));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (
      prev &&
      cur &&
      prev.weekday === cur.weekday &&
      parseTime(prev.time) + prev.durationMin > parseTime(cur.time)
    ) {
      return false;
    }
  }
  return true;
}

/** Stored settings read back; anything unreadable (an older shape) falls back to defaults field by field. */
export function readStoredSettings(raw: unknown): StoredSettings {
  const parsed = storedSettingsSchema.safeParse(raw ?? {});
  if (parsed.success) return parsed.data;
  const out: Record<string, unknown> = {};
  const obj = (raw && typeof raw === "object" ? raw : {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(obj)) {
    const one = storedSettingsSchema.safeParse({ [key]: value });
    if (one.success) Object.assign(out, one.data);
  }
  return out as StoredSettings;
}

export function runTemplateOf(settings: StoredSettings): WeeklyRunTemplate {
  return settings.runTemplate ?? DEFAULT_RUN_TEMPLATE;
}
