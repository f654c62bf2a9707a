// What the service hands the planner and reads from outside for the strength log:
// stored settings and rows to the contract's fields, a watch's recorded sets to
// logged exercises, and an athlete's calendar to busy times without titles.
import { Encoder, type FileIdMesg, Profile, type SessionMesg, type SetMesg } from "@garmin/fitsdk";
import { describe, expect, it } from "vitest";
import { busyTimesFromIcs } from "../../src/integrations/calendar/busy-times.ts";
import { fitStrengthSets } from "../../src/integrations/fit/strength-sets.ts";
import { buildPlanInput } from "../../src/plan/build-input.ts";
import { loggedExercisesOf } from "../../src/plan/strength-log.ts";

describe("buildPlanInput with the strength fields", () => {
  const base = {
    now: new Date("2026-12-07T04:00:00Z"),
    timezone: "Europe/Berlin",
    activities: [],
    currentSessions: [],
    horizonDays: 14,
  };

  it("puts stored one-rep maxes in the contract's top-level lifts, units and increment on the athlete", () => {
    const { input } = buildPlanInput({
      ...base,
      settings: {
        lifts: { backSquat: { oneRepMaxKg: 100 } },
        units: "lb",
        loadIncrementKg: 2.26796,
        busyCalendarIcsUrl: "https://calendar.example.com/secret.ics",
      },
      strengthLog: [
        {
          date: "2026-12-03",
          session: "A",
          exercises: [{ name: "Back squat", sets: [{ reps: 5, weightKg: 80 }] }],
        },
      ],
      busy: [{ startAt: new Date("2026-12-09T16:00:00Z"), endAt: new Date("2026-12-09T19:00:00Z") }],
    });
    expect(input.lifts).toEqual({ backSquat: { oneRepMaxKg: 100 } });
    expect(input.athlete).toMatchObject({ units: "lb", loadIncrementKg: 2.26796 });
    expect(input.athlete).not.toHaveProperty("lifts");
    expect(input.athlete).not.toHaveProperty("busyCalendarIcsUrl");
    expect(input.strengthLog).toHaveLength(1);
    expect(input.busy).toEqual([{ start: "2026-12-09T16:00:00.000Z", end: "2026-12-09T19:00:00.000Z" }]);
  });

  it("adds none of them for an athlete without them, so the input is as before", () => {
    const { input } = buildPlanInput({ ...base, settings: {}, strengthLog: [], busy: [] });
    expect(Object.keys(input).sort()).toEqual([
      "athlete",
      "currentPlan",
      "from",
      "now",
      "runs",
      "strengthDone",
      "to",
    ]);
  });
});

