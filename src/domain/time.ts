// Calendar arithmetic in an athlete's own time zone, on top of Intl (the ICU data
// that ships with Node). Instants are epoch milliseconds; local dates are
// "YYYY-MM-DD" strings and local times "HH:MM", so nothing here depends on the
// machine's zone. Days are calendar days, not 24 h blocks: a week across a
// daylight-saving change has a 23 h or 25 h day in it.

export type LocalDate = string;
export type LocalTime = string;

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "2-digit",
      day: "2-digit",
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    });
    formatters.set(timeZone, f);
  }
  return f;
}

export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

function wallClock(instantMs: number, timeZone: string): WallClock {
  const out: WallClock = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
  for (const p of formatterFor(timeZone).formatToParts(new Date(instantMs))) {
    if (p.type === "literal" || p.type === "era" || p.type === "dayPeriod") continue;
    if (p.type in out) out[p.type as keyof WallClock] = Number(p.value);
  }
  return out;
}

/** Minutes local time is ahead of UTC at this instant (Berlin in winter: 60). */
export function offsetMinutes(instantMs: number, timeZone: string): number {
  const w = wallClock(instantMs, timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return Math.round((asUtc - Math.floor(instantMs / 1000) * 1000) / MINUTE_MS);
}

const pad = (n: number, width = 2): string => String(n).padStart(width, "0");

export function localDate(instantMs: number, timeZone: string): LocalDate {
  const w = wallClock(instantMs, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

export function localTime(instantMs: number, timeZone: string): LocalTime {
  const w = wallClock(instantMs, timeZone);
  return `${pad(w.hour)}:${pad(w.minute)}`;
}

/** Minutes since local midnight of the instant's local day. */
export function localMinuteOfDay(instantMs: number, timeZone: string): number {
  const w = wallClock(instantMs, timeZone);
  return w.hour * 60 + w.minute;
}

function parseDate(date: LocalDate): [number, number, number] {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): ${date}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

export function parseTime(time: LocalTime): number {
  const m = /^(\d{2}):(\d{2})$/.exec(time);
  const hour = Number(m?.[1]);
  const minute = Number(m?.[2]);
  // 24:00 closes a day ("available until 24:00"); no other time past 23:59 exists.
  if (!m || minute > 59 || hour > 24 || (hour === 24 && minute > 0))
    throw new RangeError(`not a time (HH:MM): ${time}`);
  return hour * 60 + minute;
}

export function isValidDate(date: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!m) return false;
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  return (
    d.getUTCFullYear() === Number(m[1]) &&
    d.getUTCMonth() === Number(m[2]) - 1 &&
    d.getUTCDate() === Number(m[3])
  );
}

/**
 * The instant at which the athlete's wall clock shows `minuteOfDay` on `date`.
 * A wall time skipped by a spring-forward change maps to the same distance past
 * the change (02:30 on a 02:00->03:00 night is 03:30); a repeated autumn hour
 * maps to its first occurrence.
 */
export function zonedInstant(date: LocalDate, minuteOfDay: number, timeZone: string): number {
  const [y, mo, d] = parseDate(date);
  const wallAsUtc = Date.UTC(y, mo - 1, d) + minuteOfDay * MINUTE_MS;
  const before = offsetMinutes(wallAsUtc - DAY_MS / 2, timeZone);
  const after = offsetMinutes(wallAsUtc + DAY_MS / 2, timeZone);
  const withBefore = wallAsUtc - before * MINUTE_MS;
  const withAfter = wallAsUtc - after * MINUTE_MS;
  // Earliest candidate whose offset agrees with itself wins (first occurrence).
  for (const t of [Math.min(withBefore, withAfter), Math.max(withBefore, withAfter)]) {
    if (wallAsUtc - offsetMinutes(t, timeZone) * MINUTE_MS === t) return t;
  }
  return withBefore; // inside a gap: shift forward by the size of the gap
}

/** Local midnight that starts `date`, as an instant. */
export function startOfLocalDay(date: LocalDate, timeZone: string): number {
  return zonedInstant(date, 0, timeZone);
}

/** "2026-12-07T18:00:00+01:00": the instant written as the athlete's wall clock. */
export function isoWithOffset(instantMs: number, timeZone: string): string {
  const w = wallClock(instantMs, timeZone);
  const off = offsetMinutes(instantMs, timeZone);
  const sign = off < 0 ? "-" : "+";
  const abs = Math.abs(off);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}T${pad(w.hour)}:${pad(w.minute)}:${pad(w.second)}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

export function addDays(date: LocalDate, days: number): LocalDate {
  const [y, m, d] = parseDate(date);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export function isoWeekday(date: LocalDate): number {
  const [y, m, d] = parseDate(date);
  const dow = new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  return dow === 0 ? 7 : dow;
}

export function mondayOf(date: LocalDate): LocalDate {
  return addDays(date, 1 - isoWeekday(date));
}

/** Whole calendar days from `a` to `b` (b - a). */
export function daysBetween(a: LocalDate, b: LocalDate): number {
  const [y1, m1, d1] = parseDate(a);
  const [y2, m2, d2] = parseDate(b);
  return Math.round((Date.UTC(y2, m2 - 1, d2) - Date.UTC(y1, m1 - 1, d1)) / DAY_MS);
}

/** Every local date from `from` to `to`, both included. */
export function eachDate(from: LocalDate, to: LocalDate): LocalDate[] {
  const out: LocalDate[] = [];
  for (let d = from; d <= to; d = addDays(d, 1)) out.push(d);
  return out;
}

export const WEEKDAY_NAMES = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] as const;
