import { isoWeekday, localDate, localTime, WEEKDAY_NAMES } from "../domain/time.ts";

/** "Tue 2026-12-08 07:00" in the athlete's zone. */
export function when(ms: number, timezone: string): string {
  const date = localDate(ms, timezone);
  return `${WEEKDAY_NAMES[isoWeekday(date) - 1]} ${date} ${localTime(ms, timezone)}`;
}
