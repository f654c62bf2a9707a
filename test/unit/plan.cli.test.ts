// `runstrong plan` in-process: the contract's example in, valid output out; bad
// input of every kind gives one line on standard error naming the field, exit 2.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { run } from "../../src/commands/plan.ts";
import { planContextOf } from "../../src/domain/plan/context.ts";
import type { PlanInput, PlanOutput } from "../../src/domain/plan/input.ts";
import { checkSession } from "../../src/domain/plan/rules.ts";

const CONTRACT_EXAMPLE = {
  now: "2026-12-07T05:00:00+01:00",
  from: "2026-12-07",
  to: "2026-12-20",
  athlete: {
    timezone: "Europe/Berlin",
    raceDate: "2027-04-18",
    sessionsPerWeek: 2,
    qualityBufferHours: 12,
    availability: [{ weekday: 1, from: "06:00", to: "21:30" }],
    blackouts: ["2026-12-24"],
    preferredWeekdays: [1, 4],
  },
  runs: [
    { start: "2026-12-07T07:00:00+01:00", durationMin: 45, kind: "easy", title: "Easy run" },
    { start: "2026-12-08T18:00:00+01:00", durationMin: 60, title: "6x800m" },
  ],
  strengthDone: [{ start: "2026-12-03T18:00:00+01:00", durationMin: 40 }],
  currentPlan: [{ start: "2026-12-07T18:00:00+01:00", session: "A" }],
};

async function plan(args: string[], stdin = ""): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = {
    stdin: new PassThrough(),
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    env: {},
    cwd: tmpdir(),
  };
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  io.stdout.on("data", (c: Buffer) => out.push(c));
  io.stderr.on("data", (c: Buffer) => err.push(c));
  io.stdin.end(stdin);
  const code = await run(args, io);
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

function file(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), "runstrong-plan-"));
  const path = join(dir, "input.json");
  writeFileSync(path, content);
  return path;
}

