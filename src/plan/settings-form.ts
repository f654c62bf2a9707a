// The /settings page's forms as settings PATCH bodies, and back. A form field is
// only re-shaped here (a number field's text becomes a number, seven weekday rows
// become the availability list), never judged: whatever does not read as its
// shape is passed on as the text it is, so updateSettings refuses it in the same
// words the JSON API answers. Each form posts one section; a field the athlete
// left as it is stays out of the body, so a field taking runstrong's default
// keeps taking it. "Use the default" ticked on a field left as shown sends the
// default (a value typed over it wins: that is what the athlete chose).
import {
  DEFAULT_AVAILABILITY,
  DEFAULT_QUALITY_BUFFER_HOURS,
  DEFAULT_SESSIONS_PER_WEEK,
  LiftsSchema,
} from "../domain/plan/input.ts";
import { DEFAULT_RUN_TEMPLATE } from "../domain/plan/run-template.ts";
import { DEFAULT_INCREMENT_KG, DEFAULT_INCREMENT_LB_KG } from "../domain/strength/loadable.ts";
import type { IntervalsIcuView } from "./intervals-link.ts";
import type { SettingsView } from "./settings-view.ts";
import type { FieldProblem } from "./update-settings.ts";

/** A form's fields by name, as posted (text only; files and repeats are not ours). */
export type FormValues = Record<string, string>;

/** The page's sections, each one form posting to /settings/<section>, with the settings it holds. */
export const SETTINGS_SECTIONS = {
  plan: [
    "timezone",
    "raceDate",
    "sessionsPerWeek",
    "qualityBufferHours",
    "strengthTiming",
    "preferredWeekdays",
  ],
  availability: ["availability", "blackouts"],
  runs: ["runTemplate"],
  strength: ["strengthExperience", "liftingSince", "units", "loadIncrementKg", "lifts"],
  calendars: ["runningPlanIcsUrl", "busyCalendarIcsUrl"],
  intervals: ["intervalsIcu"],
} as const;
export type SettingsSection = keyof typeof SETTINGS_SECTIONS;
export const SECTION_NAMES = Object.keys(SETTINGS_SECTIONS) as SettingsSection[];

/** ISO weekdays, 1 = Monday. */
export const WEEKDAYS = [1, 2, 3, 4, 5, 6, 7] as const;
export const LIFT_NAMES = Object.keys(LiftsSchema.shape) as (keyof typeof LiftsSchema.shape)[];
/** Window rows shown per weekday: the athlete's own plus one empty for another. */
export const MAX_WINDOWS = 4;
/** Rows scanned for the weekly run template (the API takes at most 21 runs). */
export const MAX_TEMPLATE_ROWS = 24;

export type PageView = SettingsView & { intervalsIcu: IntervalsIcuView };

/** The default value of each setting that has one and cannot be cleared with null. */
export function defaultOf(
  field: "sessionsPerWeek" | "qualityBufferHours" | "availability" | "runTemplate" | "loadIncrementKg",
  units: string,
): unknown {
  switch (field) {
    case "sessionsPerWeek":
      return DEFAULT_SESSIONS_PER_WEEK;
    case "qualityBufferHours":
      return DEFAULT_QUALITY_BUFFER_HOURS;
    case "availability":
      return DEFAULT_AVAILABILITY;
    case "runTemplate":
      return DEFAULT_RUN_TEMPLATE;
    case "loadIncrementKg":
      return units === "lb" ? DEFAULT_INCREMENT_LB_KG : DEFAULT_INCREMENT_KG;
  }
}

interface Window {
  weekday: number;
  from: string;
  to: string;
}
interface TemplateRow {
  weekday: number;
  time: string;
  durationMin: number;
  kind: string;
  title: string;
}

