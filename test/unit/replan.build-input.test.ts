import { describe, expect, it } from "vitest";
import type { ActivityKind } from "../../src/domain/classify/types.ts";
import { localDate } from "../../src/domain/time.ts";
import {
  buildPlanInput,
  planWindow,
  type StoredActivity,
  type StoredPlanSession,
} from "../../src/plan/build-input.ts";

const run = (
  start: string,
  name: string,
  kind: ActivityKind | null,
  extra: Partial<StoredActivity> = {},
): StoredActivity => ({
  name,
  sport: "run",
  startAt: new Date(start),
  elapsedS: 45 * 60,
  kind,
  subtype: kind === "quality" ? "tempo" : "easy",
  confidence: 0.8,
  reasons: ["stored"],
  kindOverride: null,
  ...extra,
});

describe("the re-plan window", () => {
  it("runs from this week's Monday to the Sunday after the 14-day horizon, in the athlete's zone", () => {
    // Sunday 23:30 UTC is already Monday in Berlin.
    expect(planWindow(new Date("2026-12-06T23:30:00Z"), "Europe/Berlin", 14)).toEqual({
      today: "2026-12-07",
      from: "2026-12-07",
      to: "2026-12-20",
    });
    expect(planWindow(new Date("2026-12-06T23:30:00Z"), "America/New_York", 14)).toEqual({
      today: "2026-12-06",
      from: "2026-11-30",
      to: "2026-12-20",
    });
  });
});

describe("buildPlanInput", () => {
  const base = {
    timezone: "Europe/Berlin",
    settings: {},
    currentSessions: [],
    horizonDays: 14,
  };

  it("uses today's real run instead of the template's, and the template for the days ahead", () => {
    const now = new Date("2026-12-08T10:00:00Z"); // Tuesday 11:00 in Berlin
    const { input } = buildPlanInput({
      ...base,
      now,
      activities: [run("2026-12-08T06:00:00Z", "Easy shakeout", "easy")],
    });
    const tuesday = input.runs.filter(
      (r) => localDate(Date.parse(r.start), "Europe/Berlin") === "2026-12-08",
    );
    expect(tuesday).toHaveLength(1);
    expect(tuesday[0]?.title).toBe("Easy shakeout");
    expect(tuesday[0]?.classification?.kind).toBe("easy");
    // Wednesday onwards come from the default template; Friday stays a rest day.
    const dates = new Set(input.runs.map((r) => localDate(Date.parse(r.start), "Europe/Berlin")));
    expect(dates.has("2026-12-09")).toBe(true);
    expect(dates.has("2026-12-11")).toBe(false);
    expect(input.now).toBe(now.toISOString());
  });

  it("drops a planned run of today that is already past and was not recorded", () => {
    const now = new Date("2026-12-08T10:00:00Z");
    const { input } = buildPlanInput({ ...base, now, activities: [] });
    expect(input.runs.some((r) => localDate(Date.parse(r.start), "Europe/Berlin") === "2026-12-08")).toBe(
      false,
    );
  });

  it("lets the athlete's override win, counts logged strength, and ignores other sports", () => {
    const now = new Date("2026-12-08T10:00:00Z");
    const { input } = buildPlanInput({
      ...base,
      now,
      activities: [
        run("2026-12-07T06:00:00Z", "Hilly run", "quality", { kindOverride: "easy" }),
        { ...run("2026-12-07T17:00:00Z", "Gym", "strength"), sport: "strength" },
        { ...run("2026-12-07T12:00:00Z", "Swim", "other"), sport: "other" },
      ],
    });
    const monday = input.runs.find((r) => r.title === "Hilly run");
    expect(monday?.kind).toBe("easy");
    expect(input.runs.some((r) => r.title === "Swim")).toBe(false);
    expect(input.strengthDone).toEqual([{ start: "2026-12-07T17:00:00.000Z", durationMin: 45 }]);
  });

  it("passes the planning settings through and carries current sessions with their keys", () => {
    const now = new Date("2026-12-08T10:00:00Z");
    const { input } = buildPlanInput({
      ...base,
      now,
      settings: {
        raceDate: "2027-04-18",
        sessionsPerWeek: 2,
        runTemplate: [],
        notifications: { email: false },
      },
      activities: [],
      currentSessions: [
        {
          sessionKey: "k1",
          session: "A",
          startAt: new Date("2026-12-07T17:00:00Z"),
          endAt: new Date("2026-12-07T17:45:00Z"),
          status: "planned",
        },
        {
          sessionKey: "k2",
          session: "B",
          startAt: new Date("2026-12-10T17:00:00Z"),
          endAt: new Date("2026-12-10T17:45:00Z"),
          status: "skipped",
        },
      ],
    });
    expect(input.athlete).toEqual({ raceDate: "2027-04-18", sessionsPerWeek: 2, timezone: "Europe/Berlin" });
    expect(input.runs).toEqual([]);
    expect(input.currentPlan).toEqual([
      { start: "2026-12-07T17:00:00.000Z", end: "2026-12-07T17:45:00.000Z", session: "A", key: "k1" },
    ]);
  });
});

