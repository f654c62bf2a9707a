import { describe, expect, it } from "vitest";
import { FeedFetchError, feedUrl } from "../../src/integrations/calendar/fetch-feed.ts";
import {
  DEFAULT_DURATION_MIN,
  durationFromText,
  RunningPlanParseError,
  runningPlanFromIcs,
} from "../../src/integrations/calendar/running-plan.ts";
import { runningPlanIcs } from "../support/builders.ts";

const WEEK = { timezone: "Europe/Berlin", from: "2026-12-07", to: "2026-12-20" };
const iso = (ms: number) => new Date(ms).toISOString();

function event(lines: string[]): string {
  return ["BEGIN:VEVENT", "DTSTAMP:20261201T120000Z", ...lines, "END:VEVENT"].join("\r\n");
}

describe("a running-plan calendar as planned runs", () => {
  const plan = runningPlanFromIcs(runningPlanIcs(), WEEK);
  const byUid = new Map(plan.entries.map((e) => [e.uid, e]));

  it("keeps a timed entry's instant and length, read in its TZID", () => {
    expect(byUid.get("wk1-tue@plan.example")).toEqual({
      uid: "wk1-tue@plan.example",
      startMs: Date.parse("2026-12-08T17:00:00Z"),
      durationMin: 70,
      title: "6x800m @ 5k pace",
      allDay: false,
    });
    const thu = byUid.get("wk1-thu@plan.example");
    expect(iso(thu?.startMs ?? 0)).toBe("2026-12-10T06:00:00.000Z");
    expect(thu?.durationMin).toBe(50);
  });

  it("starts a dated (all-day) entry at 07:00 in the athlete's zone, with the length its title gives", () => {
    expect(byUid.get("wk1-mon@plan.example")).toMatchObject({
      startMs: Date.parse("2026-12-07T06:00:00Z"),
      durationMin: 45,
      allDay: true,
    });
    expect(byUid.get("wk1-sun@plan.example")?.durationMin).toBe(105);
    expect(byUid.get("wk1-wed@plan.example")?.durationMin).toBe(30);
    // The same date in another zone is that zone's 07:00.
    const ny = runningPlanFromIcs(runningPlanIcs(), { ...WEEK, timezone: "America/New_York" });
    expect(iso(ny.entries.find((e) => e.uid === "wk1-mon@plan.example")?.startMs ?? 0)).toBe(
      "2026-12-07T12:00:00.000Z",
    );
  });

  it("keeps rest days (the planner reads them as rest) and skips other sports, in time order", () => {
    expect(plan.entries.map((e) => e.title)).toEqual([
      "Easy run 45 min",
      "6x800m @ 5k pace",
      "Recovery run 30'",
      "Tempo 3x10 min",
      "Rest day",
      "Long run 1:45h",
    ]);
    expect(plan.skipped).toEqual([
      { uid: "wk1-sat@plan.example", title: "Swim 2000m technique", reason: "another sport, not a run" },
    ]);
  });

  it("keeps only entries starting on the dates asked for", () => {
    const mid = runningPlanFromIcs(runningPlanIcs(), { ...WEEK, from: "2026-12-09", to: "2026-12-10" });
    expect(mid.entries.map((e) => e.uid)).toEqual(["wk1-wed@plan.example", "wk1-thu@plan.example"]);
  });

  it("reads a TZID without VTIMEZONE as the IANA zone it names, and a floating time in the athlete's zone", () => {
    const { entries } = runningPlanFromIcs(
      runningPlanIcs({}, [
        event([
          "UID:ny",
          "DTSTART;TZID=America/New_York:20261215T063000",
          "DURATION:PT40M",
          "SUMMARY:Easy run",
        ]),
        event(["UID:floating", "DTSTART:20261216T063000", "DTEND:20261216T071500", "SUMMARY:Easy run"]),
      ]),
      WEEK,
    );
    const ny = entries.find((e) => e.uid === "ny");
    expect(iso(ny?.startMs ?? 0)).toBe("2026-12-15T11:30:00.000Z");
    expect(ny?.durationMin).toBe(40);
    const floating = entries.find((e) => e.uid === "floating");
    expect(iso(floating?.startMs ?? 0)).toBe("2026-12-16T05:30:00.000Z");
    expect(floating?.durationMin).toBe(45);
  });

  it("skips cancelled entries and all-day entries over several days", () => {
    const { entries, skipped } = runningPlanFromIcs(
      runningPlanIcs({}, [
        event(["UID:c", "STATUS:CANCELLED", "DTSTART;VALUE=DATE:20261215", "SUMMARY:Easy run 40 min"]),
        event([
          "UID:camp",
          "DTSTART;VALUE=DATE:20261216",
          "DTEND;VALUE=DATE:20261219",
          "SUMMARY:Holiday in the mountains",
        ]),
      ]),
      WEEK,
    );
    expect(entries.some((e) => e.uid === "c" || e.uid === "camp")).toBe(false);
    expect(skipped.map((s) => [s.uid, s.reason])).toEqual(
      expect.arrayContaining([
        ["c", "cancelled"],
        ["camp", "an all-day entry over 3 days, not a run"],
      ]),
    );
  });

  it("expands a repeating entry with its moved occurrence, each occurrence under its own UID", () => {
    const { entries } = runningPlanFromIcs(
      runningPlanIcs({}, [
        event([
          "UID:strides",
          "DTSTART;TZID=Europe/Berlin:20261207T180000",
          "DTEND;TZID=Europe/Berlin:20261207T183000",
          "RRULE:FREQ=WEEKLY;COUNT=4",
          "SUMMARY:Easy + strides",
        ]),
        event([
          "UID:strides",
          "RECURRENCE-ID;TZID=Europe/Berlin:20261214T180000",
          "DTSTART;TZID=Europe/Berlin:20261215T063000",
          "DTEND;TZID=Europe/Berlin:20261215T070000",
          "SUMMARY:Easy + strides (moved)",
        ]),
      ]),
      WEEK,
    );
    const strides = entries.filter((e) => e.uid.startsWith("strides/"));
    expect(strides.map((e) => [iso(e.startMs), e.title])).toEqual([
      ["2026-12-07T17:00:00.000Z", "Easy + strides"],
      ["2026-12-15T05:30:00.000Z", "Easy + strides (moved)"],
    ]);
    expect(new Set(strides.map((e) => e.uid)).size).toBe(2);
  });

  it("gives an entry without a length in its times or text the default length", () => {
    const { entries } = runningPlanFromIcs(
      runningPlanIcs({}, [event(["UID:x", "DTSTART;VALUE=DATE:20261216", "SUMMARY:Fartlek"])]),
      WEEK,
    );
    expect(entries.find((e) => e.uid === "x")?.durationMin).toBe(DEFAULT_DURATION_MIN);
  });

  it("refuses what is not a calendar", () => {
    expect(() => runningPlanFromIcs("<html>Sign in</html>", WEEK)).toThrow(RunningPlanParseError);
    expect(() => runningPlanFromIcs("BEGIN:VEVENT\r\nEND:VEVENT\r\n", WEEK)).toThrow(RunningPlanParseError);
  });
});

