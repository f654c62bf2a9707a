// Each hard rule of DESIGN.md, shown to bind: every week here is built so that the
// slot the planner would otherwise pick (Monday or Thursday evening, 18:00) is
// illegal, and the test checks where the session went instead.
import { describe, expect, it } from "vitest";
import { planContextOf } from "../../src/domain/plan/context.ts";
import type { PlanInput, PlanOutput } from "../../src/domain/plan/input.ts";
import { planStrength } from "../../src/domain/plan/plan.ts";
import { checkSession } from "../../src/domain/plan/rules.ts";

const HOUR = 3_600_000;
const TZ = "Europe/Berlin";
// 2026-12-07 is a Monday; Berlin is at +01:00 all month.
const DAYS = [
  "2026-12-07",
  "2026-12-08",
  "2026-12-09",
  "2026-12-10",
  "2026-12-11",
  "2026-12-12",
  "2026-12-13",
];
const at = (day: number, time: string) => `${DAYS[day]}T${time}:00+01:00`;
const run = (
  day: number,
  time: string,
  durationMin: number,
  kind: "easy" | "quality",
  title: string = kind,
) => ({
  start: at(day, time),
  durationMin,
  kind,
  title,
});
/** The evidence's week: easy Mon, quality Tue, easy Wed/Thu, rest Fri, easy Sat, long Sun, all at 07:00. */
const sampleRuns = () => [
  run(0, "07:00", 45, "easy"),
  run(1, "07:00", 60, "quality", "Intervals"),
  run(2, "07:00", 45, "easy"),
  run(3, "07:00", 40, "easy"),
  run(5, "07:00", 40, "easy"),
  run(6, "08:00", 120, "quality", "Long run"),
];
const week = (over: Partial<PlanInput> = {}, athlete: Partial<PlanInput["athlete"]> = {}): PlanInput => ({
  from: DAYS[0] as string,
  to: DAYS[6] as string,
  athlete: { timezone: TZ, ...athlete },
  runs: sampleRuns(),
  ...over,
});
const starts = (out: PlanOutput) => out.sessions.map((s) => s.start);
const ms = (iso: string) => Date.parse(iso);

describe("baseline for the tests below", () => {
  it("places Monday and Thursday at 18:00 in the sample week", () => {
    expect(starts(planStrength(week()))).toEqual([at(0, "18:00"), at(3, "18:00")]);
  });
});

describe("R1 easy days only", () => {
  it("never uses a quality day, even the athlete's preferred one", () => {
    const runs = sampleRuns();
    runs[0] = run(0, "07:00", 50, "quality", "Tempo 3x10 min");
    const out = planStrength(week({ runs }, { preferredWeekdays: [1] }));
    expect(out.sessions.some((s) => s.start.startsWith(DAYS[0] as string))).toBe(false);
    expect(out.sessions).toHaveLength(2);
  });

  it("uses an easy day before a rest day, even a preferred rest day", () => {
    const out = planStrength(week({}, { preferredWeekdays: [5] }));
    expect(out.sessions.some((s) => s.start.startsWith(DAYS[4] as string))).toBe(false);
    expect(out.sessions.every((s) => s.reasons[0] === "easy day")).toBe(true);
  });

  it("falls back to a rest day only when no easy day fits", () => {
    // Only Monday is easy; Wednesday, Thursday and Saturday runs turn quality.
    const runs = [
      run(0, "07:00", 45, "easy"),
      run(1, "07:00", 60, "quality"),
      run(2, "07:00", 60, "quality"),
      run(3, "07:00", 60, "quality"),
      run(5, "07:00", 60, "quality"),
      run(6, "08:00", 120, "quality"),
    ];
    const out = planStrength(week({ runs }));
    expect(out.sessions).toHaveLength(2);
    expect(out.sessions[0]?.start).toBe(at(0, "18:00"));
    expect(out.sessions[1]?.start.startsWith(DAYS[4] as string)).toBe(true);
    expect(out.sessions[1]?.reasons[0]).toBe("rest day: no easy day fits this week");
  });
});

