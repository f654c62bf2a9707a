// The `runstrong plan` input (contracts/cli.md) as a zod schema, its defaults, and
// the output shape. The schema is the edge check for the command line and the
// API; planStrength itself trusts its typed input and only fills the defaults.
import { z } from "zod";
import type { Classification, DayKind } from "../classify/types.ts";
import { DEFAULT_INCREMENT_KG, DEFAULT_INCREMENT_LB_KG, type Units } from "../strength/loadable.ts";
import { isValidDate, isValidTimeZone, type LocalDate, parseTime } from "../time.ts";

export type SessionLetter = "A" | "B";
export type Phase = "base" | "build" | "sharpening" | "taper";
export type StrengthTiming = "after-run" | "before-run";
export type StrengthExperience = "trained" | "new";

export const DEFAULT_QUALITY_BUFFER_HOURS = 12;
export const DEFAULT_SESSIONS_PER_WEEK = 2;
export const DEFAULT_WINDOW = { from: "06:00", to: "21:30" } as const;
export const DEFAULT_AVAILABILITY: AvailabilityWindow[] = [1, 2, 3, 4, 5, 6, 7].map((weekday) => ({
  weekday,
  ...DEFAULT_WINDOW,
}));
/** The longest range one plan covers: two years keeps a bad `to` from running for minutes. */
export const MAX_PLAN_DAYS = 731;

const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

const localDateSchema = z.string().refine(isValidDate, { message: "expected a date YYYY-MM-DD" });
const LOCAL_TIME = /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/;
const isLocalTime = (s: unknown): s is string => typeof s === "string" && LOCAL_TIME.test(s);
const localTimeSchema = z
  .string()
  .regex(LOCAL_TIME, { message: "expected a local time HH:MM (00:00-24:00)" });
const instantSchema = z
  .string()
  .regex(ISO_WITH_OFFSET, {
    message: "expected an ISO 8601 time with offset, e.g. 2026-12-07T18:00:00+01:00",
  })
  .refine((s) => Number.isFinite(Date.parse(s)), { message: "not a real date and time" });
const weekdaySchema = z.number().int().min(1).max(7);
const letterSchema = z.enum(["A", "B"]);

const availabilityWindowSchema = z
  .object({ weekday: weekdaySchema, from: localTimeSchema, to: localTimeSchema })
  // zod runs this even when a time failed its regex; such a window already has its issue.
  .refine((w) => !(isLocalTime(w.from) && isLocalTime(w.to)) || parseTime(w.from) < parseTime(w.to), {
    message: "from must be before to",
    path: ["to"],
  });

export const AthleteSettingsSchema = z.object({
  // Offsets such as "+01:00" pass Intl but have no DST rules: a zone name is required.
  timezone: z
    .string()
    .refine((tz) => /^[A-Za-z]/.test(tz) && isValidTimeZone(tz), { message: "not a valid IANA time zone" }),
  raceDate: localDateSchema.nullish(),
  sessionsPerWeek: z.number().int().min(1).max(3).default(DEFAULT_SESSIONS_PER_WEEK),
  qualityBufferHours: z.number().min(0).max(72).default(DEFAULT_QUALITY_BUFFER_HOURS),
  availability: z.array(availabilityWindowSchema).default(DEFAULT_AVAILABILITY),
  blackouts: z.array(localDateSchema).default([]),
  preferredWeekdays: z.array(weekdaySchema).default([]),
  strengthTiming: z.enum(["after-run", "before-run"]).default("after-run"),
  strengthExperience: z.enum(["trained", "new"]).default("trained"),
  liftingSince: localDateSchema.nullish(),
  // No defaults in the schema (withDefaults fills them): stored settings read back would otherwise grow them.
  units: z.enum(["kg", "lb"]).optional(),
  loadIncrementKg: z.number().positive().max(25).optional(),
});

