// `npm run bench -- plan [--athletes N] [--season-runs N]`: how fast planStrength is.
// `seasonWithLog` plans the same season with a year of strength log, one-rep
// maxes and two busy evenings a week (issue 13: the figures stay within noise).
// Targets (issue 3): one athlete's 16-week season in < 5 ms, and 10,000 athletes
// x 2 weeks in < 10 s on one core. Inputs come from a seeded generator shaped like
// real athletes (a weekly template with jittered times and lengths, evening and
// weekend availability, a race, a few blackouts and logged sessions), so every run
// of the bench plans the same inputs.
import { availableParallelism, loadavg } from "node:os";
import { type PlanInput, PlanInputSchema } from "../src/domain/plan/input.ts";
import { planStrength } from "../src/domain/plan/plan.ts";
import { DEFAULT_RUN_TEMPLATE, expandRunTemplate } from "../src/domain/plan/run-template.ts";
import { addDays } from "../src/domain/time.ts";

const ZONES = [
  "Europe/Berlin",
  "America/New_York",
  "Australia/Sydney",
  "Asia/Kathmandu",
  "Europe/London",
  "America/Los_Angeles",
];
const TITLES = ["Easy run", "Recovery", "Tempo 3x10 min", "8x400", "Long run", "Progression run"];

/** mulberry32: small, fast, and the same sequence on every machine. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function athleteInput(rand: () => number, from: string, weeks: number): PlanInput {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const timezone = pick(ZONES);
  const to = addDays(from, 7 * weeks - 1);
  const runs = expandRunTemplate(DEFAULT_RUN_TEMPLATE, from, to, timezone).map((r) => {
    // Shift each run by up to +-90 min and +-20 % in length; one in ten is an evening run; a few titles change.
    const shiftMin = Math.round((rand() - 0.5) * 180) + (rand() < 0.1 ? 11 * 60 : 0);
    const start = new Date(Date.parse(r.start) + shiftMin * 60_000).toISOString();
    const durationMin = Math.round(r.durationMin * (0.8 + rand() * 0.4));
    return rand() < 0.15
      ? { start, durationMin, title: pick(TITLES) }
      : { start, durationMin, kind: r.kind, title: r.title };
  });
  const weekdayEvenings = [1, 2, 3, 4, 5].map((weekday) => ({
    weekday,
    from: pick(["06:00", "16:30", "17:00"]),
    to: "21:30",
  }));
  const weekend = [6, 7].map((weekday) => ({
    weekday,
    from: "08:00",
    to: pick(["13:00", "18:00", "20:00"]),
  }));
  const blackouts = Array.from({ length: Math.floor(rand() * 3) }, () =>
    addDays(from, Math.floor(rand() * 7 * weeks)),
  );
  const strengthDone =
    rand() < 0.5
      ? [{ start: new Date(Date.parse(`${from}T17:00:00Z`) - 3 * 86_400_000).toISOString(), durationMin: 40 }]
      : [];
  return {
    from,
    to,
    athlete: {
      timezone,
      raceDate: rand() < 0.8 ? addDays(to, Math.floor(rand() * 21)) : null,
      sessionsPerWeek: rand() < 0.15 ? 3 : 2,
      availability: [...weekdayEvenings, ...weekend],
      blackouts,
      preferredWeekdays: rand() < 0.3 ? [1, 4] : [],
      strengthTiming: rand() < 0.1 ? "before-run" : "after-run",
    },
    runs,
    strengthDone,
  };
}

/**
 * A year of logged A and B sessions (Monday and Thursday) before `from`, as an
 * athlete following the base prescription logs them: 3 sets of 8-10, loads
 * creeping up, mostly 2 reps in reserve, sometimes 1, now and then a missed rep;
 * their maxes; and two busy evenings a week through the season.
 */
function withStrengthLog(rand: () => number, input: PlanInput, weeks: number): PlanInput {
  const log: NonNullable<PlanInput["strengthLog"]> = [];
  const sets = (reps: number, weightKg: number) =>
    Array.from({ length: 3 }, (_, i) => ({
      reps: i === 2 && rand() < 0.1 ? reps - 1 : reps,
      weightKg,
      repsInReserve: rand() < 0.7 ? 2 : 1,
    }));
  for (let week = 52; week >= 1; week--) {
    const monday = addDays(input.from, -7 * week);
    const grow = Math.floor((52 - week) / 2) * 2.5;
    log.push({
      date: monday,
      session: "A",
      exercises: [
        { name: "Back squat", sets: sets(8, 60 + grow) },
        { name: "Bulgarian split squat", sets: sets(8, 20 + grow / 4) },
        { name: "Heavy calf raise", sets: sets(10, 50 + grow / 2) },
        { name: "Box jump", sets: sets(5, 0) },
      ],
    });
    log.push({
      date: addDays(monday, 3),
      session: "B",
      exercises: [
        { name: "Romanian deadlift", sets: sets(8, 70 + grow) },
        { name: "Step-up", sets: sets(10, 20 + grow / 4) },
        { name: "Single-leg calf raise", sets: sets(10, 10 + grow / 4) },
        { name: "Single-leg hop", sets: sets(8, 0) },
      ],
    });
  }
  const busy: NonNullable<PlanInput["busy"]> = [];
  for (let week = 0; week < weeks; week++) {
    for (const day of [1, 3]) {
      const date = addDays(input.from, 7 * week + day);
      busy.push({ start: `${date}T17:30:00Z`, end: `${date}T19:30:00Z` });
    }
  }
  return {
    ...input,
    lifts: { backSquat: { oneRepMaxKg: 110 }, romanianDeadlift: { oneRepMaxKg: 125 } },
    strengthLog: log,
    busy,
  };
}

