// Repeating entries of a running-plan feed: series that began years before the
// wanted dates still give their occurrences, and a feed built to make the
// expansion expensive is cut off by the work limit (and says so) instead of
// blocking the worker.
import ICAL from "ical.js";
import { describe, expect, it } from "vitest";
import { runningPlanFromIcs } from "../../src/integrations/calendar/running-plan.ts";

// Two weeks from Monday 7 December 2026, athlete in Berlin.
const WINDOW = { timezone: "Europe/Berlin", from: "2026-12-07", to: "2026-12-20" };
const iso = (ms: number) => new Date(ms).toISOString();

function calendar(events: string[][]): string {
  const has = (lines: string[], name: string) => lines.some((l) => l.startsWith(name));
  const body = events.map((lines, i) =>
    [
      "BEGIN:VEVENT",
      ...(has(lines, "UID:") ? [] : [`UID:e${i}`]),
      "DTSTAMP:20261201T120000Z",
      ...(has(lines, "SUMMARY:") ? [] : ["SUMMARY:Easy run"]),
      ...lines,
      "END:VEVENT",
    ].join("\r\n"),
  );
  return ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//EN", ...body, "END:VCALENDAR"].join("\r\n");
}

/**
 * The series' occurrences in the window the slow way, every one from DTSTART on,
 * as the UIDs the import gives them. (Dates compared as written: these series run
 * at hours far from midnight.)
 */
function naiveUids(lines: string[]): string[] {
  const v = new ICAL.Component(ICAL.parse(calendar([lines]))).getFirstSubcomponent("vevent");
  if (!v) throw new Error("no VEVENT");
  const it = new ICAL.Event(v).iterator();
  const out: string[] = [];
  for (let next = it.next(); next; next = it.next()) {
    const date = next.toString().slice(0, 10);
    if (date > WINDOW.to) break;
    if (date >= WINDOW.from) out.push(`e0/${next.toString()}`);
  }
  return out;
}