/** The stored settings as the forms' fields. */
export function formOfView(view: PageView): FormValues {
  const f: FormValues = {
    timezone: view.timezone,
    raceDate: view.raceDate ?? "",
    sessionsPerWeek: String(view.sessionsPerWeek),
    qualityBufferHours: String(view.qualityBufferHours),
    strengthTiming: view.strengthTiming,
    blackouts: view.blackouts.join("\n"),
    strengthExperience: view.strengthExperience,
    liftingSince: view.liftingSince ?? "",
    units: view.units,
    loadIncrementKg: String(view.loadIncrementKg),
    runningPlanIcsUrl: view.runningPlanIcsUrl ?? "",
    busyCalendarIcsUrl: view.busyCalendarIcsUrl ?? "",
    "intervalsIcu.athleteId": view.intervalsIcu.athleteId ?? "",
  };
  for (const field of [
    "sessionsPerWeek",
    "qualityBufferHours",
    "availability",
    "runTemplate",
    "loadIncrementKg",
  ] as const)
    if (sameJson(view[field], defaultOf(field, view.units))) f[`${field}.default`] = "on";
  for (const d of view.preferredWeekdays) f[`preferredWeekdays.${d}`] = "on";
  const seen = new Map<number, number>();
  for (const w of view.availability as Window[]) {
    const i = seen.get(w.weekday) ?? 0;
    seen.set(w.weekday, i + 1);
    f[`availability.${w.weekday}.on`] = "on";
    f[`availability.${w.weekday}.from.${i}`] = w.from;
    f[`availability.${w.weekday}.to.${i}`] = w.to;
  }
  (view.runTemplate as TemplateRow[]).forEach((r, i) => {
    f[`runTemplate.${i}.weekday`] = String(r.weekday);
    f[`runTemplate.${i}.time`] = r.time;
    f[`runTemplate.${i}.durationMin`] = String(r.durationMin);
    f[`runTemplate.${i}.kind`] = r.kind;
    f[`runTemplate.${i}.title`] = r.title;
  });
  for (const name of LIFT_NAMES) {
    const lift = view.lifts[name];
    if (!lift) continue;
    f[`lifts.${name}.kg`] = String(lift.oneRepMaxKg);
    if (lift.date) f[`lifts.${name}.date`] = lift.date;
  }
  return f;
}

/** The fields of `form` that belong to `section` (the name before the first dot is the setting). */
export function sectionValues(form: FormValues, section: SettingsSection): FormValues {
  const fields: readonly string[] = SETTINGS_SECTIONS[section];
  return Object.fromEntries(Object.entries(form).filter(([k]) => fields.includes(k.split(".")[0] ?? "")));
}

/** A number field's value: a number when it reads as one, else the text, for the verb to refuse in its words. */
function numberOf(text: string): number | string {
  const t = text.trim();
  return /^[+-]?(\d+(\.\d*)?|\.\d+)$/.test(t) ? Number(t) : text;
}

/** An optional date or URL: empty clears it (null), anything else is the verb's to judge. */
function textOrNull(text: string | undefined): string | null {
  const t = (text ?? "").trim();
  return t === "" ? null : t;
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(sorted(a)) === JSON.stringify(sorted(b));
}

function sorted(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sorted);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([k, x]) => [k, sorted(x)]),
    );
  return v;
}

/**
 * A section's form as a PATCH body, with, for each item of a list it built, the
 * form row it came from (`availability[3]` → `availability.4.1`: Thursday's second
 * window), so a problem with that item is shown beside the row.
 */