interface Timing {
  /** wall-clock milliseconds per plan, sorted */
  times: number[];
  /** this process's CPU milliseconds per plan (user + system), which others' load on a shared machine disturbs less */
  cpuMs: number;
  sessions: number;
  unplaced: number;
}

/**
 * Times planStrength on each input, the inputs taking turns sample by sample so a
 * busy machine slows them alike and their figures stay comparable.
 */
function timedTogether(inputs: readonly PlanInput[], samples: number): Timing[] {
  for (let i = 0; i < 300; i++) for (const input of inputs) planStrength(input);
  const out: Timing[] = inputs.map(() => ({ times: [], cpuMs: 0, sessions: 0, unplaced: 0 }));
  for (let i = 0; i < samples; i++) {
    inputs.forEach((input, k) => {
      const t = out[k] as Timing;
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const plan = planStrength(input);
      t.times.push(performance.now() - t0);
      const cpu = process.cpuUsage(cpu0);
      t.cpuMs += (cpu.user + cpu.system) / 1000;
      t.sessions = plan.sessions.length;
      t.unplaced = plan.unplaced.length;
    });
  }
  for (const t of out) {
    t.times.sort((a, b) => a - b);
    t.cpuMs /= samples;
  }
  return out;
}

/** 100 zod parses of the input, the edge check the command line and the API run, sorted. */
function parseTimesOf(input: PlanInput): number[] {
  const out: number[] = [];
  for (let i = 0; i < 100; i++) {
    const t0 = performance.now();
    PlanInputSchema.parse(input);
    out.push(performance.now() - t0);
  }
  return out.sort((a, b) => a - b);
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
}

export async function main(args: string[]): Promise<object> {
  const athletes = arg(args, "--athletes", 10_000);
  const seasonRuns = arg(args, "--season-runs", 300);
  const rand = seeded(20261207);

  // One 16-week season, re-planned many times (as the worker does on every run), after a
  // warm-up long enough for the JIT to settle (with 50 runs the p95 still caught compilation).
  const season = athleteInput(rand, "2026-12-07", 16);
  const seasonLogged = withStrengthLog(seeded(13), season, 16);
  const [plain, logged] = timedTogether([season, seasonLogged], seasonRuns) as [Timing, Timing];
  const { times, sessions, unplaced } = plain;
  const parseTimes = parseTimesOf(season);
  const loggedParseTimes = parseTimesOf(seasonLogged);

  // 10,000 athletes x 2 weeks: inputs built first, then planned back to back on one core.
  const cohort = Array.from({ length: athletes }, () => athleteInput(rand, "2026-12-07", 2));
  for (let i = 0; i < Math.min(200, athletes); i++) planStrength(cohort[i] as PlanInput);
  let placed = 0;
  const t0 = performance.now();
  for (const input of cohort) placed += planStrength(input).sessions.length;
  const totalMs = performance.now() - t0;

  return {
    node: process.version,
    // The machine's 1-minute load average: on a shared machine the wall clock also counts others' work.
    loadAverage1m: round(loadavg()[0] ?? 0, 2),
    cpus: availableParallelism(),
    season: {
      weeks: 16,
      runs: season.runs.length,
      sessions,
      unplaced,
      samples: seasonRuns,
      medianMs: round(quantile(times, 0.5)),
      p95Ms: round(quantile(times, 0.95)),
      cpuMsPerPlan: round(plain.cpuMs),
      targetMs: 5,
      zodParseMedianMs: round(quantile(parseTimes, 0.5)),
    },
    seasonWithLog: {
      weeks: 16,
      strengthLogEntries: seasonLogged.strengthLog?.length ?? 0,
      busyIntervals: seasonLogged.busy?.length ?? 0,
      sessions: logged.sessions,
      unplaced: logged.unplaced,
      samples: seasonRuns,
      medianMs: round(quantile(logged.times, 0.5)),
      p95Ms: round(quantile(logged.times, 0.95)),
      cpuMsPerPlan: round(logged.cpuMs),
      zodParseMedianMs: round(quantile(loggedParseTimes, 0.5)),
    },
    cohort: {
      athletes,
      weeks: 2,
      sessions: placed,
      totalS: round(totalMs / 1000),
      perAthleteMs: round(totalMs / athletes),
      targetS: 10,
    },
    heapUsedMB: round(process.memoryUsage().heapUsed / 1048576, 1),
  };
}