describe("repeating entries", () => {
  it("a daily series that began in 2000 still gives each day of the window", () => {
    const { entries, warnings } = runningPlanFromIcs(
      calendar([["DTSTART:20000101T070000Z", "RRULE:FREQ=DAILY"]]),
      WINDOW,
    );
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(14);
    expect(iso(entries[0]?.startMs ?? 0)).toBe("2026-12-07T07:00:00.000Z");
    expect(entries[0]?.uid).toBe("e0/2026-12-07T07:00:00Z");
    expect(iso(entries[13]?.startMs ?? 0)).toBe("2026-12-20T07:00:00.000Z");
  });

  it.each<[string, string[], number]>([
    [
      "weekly, on the weekday of its first date",
      ["DTSTART;TZID=Europe/Berlin:20100105T183000", "RRULE:FREQ=WEEKLY"],
      2,
    ],
    ["every other week", ["DTSTART:20150107T063000Z", "RRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=WE,SA"], 2],
    ["every third day", ["DTSTART;TZID=Europe/Berlin:20031230T070000", "RRULE:FREQ=DAILY;INTERVAL=3"], 5],
    ["daily on some weekdays", ["DTSTART:20050103T063000Z", "RRULE:FREQ=DAILY;INTERVAL=2;BYDAY=MO,WE,FR"], 3],
    [
      "until a date inside the window",
      ["DTSTART:20120101T070000Z", "RRULE:FREQ=DAILY;UNTIL=20261210T000000Z"],
      3,
    ],
    [
      "until a date before the window",
      ["DTSTART:20120101T070000Z", "RRULE:FREQ=WEEKLY;UNTIL=20201210T000000Z"],
      0,
    ],
    ["monthly", ["DTSTART:20000115T070000Z", "RRULE:FREQ=MONTHLY"], 1],
    ["with a count", ["DTSTART:20261130T070000Z", "RRULE:FREQ=DAILY;COUNT=10"], 3],
  ])("%s: the same occurrences as expanding from its first date", (_, lines, count) => {
    const { entries } = runningPlanFromIcs(calendar([lines]), WINDOW);
    const expected = naiveUids(lines);
    expect(expected).toHaveLength(count);
    expect(entries.map((e) => e.uid)).toEqual(expected);
  });

  it("keeps an occurrence of an old series moved into the window, and one moved in from after it", () => {
    const { entries } = runningPlanFromIcs(
      calendar([
        ["DTSTART:20100104T070000Z", "RRULE:FREQ=WEEKLY"],
        [
          "UID:e0",
          "RECURRENCE-ID:20261102T070000Z",
          "DTSTART:20261209T170000Z",
          "SUMMARY:Easy run (moved in)",
        ],
        [
          "UID:e0",
          "RECURRENCE-ID:20270104T070000Z",
          "DTSTART:20261216T170000Z",
          "SUMMARY:Easy run (moved early)",
        ],
        [
          "UID:e0",
          "RECURRENCE-ID:20261214T070000Z",
          "DTSTART:20261215T070000Z",
          "SUMMARY:Easy run (moved a day)",
        ],
      ]),
      WINDOW,
    );
    expect(entries.map((e) => [e.uid, iso(e.startMs), e.title])).toEqual([
      ["e0/2026-12-07T07:00:00Z", "2026-12-07T07:00:00.000Z", "Easy run"],
      ["e0/2026-11-02T07:00:00Z", "2026-12-09T17:00:00.000Z", "Easy run (moved in)"],
      ["e0/2026-12-14T07:00:00Z", "2026-12-15T07:00:00.000Z", "Easy run (moved a day)"],
      ["e0/2027-01-04T07:00:00Z", "2026-12-16T17:00:00.000Z", "Easy run (moved early)"],
    ]);
  });

  it("a hundred daily series from 2000 (the reported 9 KB feed) give their window's occurrences", () => {
    const feed = calendar(
      Array.from({ length: 100 }, () => ["DTSTART:20000101T070000Z", "RRULE:FREQ=DAILY"]),
    );
    const { entries, warnings } = runningPlanFromIcs(feed, WINDOW);
    expect(warnings).toEqual([]);
    expect(entries).toHaveLength(100 * 14);
    expect(entries.filter((e) => e.uid.startsWith("e42/")).map((e) => iso(e.startMs))).toEqual(
      Array.from({ length: 14 }, (_, d) => `2026-12-${String(7 + d).padStart(2, "0")}T07:00:00.000Z`),
    );
  });

  it("stops at the work limit and says so: series walked from their first date, rules that never match", () => {
    const walked = runningPlanFromIcs(
      calendar([
        ["DTSTART;VALUE=DATE:20261208", "SUMMARY:Long run 90 min"],
        ...Array.from({ length: 100 }, () => ["DTSTART:20000101T070000Z", "RRULE:FREQ=DAILY;COUNT=100000"]),
      ]),
      WINDOW,
    );
    expect(walked.warnings).toEqual([expect.stringMatching(/not all expanded.*limit/)]);
    expect(walked.skipped.some((s) => /limit/.test(s.reason))).toBe(true);
    // What is not a series is still read.
    expect(walked.entries.map((e) => e.title)).toEqual(["Long run 90 min"]);

    // ical.js alone would loop for ever on this rule: no 30 February.
    const never = runningPlanFromIcs(
      calendar([["DTSTART:20261208T070000Z", "RRULE:FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30"]]),
      WINDOW,
    );
    expect(never.entries).toEqual([]);
    expect(never.warnings).toHaveLength(1);
  });

  it("skips an entry whose rule ical.js refuses and keeps the others", () => {
    const { entries, skipped } = runningPlanFromIcs(
      calendar([
        ["DTSTART:20261208T070000Z", "RRULE:FREQ=WEEKLY;BYMONTHDAY=2"],
        ["DTSTART:20261209T070000Z"],
      ]),
      WINDOW,
    );
    expect(entries.map((e) => e.uid)).toEqual(["e1"]);
    expect(skipped).toEqual([
      { uid: "e0", title: "Easy run", reason: expect.stringMatching(/^repeat rule not usable/) },
    ]);
  });

  it("reads a start with fields out of range as ical.js does elsewhere, or skips it, instead of walking its rule without end (FREQ=SECONDLY from month 99)", () => {
    const { entries, skipped } = runningPlanFromIcs(
      calendar([
        ["DTSTART:20269999T120000", "RRULE:FREQ=SECONDLY"],
        ["DTSTART:99999999T999999", "RRULE:FREQ=SECONDLY", "RRULE:FREQ=MONTHLY;BYMONTHDAY=31"],
        ["DTSTART:20261209T070000Z"],
      ]),
      WINDOW,
    );
    // 2026, month 99, day 99 is 7 June 2034: a series that starts after the window.
    expect(entries.map((e) => e.uid)).toEqual(["e2"]);
    expect(skipped.map((s) => [s.uid, s.reason])).toEqual([
      ["e1", "not readable: DTSTART is not a date between the years 1 and 9999"],
    ]);
  });
});
