// How the planner writes times and spans in its reasons: the athlete's wall clock
// and plain units ("Wed 18:00", "10 h 15 min"), never UTC or milliseconds.
import { isoWeekday, type LocalDate, WEEKDAY_NAMES } from "../time.ts";
import type { ZoneClock } from "./zone-clock.ts";

const FULL_NAMES = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"] as const;

export const weekdayShort = (date: LocalDate): string => WEEKDAY_NAMES[isoWeekday(date) - 1] ?? date;
export const weekdayLong = (date: LocalDate): string => FULL_NAMES[isoWeekday(date) - 1] ?? date;

/** "Wed 18:00" */
export function dayTime(ms: number, clock: ZoneClock): string {
  return `${weekdayShort(clock.localDate(ms))} ${clock.localTime(ms)}`;
}

/** "10 h 15 min", "3 h", "45 min" */
export function span(ms: number): string {
  const totalMin = Math.round(Math.abs(ms) / 60_000);
  const h = Math.floor(totalMin / 60);
  const m = totalMin % 60;
  if (h === 0) return `${m} min`;
  return m === 0 ? `${h} h` : `${h} h ${m} min`;
}