describe("recorded sets as a session's log", () => {
  const squat = { category: "SQUAT", name: "BARBELL_BACK_SQUAT" };
  const split = { category: "LUNGE", name: "DUMBBELL_BULGARIAN_SPLIT_SQUAT" };
  const calf = { category: "CALF_RAISE", name: "STANDING_CALF_RAISE" };

  it("names each exercise as the session does, else as the planner does, else by Garmin's name", () => {
    const logged = loggedExercisesOf(
      {
        sets: [
          { exercise: squat, reps: 5, weightKg: 80, startMs: 0 },
          { exercise: calf, reps: 10, weightKg: 40, startMs: 1 },
          { exercise: squat, reps: 5, weightKg: 80, startMs: 2 },
          { exercise: split, reps: 8, weightKg: 14, startMs: 3 },
          { exercise: { category: "CURL", name: "BARBELL_BICEPS_CURL" }, reps: 10, weightKg: 25, startMs: 4 },
          { exercise: null, reps: 12, weightKg: 0, startMs: 5 },
        ],
        repsInReserve: 1.5,
      },
      [{ name: "Back squat" }, { name: "Heavy calf raise" }],
    );
    expect(logged.map((e) => [e.name, e.sets.length])).toEqual([
      ["Back squat", 2],
      ["Heavy calf raise", 1],
      ["Bulgarian split squat", 1],
      ["Barbell biceps curl", 1],
      ["Unknown exercise", 1],
    ]);
    expect(logged[0]?.sets[0]).toEqual({ reps: 5, weightKg: 80, repsInReserve: 1.5 });
  });

  it("leaves reps in reserve out when the effort was not rated", () => {
    const [e] = loggedExercisesOf(
      { sets: [{ exercise: squat, reps: 5, weightKg: 80, startMs: 0 }], repsInReserve: null },
      [],
    );
    expect(e?.sets[0]).toEqual({ reps: 5, weightKg: 80 });
  });

  it("reads a FIT file's working sets, skips rests, and turns the rated effort into reps in reserve", () => {
    const n = (k: string) => Profile.MesgNum[k] as number;
    const start = new Date("2026-12-07T17:00:00Z");
    const encoder = new Encoder();
    const fileId: FileIdMesg = {
      type: "activity",
      manufacturer: "garmin",
      product: 1,
      serialNumber: 1,
      timeCreated: start,
    };
    encoder.onMesg(n("FILE_ID"), fileId);
    const sets: SetMesg[] = [
      {
        startTime: start,
        setType: "active",
        repetitions: 5,
        weight: 82.5,
        category: ["squat"],
        categorySubtype: [6],
      },
      { startTime: start, setType: "rest", duration: 120 },
      {
        startTime: start,
        setType: "active",
        repetitions: 0,
        weight: 0,
        category: ["plank"],
        categorySubtype: [0],
      },
      {
        startTime: start,
        setType: "active",
        repetitions: 8,
        weight: 20,
        category: ["squat"],
        categorySubtype: [37],
      },
    ];
    for (const s of sets) encoder.onMesg(n("SET"), s);
    const session: SessionMesg = {
      startTime: start,
      timestamp: start,
      sport: "training",
      subSport: "strengthTraining",
      totalElapsedTime: 1800,
      workoutRpe: 75,
    };
    encoder.onMesg(n("SESSION"), session);
    const read = fitStrengthSets(encoder.close());
    expect(read.startMs).toBe(start.getTime());
    // RPE 7.5 of 10: 2.5 reps in reserve.
    expect(read.repsInReserve).toBe(2.5);
    expect(read.sets.map((s) => [s.exercise?.name, s.reps, s.weightKg])).toEqual([
      ["BARBELL_BACK_SQUAT", 5, 82.5],
      ["GOBLET_SQUAT", 8, 20],
    ]);
  });
});

describe("busy times from an iCalendar feed", () => {
  const ics = (...events: string[][]) =>
    ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Test//EN", ...events.flat(), "END:VCALENDAR"].join("\r\n");
  const event = (lines: string[]) => ["BEGIN:VEVENT", "DTSTAMP:20261201T000000Z", ...lines, "END:VEVENT"];
  const options = { timezone: "Europe/Berlin", from: "2026-12-07", to: "2026-12-20" };

  it("keeps busy events' start and end, repeating ones per occurrence, and drops free and cancelled ones", () => {
    const { busy } = busyTimesFromIcs(
      ics(
        event([
          "UID:standup",
          "DTSTART;TZID=Europe/Berlin:20261102T170000",
          "DTEND;TZID=Europe/Berlin:20261102T190000",
          "RRULE:FREQ=WEEKLY;BYDAY=WE",
          "SUMMARY:Choir",
        ]),
        event([
          "UID:free",
          "DTSTART:20261208T170000Z",
          "DTEND:20261208T180000Z",
          "TRANSP:TRANSPARENT",
          "SUMMARY:Maybe",
        ]),
        event([
          "UID:off",
          "DTSTART:20261209T050000Z",
          "DTEND:20261209T060000Z",
          "STATUS:CANCELLED",
          "SUMMARY:Off",
        ]),
        event(["UID:trip", "DTSTART;VALUE=DATE:20261212", "DTEND;VALUE=DATE:20261214", "SUMMARY:Trip"]),
        event(["UID:old", "DTSTART:20261101T170000Z", "DTEND:20261101T180000Z", "SUMMARY:Past"]),
      ),
      options,
    );
    expect(busy.map((b) => [new Date(b.startMs).toISOString(), new Date(b.endMs).toISOString()])).toEqual([
      ["2026-12-09T16:00:00.000Z", "2026-12-09T18:00:00.000Z"],
      ["2026-12-11T23:00:00.000Z", "2026-12-13T23:00:00.000Z"],
      ["2026-12-16T16:00:00.000Z", "2026-12-16T18:00:00.000Z"],
    ]);
    expect(JSON.stringify(busy)).not.toMatch(/Choir|Trip|Maybe/);
  });
});