describe("a length in a plan's words", () => {
  it.each([
    ["Long run 1:45h", 105],
    ["1h30 easy", 90],
    ["Long run 1.5 h", 90],
    ["Long run 2 hours", 120],
    ["Easy 45 min", 45],
    ["Easy 45'", 45],
    ["Dauerlauf 50 Minuten", 50],
    ["2 Std. locker", 120],
    ["Easy 10 km", 60],
    ["Long run 16 miles", 152],
    ["Tempo 3x10 min", null],
    ["8x400m", null],
    ["Threshold at 4:30/km", null],
    ["Fartlek", null],
  ])("%s -> %s", (text, minutes) => {
    expect(durationFromText(text)).toBe(minutes);
  });
});

describe("the feed's address", () => {
  it("reads webcal:// as https://", () => {
    expect(feedUrl("webcal://plans.example.com/u/abc.ics").toString()).toBe(
      "https://plans.example.com/u/abc.ics",
    );
  });

  it.each([
    "file:///etc/passwd",
    "ftp://plans.example.com/a.ics",
    "http://localhost:3000/calendar/x.ics",
    "http://127.0.0.1/a.ics",
    "http://10.1.2.3/a.ics",
    "http://192.168.1.10/a.ics",
    "http://169.254.169.254/latest/meta-data",
    "http://[::1]/a.ics",
    "http://localhost.:5432/",
    "http://metadata.google.internal/",
    "http://[fec0::1]/a.ics",
    "http://[64:ff9b::a9fe:a9fe]/a.ics",
    "http://198.18.0.1/a.ics",
    "not a url",
  ])("refuses %s for good", (raw) => {
    expect(() => feedUrl(raw)).toThrow(FeedFetchError);
    try {
      feedUrl(raw);
    } catch (err) {
      expect((err as FeedFetchError).permanent).toBe(true);
    }
  });
});