describe("R2 no lift before quality", () => {
  it("ends the session qualityBufferHours before the next quality run starts", () => {
    const runs = sampleRuns();
    runs[1] = run(1, "05:00", 60, "quality", "Intervals");
    const out = planStrength(week({ runs }));
    const monday = out.sessions.find((s) => s.start.startsWith(DAYS[0] as string));
    expect(monday).toBeDefined();
    // 18:00 would end 10 h 15 min before Tuesday 05:00.
    expect(ms(at(1, "05:00")) - ms(monday?.end ?? "")).toBeGreaterThanOrEqual(12 * HOUR);
    expect(monday?.start).not.toBe(at(0, "18:00"));
  });

  it("honours a longer buffer by moving off the day before the quality run", () => {
    const out = planStrength(week({}, { qualityBufferHours: 24 }));
    // Monday 18:00 ends 12 h 15 min before Tuesday's 07:00 run: not enough with 24 h.
    expect(out.sessions.some((s) => s.start.startsWith(DAYS[0] as string))).toBe(false);
    for (const s of out.sessions) {
      const next = [at(1, "07:00"), at(6, "08:00")].map(ms).find((q) => q > ms(s.start));
      if (next !== undefined) expect(next - ms(s.end)).toBeGreaterThanOrEqual(24 * HOUR);
    }
  });

  it("checkSession names R2 and the quality run", () => {
    const ctx = planContextOf(week());
    const v = checkSession({ start: at(0, "20:00"), end: at(0, "20:45") }, ctx);
    expect(v.map((x) => x.rule)).toEqual(["R2"]);
    expect(v[0]?.run).toEqual({ start: at(1, "07:00"), title: "Intervals", kind: "quality" });
    expect(v[0]?.message).toContain("10 h 15 min before");
  });
});

describe("R3 gap to runs", () => {
  it("keeps 3 h after a run that ends just before the usual slot", () => {
    const runs = sampleRuns();
    // Easy days are only Monday and Thursday, both with an afternoon run.
    runs[0] = run(0, "16:00", 60, "easy");
    runs[1] = run(1, "10:00", 60, "quality");
    runs[2] = run(2, "07:00", 60, "quality");
    runs[3] = run(3, "16:30", 60, "easy");
    runs[4] = run(5, "07:00", 60, "quality");
    const out = planStrength(
      week(
        { runs },
        { availability: [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({ weekday, from: "16:00", to: "21:30" })) },
      ),
    );
    expect(out.sessions).toHaveLength(2);
    expect(out.sessions[0]?.start).toBe(at(0, "20:00"));
    expect(out.sessions[1]?.start).toBe(at(3, "20:30"));
    expect(out.sessions[0]?.reasons).toContain(
      "under the 6 h optimum between run and strength (3 h is the minimum)",
    );
  });

  it("keeps 3 h before a run that follows the session", () => {
    const ctx = planContextOf(week());
    const v = checkSession({ start: at(2, "05:00"), end: at(2, "05:45") }, ctx);
    expect(v.map((x) => x.rule)).toEqual(["R3", "R5"]);
    expect(v[0]?.run?.start).toBe(at(2, "07:00"));
    expect(v[0]?.message).toContain("ends 1 h 15 min before");
  });

  it("prefers 6 h and after the day's run", () => {
    const out = planStrength(week());
    for (const s of out.sessions) expect(s.reasons).toContain("after the day's run");
  });

  it("puts the session before the run for strengthTiming before-run, still 3 h clear", () => {
    const runs = sampleRuns().map((r) =>
      r.kind === "easy" ? { ...r, start: r.start.replace("07:00", "18:00") } : r,
    );
    const out = planStrength(week({ runs }, { strengthTiming: "before-run" }));
    expect(out.sessions).toHaveLength(2);
    for (const s of out.sessions) {
      expect(s.reasons).toContain("before the day's run, as you prefer");
      const day = s.start.slice(0, 10);
      expect(ms(`${day}T18:00:00+01:00`) - ms(s.end)).toBeGreaterThanOrEqual(3 * HOUR);
    }
  });
});