const oneRepMaxSchema = z.object({
  oneRepMaxKg: z.number().positive().max(1000),
  /** when the athlete tested or entered it; logged sets from after it win, an undated value loses to any log */
  date: localDateSchema.optional(),
});

/** The athlete's own one-rep maxes (contracts: `lifts`); an unknown lift name is refused, not ignored. */
export const LiftsSchema = z
  .object({
    backSquat: oneRepMaxSchema,
    romanianDeadlift: oneRepMaxSchema,
    bulgarianSplitSquat: oneRepMaxSchema,
    stepUp: oneRepMaxSchema,
    calfRaise: oneRepMaxSchema,
    singleLegCalfRaise: oneRepMaxSchema,
  })
  .partial()
  .strict();

export const LoggedSetSchema = z.object({
  reps: z.number().int().min(0).max(100),
  weightKg: z.number().min(0).max(1000),
  /** absent: unknown. Halves (from RPE) are fine. */
  repsInReserve: z.number().min(0).max(10).optional(),
});

export const StrengthLogEntrySchema = z.object({
  date: localDateSchema,
  session: letterSchema.optional(),
  exercises: z.array(
    z.object({
      /** the name the plan prints ("Back squat"); names of other exercises are kept but load nothing */
      name: z.string().min(1).max(120),
      sets: z.array(LoggedSetSchema).max(50),
    }),
  ),
});

export const BusyIntervalSchema = z
  .object({ start: instantSchema, end: instantSchema })
  .refine((b) => Date.parse(b.start) < Date.parse(b.end), {
    message: "end must be after start",
    path: ["end"],
  });

export const PlanRunSchema = z.object({
  start: instantSchema,
  durationMin: z
    .number()
    .positive()
    .max(24 * 60),
  kind: z.enum(["easy", "quality"]).optional(),
  title: z.string().optional(),
  /** a full Strava DetailedActivity; the command maps and classifies it (the domain knows no Strava) */
  activity: z.record(z.string(), z.unknown()).optional(),
});

export const StrengthDoneSchema = z.object({
  start: instantSchema,
  durationMin: z.number().positive().max(600).default(45),
  /** which session it was, when the athlete says; otherwise it takes the letter of the session it completes */
  session: letterSchema.optional(),
});

export const CurrentPlanSessionSchema = z.object({
  start: instantSchema,
  session: letterSchema,
  end: instantSchema.optional(),
  /** the caller's identity for this session (e.g. planned_sessions.session_key); carried to where it lands */
  key: z.string().optional(),
});

export const PlanInputSchema = z
  .object({
    now: instantSchema.optional(),
    from: localDateSchema,
    to: localDateSchema,
    athlete: AthleteSettingsSchema,
    runs: z.array(PlanRunSchema),
    strengthDone: z.array(StrengthDoneSchema).default([]),
    currentPlan: z.array(CurrentPlanSessionSchema).default([]),
    lifts: LiftsSchema.optional(),
    /** at most 5,000 days (over 13 years of daily lifting) */
    strengthLog: z.array(StrengthLogEntrySchema).max(5000).optional(),
    busy: z.array(BusyIntervalSchema).optional(),
  })
  .refine((i) => i.from <= i.to, { message: "must not be before from", path: ["to"] })
  .refine((i) => Date.parse(i.to) - Date.parse(i.from) <= (MAX_PLAN_DAYS - 1) * 86_400_000, {
    message: `a plan covers at most ${MAX_PLAN_DAYS} days`,
    path: ["to"],
  });

export type AvailabilityWindow = z.output<typeof availabilityWindowSchema>;
export type AthleteSettings = z.output<typeof AthleteSettingsSchema>;
export type StrengthDone = z.output<typeof StrengthDoneSchema>;
export type CurrentPlanSession = z.output<typeof CurrentPlanSessionSchema>;
export type Lifts = z.output<typeof LiftsSchema>;
export type StrengthLogEntry = z.output<typeof StrengthLogEntrySchema>;
export type BusyInterval = z.output<typeof BusyIntervalSchema>;
/** The athlete with every default filled in. */
export type ResolvedAthlete = Omit<AthleteSettings, "units" | "loadIncrementKg"> & {
  units: Units;
  loadIncrementKg: number;
};

