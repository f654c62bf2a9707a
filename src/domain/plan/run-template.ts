// An athlete's usual running week, for future days no calendar feed covers
// (DESIGN.md "Day classification": default Tue quality, Sun long, other days
// easy, Fri rest). Expanding it gives the planner the same planned runs a feed
// would.
import { eachDate, isoWeekday, type LocalDate, parseTime } from "../time.ts";
import type { PlanRunInput } from "./input.ts";
import { zoneClock } from "./zone-clock.ts";

export interface TemplateRun {
  /** ISO weekday, 1 = Monday */
  weekday: number;
  /** local start "HH:MM" */
  time: string;
  durationMin: number;
  kind: "easy" | "quality";
  title: string;
}

export type WeeklyRunTemplate = readonly TemplateRun[];

export const DEFAULT_RUN_TEMPLATE: WeeklyRunTemplate = [
  { weekday: 1, time: "07:00", durationMin: 45, kind: "easy", title: "Easy run" },
  { weekday: 2, time: "07:00", durationMin: 60, kind: "quality", title: "Intervals" },
  { weekday: 3, time: "07:00", durationMin: 45, kind: "easy", title: "Easy run" },
  { weekday: 4, time: "07:00", durationMin: 40, kind: "easy", title: "Easy run" },
  { weekday: 6, time: "07:00", durationMin: 40, kind: "easy", title: "Easy run" },
  { weekday: 7, time: "08:00", durationMin: 100, kind: "quality", title: "Long run" },
];

/** The template's runs on every date from `from` to `to` (both included), in `timeZone`, in time order. */
export function expandRunTemplate(
  template: WeeklyRunTemplate,
  from: LocalDate,
  to: LocalDate,
  timeZone: string,
): PlanRunInput[] {
  if (from > to) return [];
  const byWeekday = [...template].sort((a, b) => parseTime(a.time) - parseTime(b.time));
  const dates = eachDate(from, to);
  const clock = zoneClock(
    timeZone,
    Date.parse(`${from}T00:00:00Z`) - 86_400_000,
    Date.parse(`${to}T00:00:00Z`) + 2 * 86_400_000,
  );
  const runs: PlanRunInput[] = [];
  for (const date of dates) {
    const weekday = isoWeekday(date);
    for (const t of byWeekday) {
      if (t.weekday !== weekday) continue;
      runs.push({
        start: clock.iso(clock.instant(date, parseTime(t.time))),
        durationMin: t.durationMin,
        kind: t.kind,
        title: t.title,
      });
    }
  }
  return runs;
}