describe("buildPlanInput with an imported running plan", () => {
  const base = {
    timezone: "Europe/Berlin",
    settings: {},
    currentSessions: [],
    horizonDays: 14,
    activities: [],
  };
  const planned = (start: string, title: string, durationMin = 45) => ({
    startAt: new Date(start),
    durationMin,
    title,
  });
  const onDate = (runs: { start: string; title?: string }[], date: string) =>
    runs.filter((r) => localDate(Date.parse(r.start), "Europe/Berlin") === date).map((r) => r.title);

  it("takes the imported runs instead of the template from their first to their last date, the template after", () => {
    const now = new Date("2026-12-07T04:00:00Z"); // Monday 05:00 in Berlin
    const { input } = buildPlanInput({
      ...base,
      now,
      plannedRuns: [
        planned("2026-12-07T06:00:00Z", "Easy run 45 min"),
        planned("2026-12-08T17:00:00Z", "6x800m @ 5k pace", 70),
        planned("2026-12-10T06:00:00Z", "Tempo 3x10 min", 50),
        planned("2026-12-13T06:00:00Z", "Long run 1:45h", 105),
      ],
    });
    expect(onDate(input.runs, "2026-12-08")).toEqual(["6x800m @ 5k pace"]);
    // Wednesday lies inside the imported plan without an entry: a rest day, not the template's easy run.
    expect(onDate(input.runs, "2026-12-09")).toEqual([]);
    expect(onDate(input.runs, "2026-12-10")).toEqual(["Tempo 3x10 min"]);
    // The imported runs carry no kind: the planner reads them from their titles, as the template's.
    expect(input.runs.find((r) => r.title === "Tempo 3x10 min")).toEqual({
      start: "2026-12-10T06:00:00.000Z",
      durationMin: 50,
      title: "Tempo 3x10 min",
    });
    // After the plan's last date the weekly template takes over again.
    expect(onDate(input.runs, "2026-12-15")).toEqual(["Intervals"]);
    expect(onDate(input.runs, "2026-12-14")).toEqual(["Easy run"]);
  });

  it("drops imported runs already past today or before it, and today's once a run is recorded", () => {
    const now = new Date("2026-12-08T10:00:00Z"); // Tuesday 11:00 in Berlin
    const { input } = buildPlanInput({
      ...base,
      now,
      activities: [run("2026-12-08T06:00:00Z", "Morning jog", "easy")],
      plannedRuns: [
        planned("2026-12-07T06:00:00Z", "Easy run 45 min"),
        planned("2026-12-08T17:00:00Z", "6x800m @ 5k pace", 70),
        planned("2026-12-09T06:00:00Z", "Recovery run 30'", 30),
      ],
    });
    expect(input.runs.some((r) => r.title === "Easy run 45 min")).toBe(false);
    expect(onDate(input.runs, "2026-12-08")).toEqual(["Morning jog"]);
    expect(onDate(input.runs, "2026-12-09")).toEqual(["Recovery run 30'"]);
  });

  it("uses the template alone when the imported plan lies entirely before today", () => {
    const now = new Date("2026-12-08T10:00:00Z");
    const withStale = buildPlanInput({
      ...base,
      now,
      plannedRuns: [planned("2026-12-01T06:00:00Z", "Old easy run")],
    }).input.runs;
    expect(withStale).toEqual(buildPlanInput({ ...base, now }).input.runs);
  });
});

describe("sessions the athlete marked done", () => {
  const now = new Date("2026-12-08T10:00:00Z");
  const done: StoredPlanSession = {
    sessionKey: "k-done",
    session: "A",
    startAt: new Date("2026-12-08T11:00:00Z"),
    endAt: new Date("2026-12-08T11:45:00Z"),
    status: "done",
  };

  it("go to the planner as strength done, fixed where they happened, not as sessions to place", () => {
    const { input } = buildPlanInput({
      timezone: "Europe/Berlin",
      settings: {},
      horizonDays: 14,
      now,
      activities: [],
      currentSessions: [done],
    });
    expect(input.strengthDone).toEqual([
      { start: "2026-12-08T11:00:00.000Z", durationMin: 45, session: "A" },
    ]);
    expect(input.currentPlan).toEqual([]);
  });

  it("count once when a logged strength activity already stands for them", () => {
    const { input } = buildPlanInput({
      timezone: "Europe/Berlin",
      settings: {},
      horizonDays: 14,
      now,
      activities: [{ ...run("2026-12-08T10:50:00Z", "Gym", "strength"), sport: "strength" }],
      currentSessions: [done],
    });
    expect(input.strengthDone).toEqual([{ start: "2026-12-08T10:50:00.000Z", durationMin: 45 }]);
  });
});
