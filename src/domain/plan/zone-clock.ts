// The planner converts between instants and the athlete's wall clock thousands of
// times per plan. time.ts answers each question with Intl (~10 µs a call), which
// alone would blow the 5 ms budget of a 16-week season. A zone's offset is
// piecewise constant, so we ask Intl for it at a few sample points across the
// plan's span, bisect only where two samples differ (a DST change), and answer
// everything else with arithmetic. The conversions mirror time.ts exactly
// (test/unit/plan.zone-clock.test.ts holds them equal), including how a wall time
// skipped or repeated by a DST change resolves.
import { type LocalDate, type LocalTime, offsetMinutes } from "../time.ts";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
// No zone in tzdata changes its offset twice within three days, so sampling at
// this step cannot step over a change and its reversal.
const SAMPLE_STEP_MS = 3 * DAY_MS;

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

/** A clock for `timeZone`, fast between `fromMs` and `toMs`, correct (via Intl) outside. */
export function zoneClock(timeZone: string, fromMs: number, toMs: number): ZoneClock {
  const starts: number[] = [];
  const offsets: number[] = [];
  let prevAt = fromMs;
  let prevOffset = offsetMinutes(fromMs, timeZone);
  starts.push(fromMs);
  offsets.push(prevOffset);
  for (let at = fromMs + SAMPLE_STEP_MS; prevAt < toMs; at += SAMPLE_STEP_MS) {
    const sampleAt = Math.min(at, toMs);
    const o = offsetMinutes(sampleAt, timeZone);
    if (o !== prevOffset) {
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
    prevAt = sampleAt;
  }

  const offsetAt = (ms: number): number => {
    if (ms < fromMs || ms > toMs) return offsetMinutes(ms, timeZone);
    let i = starts.length - 1;
    while (i > 0 && (starts[i] as number) > ms) i--;
    return offsets[i] as number;
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

  return {
    timeZone,
    offsetAt,
    localDate: (ms) => new Date(wallMs(ms)).toISOString().slice(0, 10),
    minuteOfDay: (ms) => Math.floor((((wallMs(ms) % DAY_MS) + DAY_MS) % DAY_MS) / MINUTE_MS),
    localTime: (ms) => new Date(wallMs(ms)).toISOString().slice(11, 16),
    instant,
    iso: (ms) => {
      const off = offsetAt(ms);
      const wall = new Date(Math.floor(ms / 1000) * 1000 + off * MINUTE_MS).toISOString().slice(0, 19);
      const abs = Math.abs(off);
      const sign = off < 0 ? "-" : "+";
      return `${wall}${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
    },
  };
}

const pad = (n: number): string => String(n).padStart(2, "0");

function dateUtcMs(date: LocalDate): number {
  return Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
}
