import { describe, expect, it } from "vitest";
import { quietHoursEnd } from "../../src/workers/notify/quiet-hours.ts";

const at = (iso: string) => Date.parse(iso);
const end = (iso: string, from: string, to: string, tz = "Europe/Berlin") => {
  const ms = quietHoursEnd(at(iso), tz, { from, to });
  return ms === null ? null : new Date(ms).toISOString();
};

describe("quiet hours", () => {
  it("wrap midnight in the athlete's zone and end at the next `to`", () => {
    // 23:30 and 03:00 Berlin (UTC+1 in winter) are inside 22:00-07:00; 07:00 is not.
    expect(end("2026-11-30T22:30:00Z", "22:00", "07:00")).toBe("2026-12-01T06:00:00.000Z");
    expect(end("2026-12-01T02:00:00Z", "22:00", "07:00")).toBe("2026-12-01T06:00:00.000Z");
    expect(end("2026-12-01T06:00:00Z", "22:00", "07:00")).toBeNull();
    expect(end("2026-12-01T20:59:00Z", "22:00", "07:00")).toBeNull();
  });

  it("within one day, and across a daylight-saving change", () => {
    // 13:30 Berlin is inside 13:00-15:00, which ends at 14:00 UTC; 12:30 UTC is outside it in UTC.
    expect(end("2026-12-01T12:30:00Z", "13:00", "15:00")).toBe("2026-12-01T14:00:00.000Z");
    expect(end("2026-12-01T12:30:00Z", "13:00", "15:00", "UTC")).toBeNull();
    expect(end("2026-12-01T13:30:00Z", "13:00", "15:00", "UTC")).toBe("2026-12-01T15:00:00.000Z");
    // The night Berlin moves to summer time (29 March 2026): 07:00 is then UTC+2.
    expect(end("2026-03-28T23:00:00Z", "22:00", "07:00")).toBe("2026-03-29T05:00:00.000Z");
  });
});
