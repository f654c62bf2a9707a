// The athlete's settings as the API answers them and as a change compares them:
// every field, defaults filled in, and which fields take the defaults.
import type { SettingsRow } from "../db/repos/settings.ts";
import {
  DEFAULT_AVAILABILITY,
  DEFAULT_QUALITY_BUFFER_HOURS,
  DEFAULT_SESSIONS_PER_WEEK,
  type Lifts,
} from "../domain/plan/input.ts";
import { readStoredSettings, runTemplateOf, storedSettingsSchema } from "../domain/settings.ts";
import { DEFAULT_INCREMENT_KG, DEFAULT_INCREMENT_LB_KG, type Units } from "../domain/strength/loadable.ts";

/** The settings kept in athletes.settings, in the order the API lists them. */
export const STORED_FIELDS = [
  "raceDate",
  "sessionsPerWeek",
  "qualityBufferHours",
  "availability",
  "blackouts",
  "preferredWeekdays",
  "strengthExperience",
  "liftingSince",
  "strengthTiming",
  "runTemplate",
  "notifications",
  "runningPlanIcsUrl",
  "lifts",
  "units",
  "loadIncrementKg",
  "busyCalendarIcsUrl",
] as const;
export type StoredField = (typeof STORED_FIELDS)[number];
export interface SettingsView {
  timezone: string;
  raceDate: string | null;
  sessionsPerWeek: number;
  qualityBufferHours: number;
  availability: unknown[];
  blackouts: string[];
  preferredWeekdays: number[];
  strengthExperience: string;
  liftingSince: string | null;
  strengthTiming: string;
  runTemplate: unknown[];
  notifications: { email: boolean; push: boolean; quietHours: { from: string; to: string } | null };
  runningPlanIcsUrl: string | null;
  /** one-rep maxes the athlete entered, per lift */
  lifts: Lifts;
  units: Units;
  loadIncrementKg: number;
  /** the athlete's own calendar, read for busy times only */
  busyCalendarIcsUrl: string | null;
  calendarUrl: string;
  /** where plan mail goes (athletes.email), and whether its confirmation link was followed */
  email: string | null;
  emailConfirmed: boolean;
  /** the fields the athlete has not set, which answer with runstrong's defaults */
  defaults: StoredField[];
}

export function settingsView(
  row: Pick<SettingsRow, "timezone" | "settings" | "calendarToken"> &
    Partial<Pick<SettingsRow, "email" | "emailConfirmedAt">>,
  publicUrl: string,
): SettingsView {
  const s = readStoredSettings(row.settings);
  return {
    timezone: row.timezone,
    raceDate: s.raceDate ?? null,
    sessionsPerWeek: s.sessionsPerWeek ?? DEFAULT_SESSIONS_PER_WEEK,
    qualityBufferHours: s.qualityBufferHours ?? DEFAULT_QUALITY_BUFFER_HOURS,
    availability: s.availability ?? DEFAULT_AVAILABILITY,
    blackouts: s.blackouts ?? [],
    preferredWeekdays: s.preferredWeekdays ?? [],
    strengthExperience: s.strengthExperience ?? "trained",
    liftingSince: s.liftingSince ?? null,
    strengthTiming: s.strengthTiming ?? "after-run",
    runTemplate: [...runTemplateOf(s)],
    notifications: {
      email: s.notifications?.email ?? true,
      push: s.notifications?.push ?? true,
      quietHours: s.notifications?.quietHours ?? null,
    },
    runningPlanIcsUrl: s.runningPlanIcsUrl ?? null,
    lifts: s.lifts ?? {},
    units: s.units ?? "kg",
    loadIncrementKg: s.loadIncrementKg ?? (s.units === "lb" ? DEFAULT_INCREMENT_LB_KG : DEFAULT_INCREMENT_KG),
    busyCalendarIcsUrl: s.busyCalendarIcsUrl ?? null,
    calendarUrl: calendarUrl(publicUrl, row.calendarToken),
    email: row.email ?? null,
    emailConfirmed: Boolean(row.email && row.emailConfirmedAt),
    defaults: STORED_FIELDS.filter((f) => !isSet(row.settings, f)),
  };
}

/** Set means stored and readable: an unreadable value (an older shape) reads as the default. */
function isSet(raw: Record<string, unknown>, field: StoredField): boolean {
  const value = raw[field];
  return value !== undefined && value !== null && storedSettingsSchema.safeParse({ [field]: value }).success;
}

/** The calendar feed's address for an athlete's token. */
export function calendarUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/calendar/${token}.ics`;
}
