// Shapes shared by run and day classification and by the planner that reads them.

export type RunKind = "easy" | "quality";
export type ActivityKind = RunKind | "strength" | "other";
export type RunSubtype = "recovery" | "easy" | "long" | "tempo" | "intervals" | "race" | "workout";
export type DayKind = "easy" | "quality" | "rest";

export interface Classification {
  kind: ActivityKind;
  /** set for runs, null otherwise */
  subtype: RunSubtype | null;
  /** 0..1: how sure the evidence makes us; thin evidence gives a low number, never a bold guess */
  confidence: number;
  /** plain sentences naming the evidence, strongest first */
  reasons: string[];
}

/** Heart-rate zones in the shape of Strava's GET /athlete/zones heart_rate.zones (top zone max -1). */
export interface HeartRateZone {
  min: number;
  max: number;
}

/** What classification knows about the athlete beyond the activity itself. */
export interface ClassifyContext {
  /** heart-rate zones, lowest first; zone 2's max is the easy ceiling */
  hrZones?: HeartRateZone[] | null;
  maxHr?: number | null;
  /** rolling easy pace (m/s) and usual run duration (s) from the athlete's recent runs */
  baseline?: RunBaseline | null;
  /** the athlete's own verdict on this activity, which beats every other signal */
  override?: RunKind | null;
}

export interface RunBaseline {
  easySpeedMps: number | null;
  usualRunS: number | null;
  /**
   * median average heart rate of those easy-looking runs: the athlete's own easy
   * effort, which tells a miscalibrated zone table (Strava's age-based default) from
   * a hard run
   */
  easyHr?: number | null;
  /** median Strava relative effort (suffer_score) per hour of those easy-looking runs */
  easySufferPerHour?: number | null;
  /** how many runs the baseline rests on */
  runs: number;
}

export interface DayClassification {
  date: string;
  kind: DayKind;
  reasons: string[];
  confidence: number;
}