describe("runstrong plan", () => {
  it("plans the contract's example from a file into the contract's output shape", async () => {
    const { code, stdout, stderr } = await plan([file(JSON.stringify(CONTRACT_EXAMPLE))]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as PlanOutput;
    expect(Object.keys(out)).toEqual(["days", "sessions", "unplaced"]);
    expect(out.days).toHaveLength(14);
    expect(out.days[0]).toEqual({ date: "2026-12-07", kind: "easy", reasons: expect.any(Array) });
    expect(out.days[1]?.kind).toBe("quality");
    expect(out.sessions[0]).toMatchObject({
      start: "2026-12-07T18:00:00+01:00",
      end: "2026-12-07T18:45:00+01:00",
      session: "A",
      phase: "base",
    });
    for (const s of out.sessions) {
      expect(Object.keys(s)).toEqual(["start", "end", "session", "phase", "exercises", "reasons"]);
      expect(s.exercises.every((e) => Object.keys(e).join() === "name,sets,reps,load")).toBe(true);
      const others = out.sessions.filter((o) => o !== s);
      expect(checkSession(s, planContextOf(CONTRACT_EXAMPLE as PlanInput), others)).toEqual([]);
    }
    for (const u of out.unplaced) {
      expect(Object.keys(u)).toEqual(["week", "session", "reason"]);
      expect(["2026-12-07", "2026-12-14"]).toContain(u.week);
    }
  });

  it("reads standard input without FILE and with -", async () => {
    const a = await plan([], JSON.stringify(CONTRACT_EXAMPLE));
    const b = await plan(["-"], JSON.stringify(CONTRACT_EXAMPLE));
    expect(a.code).toBe(0);
    expect(b.stdout).toBe(a.stdout);
  });

  it("accepts the minimal input: from, to, athlete.timezone and runs", async () => {
    const { code, stdout } = await plan(
      [],
      JSON.stringify({
        from: "2026-12-07",
        to: "2026-12-13",
        athlete: { timezone: "America/New_York" },
        runs: [],
      }),
    );
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as PlanOutput;
    expect(out.sessions).toHaveLength(2);
    expect(out.sessions.every((s) => s.start.endsWith("-05:00"))).toBe(true);
  });

  it.each([
    ["invalid JSON", "{ not json", /^runstrong plan: invalid JSON: /],
    [
      "a missing time zone",
      JSON.stringify({ from: "2026-12-07", to: "2026-12-13", athlete: {}, runs: [] }),
      /^runstrong plan: athlete\.timezone: /,
    ],
    [
      "an unknown time zone",
      JSON.stringify({
        from: "2026-12-07",
        to: "2026-12-13",
        athlete: { timezone: "Mars/Olympus" },
        runs: [],
      }),
      /^runstrong plan: athlete\.timezone: not a valid IANA time zone\n$/,
    ],
    [
      "a run time without offset",
      JSON.stringify({
        from: "2026-12-07",
        to: "2026-12-13",
        athlete: { timezone: "Europe/Berlin" },
        runs: [{ start: "2026-12-07T07:00:00", durationMin: 45 }],
      }),
      /^runstrong plan: runs\[0\]\.start: expected an ISO 8601 time with offset/,
    ],
    [
      "a window ending before it starts",
      JSON.stringify({
        from: "2026-12-07",
        to: "2026-12-13",
        athlete: { timezone: "Europe/Berlin", availability: [{ weekday: 1, from: "20:00", to: "07:00" }] },
        runs: [],
      }),
      /^runstrong plan: athlete\.availability\[0\]\.to: from must be before to\n$/,
    ],
    [
      "to before from",
      JSON.stringify({
        from: "2026-12-13",
        to: "2026-12-07",
        athlete: { timezone: "Europe/Berlin" },
        runs: [],
      }),
      /^runstrong plan: to: must not be before from\n$/,
    ],
    [
      "missing runs",
      JSON.stringify({ from: "2026-12-07", to: "2026-12-13", athlete: { timezone: "UTC" } }),
      /^runstrong plan: runs: /,
    ],
  ])("exits 2 with one line naming the field for %s", async (_name, text, message) => {
    const { code, stdout, stderr } = await plan([], text);
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("exits 2 for a file it cannot read and for extra arguments", async () => {
    expect((await plan(["/nonexistent/plan.json"])).stderr).toMatch(
      /^runstrong plan: cannot read \/nonexistent\/plan\.json: ENOENT/,
    );
    expect((await plan(["a.json", "b.json"])).code).toBe(2);
  });

  it("classifies a run given as a full Strava activity, and takes a strength activity as logged strength", async () => {
    const strava = (id: number, name: string, sport: string, start: string, workoutType: number | null) => ({
      id,
      name,
      type: sport,
      sport_type: sport,
      start_date: start,
      start_date_local: start,
      timezone: "(GMT+01:00) Europe/Berlin",
      utc_offset: 3600,
      moving_time: 3000,
      elapsed_time: 3100,
      distance: 10000,
      workout_type: workoutType,
    });
    const input = {
      from: "2026-12-07",
      to: "2026-12-13",
      athlete: { timezone: "Europe/Berlin" },
      runs: [
        {
          start: "2026-12-07T07:00:00+01:00",
          durationMin: 50,
          activity: strava(1, "Morning Run", "Run", "2026-12-07T06:00:00Z", 3),
        },
        {
          start: "2026-12-08T18:00:00+01:00",
          durationMin: 40,
          activity: strava(2, "Gym", "WeightTraining", "2026-12-08T17:00:00Z", null),
        },
      ],
    };
    const { code, stdout, stderr } = await plan([], JSON.stringify(input));
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as PlanOutput;
    expect(out.days[0]?.kind).toBe("quality");
    // The logged gym session on Tuesday 18:00 keeps the next one 48 h away.
    expect(
      out.sessions.every(
        (s) => Date.parse(s.start) - Date.parse("2026-12-08T18:00:00+01:00") >= 48 * 3_600_000,
      ),
    ).toBe(true);
  });

  it("exits 2 naming the run when its activity is not a Strava activity", async () => {
    const input = {
      from: "2026-12-07",
      to: "2026-12-13",
      athlete: { timezone: "Europe/Berlin" },
      runs: [{ start: "2026-12-07T07:00:00+01:00", durationMin: 50, activity: { name: "x" } }],
    };
    const { code, stderr } = await plan([], JSON.stringify(input));
    expect(code).toBe(2);
    expect(stderr).toMatch(/^runstrong plan: runs\[0\]\.activity: not a Strava activity/);
  });
});

describe("runstrong plan with loads, logs and busy times", () => {
  const LOADS_EXAMPLE = {
    ...CONTRACT_EXAMPLE,
    athlete: { ...CONTRACT_EXAMPLE.athlete, units: "kg", loadIncrementKg: 2.5 },
    lifts: { backSquat: { oneRepMaxKg: 100 }, romanianDeadlift: { oneRepMaxKg: 110 } },
    strengthLog: [
      {
        date: "2026-12-03",
        session: "A",
        exercises: [{ name: "Back squat", sets: [{ reps: 5, weightKg: 80, repsInReserve: 2 }] }],
      },
    ],
    busy: [{ start: "2026-12-09T17:00:00+01:00", end: "2026-12-09T20:00:00+01:00" }],
  };

  it("plans the contract's example: loadKg on each loaded exercise, a multiple of the increment, with the why", async () => {
    const { code, stdout, stderr } = await plan([file(JSON.stringify(LOADS_EXAMPLE))]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    const out = JSON.parse(stdout) as PlanOutput;
    const [a, b] = out.sessions;
    expect(a?.exercises.map((e) => [e.name, e.loadKg])).toEqual([
      ["Back squat", 80],
      ["Bulgarian split squat", undefined],
      ["Heavy calf raise", undefined],
      ["Box jump", undefined],
    ]);
    expect(Object.keys(a?.exercises[0] ?? {})).toEqual(["name", "sets", "reps", "load", "loadKg"]);
    // One set of 5 where the base phase asks for 3 x 8-10: missed reps, so the load holds.
    expect(a?.reasons).toContain(
      "Back squat 3 x 8-10 at 80 kg, as last time: last Thursday's sets missed prescribed reps; a second time in a row takes it down one step",
    );
    expect(b?.exercises[0]).toMatchObject({ name: "Romanian deadlift", loadKg: 70 });
    expect(b?.reasons).toContain(
      "Romanian deadlift 3 x 8-10 at 70 kg: 65% of your one-rep max of 110 kg (your setting)",
    );
  });

  it("prints byte for byte the same for an input without the new fields and with them empty", async () => {
    const without = await plan([], JSON.stringify(CONTRACT_EXAMPLE));
    const empty = await plan(
      [],
      JSON.stringify({
        ...CONTRACT_EXAMPLE,
        athlete: { ...CONTRACT_EXAMPLE.athlete, units: "kg" },
        lifts: {},
        strengthLog: [],
        busy: [],
      }),
    );
    expect(without.code).toBe(0);
    expect(empty.stdout).toBe(without.stdout);
    expect(without.stdout).not.toContain("loadKg");
  });

  it.each([
    [
      "units",
      { athlete: { ...CONTRACT_EXAMPLE.athlete, units: "stone" } },
      /^runstrong plan: athlete\.units: /,
    ],
    [
      "a zero increment",
      { athlete: { ...CONTRACT_EXAMPLE.athlete, loadIncrementKg: 0 } },
      /^runstrong plan: athlete\.loadIncrementKg: /,
    ],
    [
      "an unknown lift",
      { lifts: { benchPress: { oneRepMaxKg: 80 } } },
      /^runstrong plan: lifts: .*benchPress/,
    ],
    [
      "a one-rep max of zero",
      { lifts: { backSquat: { oneRepMaxKg: 0 } } },
      /^runstrong plan: lifts\.backSquat\.oneRepMaxKg: /,
    ],
    [
      "negative reps",
      {
        strengthLog: [
          { date: "2026-12-03", exercises: [{ name: "Back squat", sets: [{ reps: -1, weightKg: 80 }] }] },
        ],
      },
      /^runstrong plan: strengthLog\[0\]\.exercises\[0\]\.sets\[0\]\.reps: /,
    ],
    [
      "a log without a date",
      { strengthLog: [{ exercises: [] }] },
      /^runstrong plan: strengthLog\[0\]\.date: /,
    ],
    [
      "a busy time ending before it starts",
      { busy: [{ start: "2026-12-09T20:00:00+01:00", end: "2026-12-09T17:00:00+01:00" }] },
      /^runstrong plan: busy\[0\]\.end: end must be after start\n$/,
    ],
  ])("exits 2 with one line naming the field for %s", async (_name, over, message) => {
    const { code, stdout, stderr } = await plan([], JSON.stringify({ ...CONTRACT_EXAMPLE, ...over }));
    expect(code).toBe(2);
    expect(stdout).toBe("");
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split("\n")).toHaveLength(1);
  });
});
