// The planner's cached clock must answer exactly as time.ts (Intl) does, DST days included.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { zoneClock } from "../../src/domain/plan/zone-clock.ts";
import {
  isoWithOffset,
  localDate,
  localMinuteOfDay,
  localTime,
  offsetMinutes,
  zonedInstant,
} from "../../src/domain/time.ts";

const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kathmandu",
  "Australia/Lord_Howe",
  "UTC",
];
const FROM = Date.parse("2026-12-01T00:00:00Z");
const TO = Date.parse("2027-12-31T00:00:00Z");
const clocks = new Map(ZONES.map((z) => [z, zoneClock(z, FROM, TO)]));

describe("zoneClock", () => {
  it("agrees with time.ts for any instant, inside its span and outside", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ZONES),
        fc.integer({ min: FROM - 30 * 86_400_000, max: TO + 30 * 86_400_000 }),
        (tz, ms) => {
          const c = clocks.get(tz) ?? zoneClock(tz, FROM, TO);
          expect(c.offsetAt(ms)).toBe(offsetMinutes(ms, tz));
          expect(c.localDate(ms)).toBe(localDate(ms, tz));
          expect(c.localTime(ms)).toBe(localTime(ms, tz));
          expect(c.minuteOfDay(ms)).toBe(localMinuteOfDay(ms, tz));
          expect(c.iso(ms)).toBe(isoWithOffset(ms, tz));
        },
      ),
      { numRuns: 300 },
    );
  });

  it("agrees with zonedInstant on every wall time of the DST days, gaps and repeats included", () => {
    const days: Array<[string, string]> = [
      ["Europe/Berlin", "2027-03-28"],
      ["Europe/Berlin", "2027-10-31"],
      ["America/New_York", "2027-03-14"],
      ["America/New_York", "2027-11-07"],
      ["Australia/Sydney", "2027-04-04"],
      ["Australia/Sydney", "2027-10-03"],
      ["Australia/Lord_Howe", "2027-04-04"],
      ["Asia/Kathmandu", "2027-03-28"],
    ];
    for (const [tz, date] of days) {
      const c = clocks.get(tz) ?? zoneClock(tz, FROM, TO);
      for (let minute = 0; minute <= 1440; minute += 15)
        expect(c.instant(date, minute)).toBe(zonedInstant(date, minute, tz));
    }
  });
});