export function patchOfForm(
  section: SettingsSection,
  form: FormValues,
  view: PageView,
): { body: Record<string, unknown>; rows: Record<string, string> } {
  const v = (name: string) => form[name] ?? "";
  const on = (name: string) => name in form;
  const candidate: Record<string, unknown> = {};
  const rows: Record<string, string> = {};
  const withDefault = (
    field: "sessionsPerWeek" | "qualityBufferHours" | "availability" | "runTemplate" | "loadIncrementKg",
    read: () => unknown,
    units: string = view.units,
  ) => {
    // Ticked and left as shown: the default. A value typed over it wins: that is what the athlete chose.
    const typed = read();
    candidate[field] =
      on(`${field}.default`) && sameJson(typed, view[field]) ? defaultOf(field, units) : typed;
  };

  switch (section) {
    case "plan":
      candidate.timezone = v("timezone").trim();
      candidate.raceDate = textOrNull(form.raceDate);
      withDefault("sessionsPerWeek", () => numberOf(v("sessionsPerWeek")));
      withDefault("qualityBufferHours", () => numberOf(v("qualityBufferHours")));
      candidate.strengthTiming = v("strengthTiming");
      candidate.preferredWeekdays = WEEKDAYS.filter((d) => on(`preferredWeekdays.${d}`));
      break;
    case "availability": {
      withDefault("availability", () => {
        const windows: Window[] = [];
        for (const d of WEEKDAYS) {
          if (!on(`availability.${d}.on`)) continue;
          const before = windows.length;
          for (let i = 0; i < MAX_WINDOWS; i++) {
            const from = v(`availability.${d}.from.${i}`).trim();
            const to = v(`availability.${d}.to.${i}`).trim();
            if (from === "" && to === "") continue;
            rows[`availability[${windows.length}]`] = `availability.${d}.${i}`;
            windows.push({ weekday: d, from, to });
          }
          // Available with no window given: sent as it stands, for the verb to say what a window needs.
          if (windows.length === before) {
            rows[`availability[${windows.length}]`] = `availability.${d}.0`;
            windows.push({ weekday: d, from: "", to: "" });
          }
        }
        return windows;
      });
      const dates = v("blackouts")
        .split(/[\s,]+/)
        .filter((s) => s !== "");
      candidate.blackouts = dates;
      break;
    }
    case "runs":
      withDefault("runTemplate", () => {
        const runs: Record<string, unknown>[] = [];
        for (let i = 0; i < MAX_TEMPLATE_ROWS; i++) {
          const parts = ["weekday", "time", "durationMin", "title"].map((p) =>
            v(`runTemplate.${i}.${p}`).trim(),
          );
          if (on(`runTemplate.${i}.remove`) || parts.every((p) => p === "")) continue;
          rows[`runTemplate[${runs.length}]`] = `runTemplate.${i}`;
          runs.push({
            weekday: numberOf(v(`runTemplate.${i}.weekday`)),
            time: v(`runTemplate.${i}.time`).trim(),
            durationMin: numberOf(v(`runTemplate.${i}.durationMin`)),
            kind: v(`runTemplate.${i}.kind`),
            title: v(`runTemplate.${i}.title`).trim(),
          });
        }
        return runs;
      });
      break;
    case "strength": {
      candidate.strengthExperience = v("strengthExperience");
      candidate.liftingSince = textOrNull(form.liftingSince);
      candidate.units = v("units");
      withDefault("loadIncrementKg", () => numberOf(v("loadIncrementKg")), v("units"));
      const lifts: Record<string, unknown> = {};
      for (const name of LIFT_NAMES) {
        const kg = v(`lifts.${name}.kg`).trim();
        const date = v(`lifts.${name}.date`).trim();
        if (kg === "" && date === "") continue;
        lifts[name] = { oneRepMaxKg: numberOf(kg), ...(date ? { date } : {}) };
      }
      candidate.lifts = lifts;
      break;
    }
    case "calendars":
      candidate.runningPlanIcsUrl = textOrNull(form.runningPlanIcsUrl);
      candidate.busyCalendarIcsUrl = textOrNull(form.busyCalendarIcsUrl);
      break;
    case "intervals":
      // The key is write-only: a link always sends both, an unlink neither.
      return {
        body: {
          intervalsIcu:
            form.action === "unlink"
              ? null
              : { athleteId: v("intervalsIcu.athleteId").trim(), apiKey: v("intervalsIcu.apiKey") },
        },
        rows,
      };
  }
  const body: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(candidate))
    if (!sameJson(value, (view as unknown as Record<string, unknown>)[field])) body[field] = value;
  return { body, rows };
}

/**
 * Where on the page a problem is shown: the form row an item came from, the lift or
 * the intervals.icu field it names, else the setting itself.
 */
export function anchorOf(problem: FieldProblem, rows: Record<string, string>): string {
  const item = /^\[(\d+)\]/.exec(problem.message);
  if (item) return rows[`${problem.field}[${item[1]}]`] ?? problem.field;
  const inner = /^([A-Za-z]+)[.:]/.exec(problem.message)?.[1];
  if (problem.field === "lifts" && inner && (LIFT_NAMES as string[]).includes(inner)) return `lifts.${inner}`;
  if (problem.field === "intervalsIcu" && (inner === "athleteId" || inner === "apiKey"))
    return `intervalsIcu.${inner}`;
  return problem.field;
}
