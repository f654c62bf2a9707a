// The planner converts between instants and the athlete's wall clock thousands of
// times per plan. time.ts answers each question with Intl (~10 µs a call), which
// alone would blow the 5 ms budget of a 16-week season. A zone's offset is
// piecewise constant, so we ask Intl for it once a day across a calendar year,
// bisect only where two samples differ (a DST change), keep that per zone and year
// (a few hundred zones, a handful of years: bounded), and answer everything else
// with arithmetic. The cache only memoises a pure function, so the planner stays
// deterministic. The conversions mirror time.ts exactly
// (test/unit/plan.zone-clock.test.ts holds them equal), including how a wall time
// skipped or repeated by a DST change resolves.
import { type LocalDate, type LocalTime, offsetMinutes } from "../time.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// No zone in tzdata changes its offset twice within a day, so daily samples cannot
// step over a change and its reversal.
const SAMPLE_STEP_MS = DAY_MS;

interface Segments {
  /** instants from which offsets[i] holds, ascending */
  starts: number[];
  offsets: number[];
}

const byZoneYear = new Map<string, Segments>();

/** The offsets of `timeZone` through UTC calendar year `year` (and into the next by a day). */
function yearSegments(timeZone: string, year: number): Segments {
  const key = `${timeZone}|${year}`;
  const cached = byZoneYear.get(key);
  if (cached) return cached;
  const fromMs = Date.UTC(year, 0, 1);
  const toMs = Date.UTC(year + 1, 0, 1);
  const starts = [fromMs];
  let prevOffset = offsetMinutes(fromMs, timeZone);
  const offsets = [prevOffset];
  for (let prevAt = fromMs; prevAt < toMs; prevAt += SAMPLE_STEP_MS) {
    const sampleAt = Math.min(prevAt + SAMPLE_STEP_MS, toMs);
    const o = offsetMinutes(sampleAt, timeZone);
    if (o === prevOffset) continue;
    // First whole minute at which the new offset holds.
    let lo = Math.floor(prevAt / MINUTE_MS);
    let hi = Math.floor(sampleAt / MINUTE_MS);
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (offsetMinutes(mid * MINUTE_MS, timeZone) === prevOffset) lo = mid;
      else hi = mid;
    }
    starts.push(hi * MINUTE_MS);
    offsets.push(o);
    prevOffset = o;
  }
  const segments = { starts, offsets };
  byZoneYear.set(key, segments);
  return segments;
}

export interface ZoneClock {
  readonly timeZone: string;
  /** minutes local time is ahead of UTC at this instant */
  offsetAt(instantMs: number): number;
  localDate(instantMs: number): LocalDate;
  /** minutes since local midnight */
  minuteOfDay(instantMs: number): number;
  /** "HH:MM" on the athlete's wall clock */
  localTime(instantMs: number): LocalTime;
  /** the instant the wall clock shows `minuteOfDay` on `date` (as time.ts zonedInstant) */
  instant(date: LocalDate, minuteOfDay: number): number;
  /** ISO 8601 with the zone's offset (as time.ts isoWithOffset) */
  iso(instantMs: number): string;
}

/** A clock for `timeZone`, fast through the UTC years from `fromMs` to `toMs`, correct (via Intl) outside. */
export function zoneClock(timeZone: string, fromMs: number, toMs: number): ZoneClock {
  const starts: number[] = [];
  const offsets: number[] = [];
  const firstYear = new Date(fromMs).getUTCFullYear();
  const lastYear = new Date(toMs).getUTCFullYear();
  for (let year = firstYear; year <= lastYear; year++) {
    const seg = yearSegments(timeZone, year);
    seg.starts.forEach((at, i) => {
      const o = seg.offsets[i] as number;
      if (offsets[offsets.length - 1] !== o) {
        starts.push(at);
        offsets.push(o);
      }
    });
  }
  const spanFrom = Date.UTC(firstYear, 0, 1);
  const spanTo = Date.UTC(lastYear + 1, 0, 1);

  const offsetAt = (ms: number): number => {
    if (ms < spanFrom || ms >= spanTo) return offsetMinutes(ms, timeZone);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= ms) lo = mid;
      else hi = mid - 1;
    }
    return offsets[lo] as number;
  };

  const wallMs = (ms: number): number => ms + offsetAt(ms) * MINUTE_MS;

  const instant = (date: LocalDate, minuteOfDay: number): number => {
    const wallAsUtc = dateUtcMs(date) + minuteOfDay * MINUTE_MS;
    const withBefore = wallAsUtc - offsetAt(wallAsUtc - DAY_MS / 2) * MINUTE_MS;
    const withAfter = wallAsUtc - offsetAt(wallAsUtc + DAY_MS / 2) * MINUTE_MS;
    for (const t of [Math.min(withBefore, withAfter), Math.max(withBefore, withAfter)]) {
      if (wallAsUtc - offsetAt(t) * MINUTE_MS === t) return t;
    }
    return withBefore;
  };

  const minuteOfDay = (ms: number): number =>
    Math.floor((((wallMs(ms) % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS);

  return {
    timeZone,
    offsetAt,
    localDate: (ms) => dateOfDay(Math.floor(wallMs(ms) / DAY_MS)),
    minuteOfDay,
    localTime: (ms) => hhmm(minuteOfDay(ms)),
    instant,
    iso: (ms) => {
      const off = offsetAt(ms);
      const wall = Math.floor(ms / 1000) * 1000 + off * MINUTE_MS;
      const day = Math.floor(wall / DAY_MS);
      const secOfDay = Math.floor((wall - day * DAY_MS) / 1000);
      const abs = Math.abs(off);
      return `${dateOfDay(day)}T${hhmm(Math.floor(secOfDay / 60))}:${pad(secOfDay % 60)}${off < 0 ? "-" : "+"}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    },
  };
}

const pad = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const hhmm = (minuteOfDay: number): string => `${pad(Math.floor(minuteOfDay / 60))}:${pad(minuteOfDay % 60)}`;

// Calendar arithmetic on day numbers (days since 1970-01-01), after Howard Hinnant's
// days_from_civil / civil_from_days: the same answers as time.ts's Date-based
// helpers at a small fraction of their cost, for the planner's inner loops.

const digit = (s: string, i: number): number => s.charCodeAt(i) - 48;

/** Days since 1970-01-01 of a "YYYY-MM-DD" date. */
export function dayNumber(date: LocalDate): number {
  let y = digit(date, 0) * 1000 + digit(date, 1) * 100 + digit(date, 2) * 10 + digit(date, 3);
  const m = digit(date, 5) * 10 + digit(date, 6);
  const d = digit(date, 8) * 10 + digit(date, 9);
  if (m <= 2) y -= 1;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** The "YYYY-MM-DD" date of a day number. */
export function dateOfDay(n: number): LocalDate {
  const z = n + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  const y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  return `${String(y).padStart(4, "0")}-${pad(m)}-${pad(d)}`;
}

/** ISO weekday (1 = Monday) of a day number: day 0, 1970-01-01, was a Thursday. */
export const weekdayOfDay = (n: number): number => ((((n + 3) % 7) + 7) % 7) + 1;

function dateUtcMs(date: LocalDate): number {
  return dayNumber(date) * DAY_MS;
}
