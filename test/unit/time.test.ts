import { describe, expect, it } from "vitest";
import {
  addDays,
  daysBetween,
  isoWeekday,
  isoWithOffset,
  localDate,
  mondayOf,
  offsetMinutes,
  parseTime,
  zonedInstant,
} from "../../src/domain/time.ts";

describe("calendar arithmetic in the athlete's zone", () => {
  it("reads local dates across midnight and zones", () => {
    const t = Date.parse("2026-12-06T23:30:00Z");
    expect(localDate(t, "Europe/Berlin")).toBe("2026-12-07");
    expect(localDate(t, "America/Los_Angeles")).toBe("2026-12-06");
    expect(isoWithOffset(Date.parse("2026-11-26T12:00:00Z"), "Asia/Kathmandu")).toBe(
      "2026-11-26T17:45:00+05:45",
    );
    expect(isoWithOffset(Date.parse("2026-11-26T12:00:00Z"), "America/St_Johns")).toBe(
      "2026-11-26T08:30:00-03:30",
    );
  });

  it("keeps wall times through daylight-saving changes", () => {
    // Berlin springs forward on 29 March 2026 at 02:00: 02:30 does not exist and maps past the gap.
    expect(isoWithOffset(zonedInstant("2026-03-29", 150, "Europe/Berlin"), "Europe/Berlin")).toBe(
      "2026-03-29T03:30:00+02:00",
    );
    // It falls back on 25 October at 03:00: 02:30 happens twice; the first is taken.
    expect(new Date(zonedInstant("2026-10-25", 150, "Europe/Berlin")).toISOString()).toBe(
      "2026-10-25T00:30:00.000Z",
    );
    // The local day of the change is 23 h long: midnight to midnight.
    const day =
      zonedInstant("2026-03-30", 0, "Europe/Berlin") - zonedInstant("2026-03-29", 0, "Europe/Berlin");
    expect(day).toBe(23 * 3_600_000);
    expect(offsetMinutes(Date.parse("2026-07-01T00:00:00Z"), "Australia/Sydney")).toBe(600);
    expect(offsetMinutes(Date.parse("2026-12-01T00:00:00Z"), "Australia/Sydney")).toBe(660);
  });

  it("counts weeks from Monday and days by the calendar", () => {
    expect(mondayOf("2026-12-13")).toBe("2026-12-07");
    expect(mondayOf("2026-12-07")).toBe("2026-12-07");
    expect(isoWeekday("2026-12-13")).toBe(7);
    expect(addDays("2026-12-31", 1)).toBe("2027-01-01");
    expect(daysBetween("2026-12-07", "2027-04-18")).toBe(132);
  });

  it("parses HH:MM up to 24:00 and nothing past it", () => {
    expect(parseTime("06:00")).toBe(360);
    expect(parseTime("24:00")).toBe(1440);
    for (const bad of ["24:59", "24:01", "12:60", "7:00", "25:00"])
      expect(() => parseTime(bad), bad).toThrow(RangeError);
  });
});