describe("R4 spacing", () => {
  it("keeps 48 h from logged strength before the plan starts", () => {
    const done = [{ start: "2026-12-06T19:00:00+01:00", durationMin: 40 }];
    const out = planStrength(week({ strengthDone: done }));
    // Monday 18:00 would be 23 h after Sunday's session.
    for (const s of out.sessions)
      expect(ms(s.start) - ms(done[0]?.start ?? "")).toBeGreaterThanOrEqual(48 * HOUR);
    expect(out.sessions.some((s) => s.start.startsWith(DAYS[0] as string))).toBe(false);
  });

  it("keeps 48 h between the week's sessions when only close easy days exist", () => {
    // Easy Mon and Tue only (the rest quality), so the second session cannot be Tuesday.
    const runs = [
      run(0, "07:00", 45, "easy"),
      run(1, "07:00", 45, "easy"),
      ...[2, 3, 4, 5, 6].map((d) => run(d, "07:00", 60, "quality")),
    ];
    const out = planStrength(week({ runs }));
    expect(out.sessions).toHaveLength(1);
    expect(out.unplaced).toHaveLength(1);
    expect(out.unplaced[0]?.reason).toContain("48 h from the session on Mon 18:00");
  });

  it("keeps 48 h into the next week", () => {
    const input = week({ to: "2026-12-20", runs: [...sampleRuns()] }, { preferredWeekdays: [7, 1] });
    const out = planStrength(input);
    const s = out.sessions.map((x) => ms(x.start));
    for (let i = 1; i < s.length; i++)
      expect((s[i] as number) - (s[i - 1] as number)).toBeGreaterThanOrEqual(48 * HOUR);
  });
});

describe("R5 availability", () => {
  it("uses only the athlete's windows", () => {
    const availability = [
      { weekday: 3, from: "19:00", to: "20:00" },
      { weekday: 6, from: "13:00", to: "15:00" },
    ];
    const out = planStrength(week({}, { availability }));
    expect(starts(out)).toEqual([at(2, "19:00"), at(5, "14:15")]);
  });

  it("skips blackout dates", () => {
    const out = planStrength(week({}, { blackouts: [DAYS[0] as string, DAYS[3] as string] }));
    expect(
      out.sessions.some(
        (s) => s.start.startsWith(DAYS[0] as string) || s.start.startsWith(DAYS[3] as string),
      ),
    ).toBe(false);
    expect(out.sessions).toHaveLength(2);
  });

  it("reports a week without room as unplaced, never squeezed in", () => {
    const out = planStrength(week({}, { availability: [{ weekday: 1, from: "07:00", to: "09:00" }] }));
    expect(out.sessions).toEqual([]);
    expect(out.unplaced.map((u) => [u.week, u.session])).toEqual([
      ["2026-12-07", "A"],
      ["2026-12-07", "B"],
    ]);
    expect(out.unplaced[0]?.reason).toContain(
      "Mon has no 45 min in 07:00-09:00 that is 3 h clear of the run at 07:00",
    );
    expect(out.unplaced[0]?.reason).toContain('Tue quality ("Intervals" at 07:00); Wed-Sat not available');
  });

  it("checkSession names R5 for a time outside the windows and for a blackout", () => {
    const ctx = planContextOf(week({}, { blackouts: [DAYS[3] as string] }));
    expect(checkSession({ start: at(0, "21:00"), end: at(0, "21:45") }, ctx).map((v) => v.rule)).toContain(
      "R5",
    );
    expect(checkSession({ start: at(3, "18:00"), end: at(3, "18:45") }, ctx).map((v) => v.rule)).toEqual([
      "R5",
    ]);
  });
});

