// Quiet hours: a daily window in the athlete's zone ("22:00" to "07:00" wraps
// midnight) during which plan-change messages wait; they go out as one when it ends.
import { addDays, localDate, localMinuteOfDay, parseTime, zonedInstant } from "../../domain/time.ts";

export interface QuietHours {
  from: string;
  to: string;
}

/** The instant the quiet hours around `nowMs` end, or null when `nowMs` is outside them. */
export function quietHoursEnd(nowMs: number, timezone: string, quiet: QuietHours): number | null {
  const from = parseTime(quiet.from);
  const to = parseTime(quiet.to);
  if (from === to) return null;
  const minute = localMinuteOfDay(nowMs, timezone);
  const today = localDate(nowMs, timezone);
  if (from < to) return minute >= from && minute < to ? zonedInstant(today, to, timezone) : null;
  if (minute < to) return zonedInstant(today, to, timezone);
  if (minute >= from) return zonedInstant(addDays(today, 1), to, timezone);
  return null;
}