/** A run as planStrength takes it. A caller that has already classified it (the re-plan
 * worker, the command for a full Strava activity) passes `classification`. */
export type PlanRunInput = z.input<typeof PlanRunSchema> & { classification?: Classification };
export type PlanRun = z.output<typeof PlanRunSchema> & { classification?: Classification };

/** What planStrength accepts: the contract's input, optional fields may be left out. */
export type PlanInput = Omit<z.input<typeof PlanInputSchema>, "runs"> & { runs: PlanRunInput[] };
/** The same with every default filled in. */
export type ResolvedPlanInput = Omit<
  z.output<typeof PlanInputSchema>,
  "runs" | "now" | "athlete" | "lifts" | "strengthLog" | "busy"
> & {
  now: string;
  athlete: ResolvedAthlete;
  runs: PlanRun[];
  lifts: Lifts;
  strengthLog: StrengthLogEntry[];
  busy: BusyInterval[];
};

/** Fills the contract's defaults; `now` defaults to the start of `from` in the athlete's zone. */
export function withDefaults(input: PlanInput, startOfFrom: (from: LocalDate) => string): ResolvedPlanInput {
  const a = input.athlete;
  return {
    now: input.now ?? startOfFrom(input.from),
    from: input.from,
    to: input.to,
    athlete: {
      timezone: a.timezone,
      raceDate: a.raceDate ?? null,
      sessionsPerWeek: a.sessionsPerWeek ?? DEFAULT_SESSIONS_PER_WEEK,
      qualityBufferHours: a.qualityBufferHours ?? DEFAULT_QUALITY_BUFFER_HOURS,
      availability: a.availability ?? DEFAULT_AVAILABILITY,
      blackouts: a.blackouts ?? [],
      preferredWeekdays: a.preferredWeekdays ?? [],
      strengthTiming: a.strengthTiming ?? "after-run",
      strengthExperience: a.strengthExperience ?? "trained",
      liftingSince: a.liftingSince ?? null,
      units: a.units ?? "kg",
      loadIncrementKg:
        a.loadIncrementKg ?? (a.units === "lb" ? DEFAULT_INCREMENT_LB_KG : DEFAULT_INCREMENT_KG),
    },
    runs: input.runs,
    strengthDone: (input.strengthDone ?? []).map((s) => ({ ...s, durationMin: s.durationMin ?? 45 })),
    currentPlan: input.currentPlan ?? [],
    lifts: input.lifts ?? {},
    strengthLog: input.strengthLog ?? [],
    busy: input.busy ?? [],
  };
}

/** The first problem in a rejected input, as one line naming the field: "athlete.timezone: not a valid IANA time zone". */
export function describeInputError(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return "invalid input";
  const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
  return `${path.replace(/^\./, "") || "(input)"}: ${issue.message}`;
}

export interface Exercise {
  name: string;
  sets: number;
  reps: string;
  load: string;
  /** the load in kg, a whole multiple of the athlete's increment, when a one-rep max is known or estimated */
  loadKg?: number;
}

export interface PlannedSession {
  start: string;
  end: string;
  session: SessionLetter;
  phase: Phase;
  exercises: Exercise[];
  reasons: string[];
  /** the currentPlan session's key this one continues, when the caller gave keys */
  key?: string;
}

export interface PlannedDay {
  date: LocalDate;
  kind: DayKind;
  reasons: string[];
}

export interface UnplacedSession {
  /** the Monday that starts the week, athlete-local */
  week: LocalDate;
  session: SessionLetter;
  reason: string;
}

export interface PlanOutput {
  days: PlannedDay[];
  sessions: PlannedSession[];
  unplaced: UnplacedSession[];
}