describe("R6 frequency by phase", () => {
  const season = (raceDate: string, from: string, to: string, sessionsPerWeek = 2): PlanOutput =>
    planStrength({ from, to, athlete: { timezone: TZ, raceDate, sessionsPerWeek }, runs: [] });

  it("gives 3 in base only when asked, 2 in build", () => {
    expect(planStrength(week({ runs: [] }, { sessionsPerWeek: 3 })).sessions).toHaveLength(3);
    // Race 2027-01-24: the week of 2026-12-07 is 7 weeks out (build).
    const build = planStrength(week({ runs: [] }, { sessionsPerWeek: 3, raceDate: "2027-01-24" }));
    expect(build.sessions).toHaveLength(2);
    expect(build.sessions[0]?.phase).toBe("build");
  });

  it("tapers to one session two weeks out and none in the final 5 days", () => {
    // Race Sunday 2026-12-20: 2026-12-07 is 2 weeks out, 2026-12-14 race week.
    const out = season("2026-12-20", "2026-12-07", "2026-12-20");
    expect(out.sessions).toHaveLength(1);
    expect(out.sessions[0]?.phase).toBe("taper");
    expect(out.unplaced).toEqual([]);
  });

  it("keeps the final 5 days before an early-week race free", () => {
    // Race Tuesday 2026-12-15: nothing from Thursday 2026-12-10 on.
    const out = season("2026-12-15", "2026-12-07", "2026-12-13");
    expect(out.sessions).toHaveLength(1);
    expect((out.sessions[0]?.start ?? "") < "2026-12-10").toBe(true);
  });

  it("checkSession refuses the final 5 days and a full week with R6", () => {
    const ctx = planContextOf(week({ runs: [] }, { raceDate: "2026-12-13" }));
    expect(checkSession({ start: at(3, "18:00"), end: at(3, "18:45") }, ctx).map((v) => v.rule)).toEqual([
      "R6",
    ]);
    const base = planContextOf(week({ runs: [] }));
    const full = [{ start: at(0, "18:00") }, { start: at(3, "18:00") }];
    expect(
      checkSession({ start: at(5, "18:00"), end: at(5, "18:45") }, base, full).map((v) => v.rule),
    ).toEqual(["R6"]);
  });
});

describe("now, logged strength and the current plan", () => {
  it("places nothing before now and reports the past days", () => {
    const out = planStrength(week({ now: at(2, "12:00") }));
    expect(out.days).toHaveLength(7);
    expect(out.sessions.every((s) => s.start > at(2, "12:00"))).toBe(true);
  });

  it("counts logged strength toward the week and lets it complete the planned session", () => {
    const currentPlan = [
      { start: at(0, "18:00"), session: "A" as const },
      { start: at(3, "18:00"), session: "B" as const },
    ];
    const out = planStrength(
      week({ now: at(1, "12:00"), currentPlan, strengthDone: [{ start: at(0, "19:30"), durationMin: 45 }] }),
    );
    expect(out.sessions.map((s) => [s.start, s.session])).toEqual([[at(3, "18:00"), "B"]]);
    expect(out.sessions[0]?.reasons).toContain("kept where it was planned");
  });

  it("keeps a current-plan session where it is when it is still legal", () => {
    const currentPlan = [
      { start: at(0, "15:00"), session: "A" as const },
      { start: at(2, "19:00"), session: "B" as const },
    ];
    const out = planStrength(week({ currentPlan }));
    expect(out.sessions.map((s) => [s.start, s.session])).toEqual([
      [at(0, "15:00"), "A"],
      [at(2, "19:00"), "B"],
    ]);
  });

  it("moves a current-plan session that a rule now forbids", () => {
    const runs = sampleRuns();
    runs[2] = run(2, "17:00", 60, "easy");
    const currentPlan = [
      { start: at(0, "18:00"), session: "A" as const },
      { start: at(2, "18:00"), session: "B" as const },
    ];
    const out = planStrength(week({ runs, currentPlan }));
    expect(out.sessions[0]?.start).toBe(at(0, "18:00"));
    expect(out.sessions[1]?.start).not.toBe(at(2, "18:00"));
    expect(out.sessions[1]?.session).toBe("B");
  });
});

describe("daylight-saving time", () => {
  it("counts 3 h as 3 h of real time across the spring-forward night", () => {
    // Berlin, Sunday 2027-03-28: 02:00 CET becomes 03:00 CEST. A run 00:00-00:30 CET
    // ends at 23:30 UTC; 3 h later is 02:30 UTC = 04:30 CEST, not 03:30 on the wall.
    const out = planStrength({
      from: "2027-03-22",
      to: "2027-03-28",
      athlete: { timezone: TZ, availability: [{ weekday: 7, from: "00:00", to: "05:15" }] },
      runs: [{ start: "2027-03-28T00:00:00+01:00", durationMin: 30, kind: "easy", title: "Midnight run" }],
    });
    expect(out.sessions.map((s) => [s.start, s.end])).toEqual([
      ["2027-03-28T04:30:00+02:00", "2027-03-28T05:15:00+02:00"],
    ]);
  });
});
