// An athlete's running plan as training-plan apps export it (an iCalendar feed),
// turned into planned runs: start instant, length, title. Pure: the caller passes
// the text, the athlete's zone and the dates to keep. What kind of run each entry
// is (easy, quality, rest) is decided later from its title, by the planner's own
// classifier, so the feed and the weekly template are judged the same way.
import ICAL from "ical.js";
import { addDays, isValidTimeZone, type LocalDate, zonedInstant } from "../../domain/time.ts";

export interface PlannedRunEntry {
  /** the entry's UID; a repeating entry's occurrences add their original start */
  uid: string;
  startMs: number;
  durationMin: number;
  title: string;
  /** the entry had a date but no time: it got ALL_DAY_START_MIN in the athlete's zone */
  allDay: boolean;
}

export interface SkippedEntry {
  uid: string;
  title: string;
  reason: string;
}

export interface RunningPlan {
  entries: PlannedRunEntry[];
  skipped: SkippedEntry[];
  /** said when the feed's repeating entries were not all expanded (the work limit was reached) */
  warnings: string[];
}

export class RunningPlanParseError extends Error {
  override name = "RunningPlanParseError";
}

/** Training-plan apps mostly export dated entries without a time; runners mostly run in the morning. */
export const ALL_DAY_START_MIN = 7 * 60;
/** Used when neither the entry's times nor its text give a length. */
export const DEFAULT_DURATION_MIN = 45;
const MIN_DURATION_MIN = 5;
const MAX_DURATION_MIN = 600;
/**
 * Work limits for repeating entries, per feed: occurrences looked at, and dates
 * ical.js tries against a rule's BY-parts (a rule that can never match, such as
 * FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30, otherwise loops inside ical.js for ever).
 * Daily and weekly series start near the window, so a real plan uses a few hundred.
 */
export const MAX_OCCURRENCES_PER_FEED = 5_000;
export const MAX_RULE_CANDIDATES_PER_FEED = 20_000;
/** Rough paces to turn a distance into a length when that is all the entry says. */
const MIN_PER_KM = 6;
const MIN_PER_MILE = 9.5;

// Entries for other sports share the calendar in many plan apps. A title that names
// one and does not also name running is not a run (EN, DE, FR, ES, NL).
const OTHER_SPORT =
  /\b(swim\w*|schwimm\w*|natation|nataci[oó]n|zwem\w*|bike|biking|cycl\w*|ride|radfahr\w*|rad|v[eé]lo|bici\w*|ciclismo|fiets\w*|spin(ning)?|yoga|pilates|strength|kraft\w*|musculation|fuerza|kracht\w*|gym|weights?|cross[- ]?train\w*)\b/i;
const RUNNING =
  /\b(run\w*|lauf\w*|l[aä]uft|course|courir|footing|carrera|correr|rodaje|hardlo\w*|loop|jog\w*)\b/i;

/**
 * The runs of an iCalendar text that start on dates `from`..`to` (both included,
 * athlete-local). Timed entries keep their instant: a TZID that names an IANA zone
 * is read with the platform's zone rules, another TZID with the feed's VTIMEZONE,
 * a floating time in the athlete's zone. Dated (all-day) entries start at 07:00 in
 * the athlete's zone; an all-day entry spanning several days (a holiday, a camp)
 * is not a run. Cancelled entries and entries for other sports are skipped.
 */
export function runningPlanFromIcs(
  text: string,
  options: { timezone: string; from: LocalDate; to: LocalDate },
): RunningPlan {
  return readCalendar(text, options, toEntry);
}

/**
 * The entries of an iCalendar text whose start falls on dates `from`..`to`
 * (athlete-local), each occurrence of a repeating entry on its own, within the
 * feed's work limits. `convert` turns one occurrence into an entry or says why
 * it is skipped: the running plan keeps runs, the busy calendar busy times.
 */
export function readCalendar<T extends { uid: string; startMs: number }>(
  text: string,
  options: { timezone: string; from: LocalDate; to: LocalDate },
  convert: (o: Occurrence, timezone: string) => T | SkippedEntry,
): { entries: T[]; skipped: SkippedEntry[]; warnings: string[] } {
  let root: ICAL.Component;
  try {
    root = new ICAL.Component(ICAL.parse(text));
  } catch (err) {
    throw new RunningPlanParseError(`not an iCalendar file: ${(err as Error).message}`);
  }
  // An unbalanced END makes ICAL.parse answer a list of components, whose "name" is no string.
  if (root.name !== "vcalendar")
    throw new RunningPlanParseError(
      `expected one VCALENDAR, found ${typeof root.name === "string" ? root.name : "several components"}`,
    );

  const { timezone } = options;
  const fromMs = zonedInstant(options.from, 0, timezone);
  const toMs = zonedInstant(addDays(options.to, 1), 0, timezone);
  const vevents = root.getAllSubcomponents("vevent");
  const exceptions = new Map<string, ICAL.Component[]>();
  const masters: ICAL.Component[] = [];
  for (const v of vevents) {
    const uid = String(v.getFirstPropertyValue("uid") ?? "");
    if (v.hasProperty("recurrence-id") && uid) {
      const list = exceptions.get(uid) ?? [];
      list.push(v);
      exceptions.set(uid, list);
    } else masters.push(v);
  }

  const entries: T[] = [];
  const skipped: SkippedEntry[] = [];
  const budget: Budget = {
    occurrences: MAX_OCCURRENCES_PER_FEED,
    candidates: MAX_RULE_CANDIDATES_PER_FEED,
    spent: false,
  };
  const seen = new Set<string>();
  const keep = (occurrence: Occurrence) => {
    const entry = convert(occurrence, timezone);
    if ("reason" in entry) {
      skipped.push(entry);
      return;
    }
    if (entry.startMs < fromMs || entry.startMs >= toMs) return;
    if (seen.has(entry.uid)) {
      const title = "title" in entry && typeof entry.title === "string" ? entry.title : "";
      skipped.push({ uid: entry.uid, title, reason: "a second entry with the same UID" });
      return;
    }
    seen.add(entry.uid);
    entries.push(entry);
  };

  for (const v of masters) {
    // ical.js reads a value only when it is asked for, and throws on one it cannot read
    // (DTSTART:--T::): that entry is skipped with the reason, the rest of the feed kept.
    try {
      const uid = String(v.getFirstPropertyValue("uid") ?? "");
      const related = uid ? (exceptions.get(uid) ?? []) : [];
      exceptions.delete(uid);
      const event = new ICAL.Event(v, { exceptions: related });
      if (!event.startDate) continue;
      requireRealTimes(v);
      if (!event.isRecurring()) {
        keep({
          component: v,
          event,
          uid: uid || syntheticUid(event),
          start: event.startDate,
          end: event.endDate,
        });
        continue;
      }
      if (budget.spent) {
        skipped.push({
          uid,
          title: event.summary ?? "",
          reason: "repeats: the feed's repeat limit was reached",
        });
        continue;
      }
      try {
        expandSeries(v, event, uid, related, budget, {
          fromMs,
          toMs,
          from: options.from,
          timezone,
          keep,
        });
      } catch (err) {
        if (err instanceof RepeatLimitReached) {
          budget.spent = true;
          skipped.push({
            uid,
            title: event.summary ?? "",
            reason: "repeats: the feed's repeat limit was reached",
          });
          continue;
        }
        // ical.js refuses some rules (FREQ=WEEKLY;BYMONTHDAY=1): skip that entry, keep the rest.
        skipped.push({
          uid,
          title: event.summary ?? "",
          reason: `repeat rule not usable: ${(err as Error).message}`,
        });
      }
    } catch (err) {
      if (err instanceof RunningPlanParseError) throw err;
      skipped.push(unreadable(v, err));
    }
  }
  // Exceptions whose series is not in the feed: keep them as the single entries they are.
  for (const list of exceptions.values()) {
    for (const v of list) {
      try {
        const event = new ICAL.Event(v);
        if (!event.startDate) continue;
        requireRealTimes(v);
        const rid = v.getFirstPropertyValue("recurrence-id");
        keep({
          component: v,
          event,
          uid: `${event.uid}/${rid ? String(rid) : event.startDate.toString()}`,
          start: event.startDate,
          end: event.endDate,
        });
      } catch (err) {
        if (err instanceof RunningPlanParseError) throw err;
        skipped.push(unreadable(v, err));
      }
    }
  }
  entries.sort((a, b) => a.startMs - b.startMs || a.uid.localeCompare(b.uid));
  const warnings = budget.spent
    ? [
        `repeating entries not all expanded: the limit of ${MAX_OCCURRENCES_PER_FEED} occurrences or ${MAX_RULE_CANDIDATES_PER_FEED} rule steps per feed was reached`,
      ]
    : [];
  return { entries, skipped, warnings };
}

/** The date-time properties of an entry. */
const TIME_PROPERTIES = ["dtstart", "dtend", "recurrence-id"] as const;

/**
 * Settles an entry's DTSTART, DTEND and RECURRENCE-ID before anything walks them,
 * and refuses one outside the years 1-9999. ical.js keeps a value with fields out
 * of range (`20269999T120000`: month 99, day 99) as written until one of its
 * fields is read, and its repeat iterator, started from such a value, never
 * normalizes it: FREQ=SECONDLY then stepped through a month that does not exist
 * without reaching the rule checks the feed's work limit counts, blocking the
 * worker for minutes (found by the calendar fuzz). Normalized, month 99 of 2026
 * is June 2034, as ical.js reads it everywhere else; `99999999T999999` lands in
 * the year 10007, which no date of ours can hold, so that entry is skipped.
 */
function requireRealTimes(v: ICAL.Component): void {
  for (const name of TIME_PROPERTIES) {
    const value = v.getFirstPropertyValue(name);
    if (!(value instanceof ICAL.Time)) continue;
    // Reading a field settles the value in place (ical.js normalizes on first read).
    const { year } = value;
    if (year < 1 || year > 9999)
      throw new Error(`${name.toUpperCase()} is not a date between the years 1 and 9999`);
  }
}

/** An entry holding a value ical.js cannot read: skipped, saying which value. */
function unreadable(v: ICAL.Component, err: unknown): SkippedEntry {
  return {
    uid: String(v.getFirstPropertyValue("uid") ?? ""),
    title: "",
    reason: `not readable: ${err instanceof Error ? err.message : String(err)}`.slice(0, 200),
  };
}

interface Budget {
  occurrences: number;
  candidates: number;
  spent: boolean;
}

class RepeatLimitReached extends Error {
  override name = "RepeatLimitReached";
}

/**
 * The occurrences of one repeating entry whose recurrence ids fall before the
 * window's end, handed to `keep` (which drops those outside the window).
 * A daily or weekly rule without COUNT starts at its last whole period a couple
 * of days before the window, not at its first date: the same occurrences (the
 * period keeps weekday, interval phase and wall-clock time) without walking years
 * of them. Other rules (COUNT, RDATE, monthly and yearly) start at their DTSTART.
 * Starting ical.js's iterator at the window's own start is not used: it treats
 * that time as the series' first date (a Tuesday weekly series would move to the
 * window's weekday, COUNT would count from there).
 */
function expandSeries(
  v: ICAL.Component,
  event: ICAL.Event,
  uid: string,
  related: readonly ICAL.Component[],
  budget: Budget,
  window: {
    fromMs: number;
    toMs: number;
    from: LocalDate;
    timezone: string;
    keep: (o: Occurrence) => void;
  },
): void {
  const start = seriesStartNear(v, event.startDate, window.from);
  const expansion = event.iterator(start);
  guardRuleSteps(expansion, budget);
  const matched = new Set<ICAL.Component>();
  let stoppedAt: ICAL.Time | null = null;
  for (let next = expansion.next(); next; next = expansion.next()) {
    if (--budget.occurrences < 0) throw new RepeatLimitReached();
    const ms = instantOf(next, v, window.timezone);
    if (ms >= window.toMs) {
      stoppedAt = next;
      break;
    }
    // Unmoved (no exceptions), an occurrence starts at its recurrence id: before the window, done.
    if (ms < window.fromMs && related.length === 0) continue;
    const details = event.getOccurrenceDetails(next);
    if (details.item !== event) matched.add(details.item.component);
    window.keep({
      component: details.item.component,
      event: details.item,
      uid: `${uid}/${details.recurrenceId.toString()}`,
      start: details.startDate,
      end: details.endDate,
    });
  }
  // An occurrence moved into the window from before where the walk started, or
  // from after where it stopped, was not met on the way: keep it as it stands.
  for (const x of related) {
    if (matched.has(x)) continue;
    const rid = x.getFirstPropertyValue("recurrence-id");
    if (!(rid instanceof ICAL.Time)) continue;
    if (rid.compare(start) < 0 || (stoppedAt && rid.compare(stoppedAt) >= 0)) {
      const moved = new ICAL.Event(x);
      if (!moved.startDate) continue;
      window.keep({
        component: x,
        event: moved,
        uid: `${uid}/${rid.toString()}`,
        start: moved.startDate,
        end: moved.endDate,
      });
    }
  }
}

function seriesStartNear(v: ICAL.Component, dtstart: ICAL.Time, from: LocalDate): ICAL.Time {
  const rules = v.getAllProperties("rrule");
  const rule = rules[0]?.getFirstValue();
  if (rules.length !== 1 || v.hasProperty("rdate") || !(rule instanceof ICAL.Recur) || rule.count)
    return dtstart;
  const periodDays = (rule.freq === "DAILY" ? 1 : rule.freq === "WEEKLY" ? 7 : 0) * (rule.interval || 1);
  if (periodDays <= 0) return dtstart;
  const fromDay = Date.parse(`${from}T00:00:00Z`) / 86_400_000;
  const startDay = Date.UTC(dtstart.year, dtstart.month - 1, dtstart.day) / 86_400_000;
  // Two days' margin: the DTSTART's zone and the athlete's may be a day apart.
  const periods = Math.floor((fromDay - startDay - 2) / periodDays);
  if (!(periods > 0)) return dtstart;
  const start = dtstart.clone();
  start.adjust(periods * periodDays, 0, 0, 0);
  return start;
}

/**
 * Counts every date ical.js tries against the rules' BY-parts, against the
 * feed's budget. ical.js has no limit of its own for daily and shorter rules, and
 * `ruleIterators` is not in its typings, hence the cast; were it ever missing,
 * only this guard would be lost (the occurrence limit still holds).
 */
function guardRuleSteps(expansion: ICAL.RecurExpansion, budget: Budget): void {
  const iterators = (expansion as unknown as { ruleIterators?: unknown }).ruleIterators;
  if (!Array.isArray(iterators)) return;
  for (const it of iterators as ICAL.RecurIterator[]) {
    const check = it.check_contracting_rules.bind(it);
    it.check_contracting_rules = () => {
      if (--budget.candidates < 0) throw new RepeatLimitReached();
      return check();
    };
  }
}

/** One occurrence of a calendar entry, as readCalendar hands it to its `convert`. */
export interface Occurrence {
  component: ICAL.Component;
  event: ICAL.Event;
  uid: string;
  start: ICAL.Time;
  end: ICAL.Time | null;
}

function toEntry(o: Occurrence, timezone: string): PlannedRunEntry | SkippedEntry {
  const title = (o.event.summary ?? "").trim() || "Run";
  const description = o.event.description ?? "";
  const status = String(o.component.getFirstPropertyValue("status") ?? "").toUpperCase();
  if (status === "CANCELLED") return { uid: o.uid, title, reason: "cancelled" };
  if (OTHER_SPORT.test(title) && !RUNNING.test(title))
    return { uid: o.uid, title, reason: "another sport, not a run" };

  if (o.start.isDate) {
    const days = o.end ? Math.round(o.end.subtractDate(o.start).toSeconds() / 86_400) : 1;
    if (days > 1) return { uid: o.uid, title, reason: `an all-day entry over ${days} days, not a run` };
    return {
      uid: o.uid,
      startMs: zonedInstant(localDateOf(o.start), ALL_DAY_START_MIN, timezone),
      durationMin: durationFromText(title) ?? durationFromText(description) ?? DEFAULT_DURATION_MIN,
      title,
      allDay: true,
    };
  }
  const startMs = instantOf(o.start, o.component, timezone);
  // DTEND is read in its own TZID; a DURATION (or a missing end) counts from the start.
  const endMs =
    o.end && o.component.hasProperty("dtend")
      ? instantOf(o.end, o.component, timezone, "dtend")
      : startMs + (o.event.duration?.toSeconds() ?? 0) * 1000;
  const timed = Math.round((endMs - startMs) / 60_000);
  const durationMin =
    timed >= MIN_DURATION_MIN
      ? timed
      : (durationFromText(title) ?? durationFromText(description) ?? DEFAULT_DURATION_MIN);
  return {
    uid: o.uid,
    startMs,
    durationMin: Math.min(MAX_DURATION_MIN, Math.max(MIN_DURATION_MIN, durationMin)),
    title,
    allDay: false,
  };
}

/**
 * A date-time value as an instant. The TZID parameter names the zone when it is an
 * IANA name (read with Intl, whose rules are current, rather than the feed's copy);
 * otherwise the feed's VTIMEZONE as ical.js resolved it; floating times are the athlete's.
 */
export function instantOf(
  time: ICAL.Time,
  component: ICAL.Component,
  athleteZone: string,
  prop: "dtstart" | "dtend" = "dtstart",
): number {
  const zoneId = time.zone?.tzid;
  if (zoneId === "UTC") return time.toJSDate().getTime();
  const tzid = component.getFirstProperty(prop)?.getParameter("tzid") ?? zoneId;
  const name = typeof tzid === "string" && tzid !== "floating" ? tzid : undefined;
  const wall = (tz: string) =>
    zonedInstant(localDateOf(time), time.hour * 60 + time.minute, tz) + time.second * 1000;
  if (name && /^[A-Za-z]/.test(name) && isValidTimeZone(name)) return wall(name);
  if (zoneId && zoneId !== "floating") return time.toJSDate().getTime();
  return wall(athleteZone);
}

export function localDateOf(time: ICAL.Time): LocalDate {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${String(time.year).padStart(4, "0")}-${pad(time.month)}-${pad(time.day)}`;
}

function syntheticUid(event: ICAL.Event): string {
  return `no-uid/${event.startDate.toString()}/${event.summary ?? ""}`;
}

/**
 * A run's length as plan titles write it: "1:45h", "1h30", "1.5 h", "2 hours",
 * "45 min", "45'", "45 Minuten"; failing that a distance ("10 km", "6 mi") at an
 * easy pace. Numbers after an "x" are repetitions ("3x10 min"), not the length.
 */
export function durationFromText(text: string): number | null {
  const t = text.toLowerCase();
  const hm =
    /(?<![\dx×.,:])(\d{1,2})\s*h\s*(\d{2})(?!\d)/.exec(t) ??
    /(?<![\dx×.,:])(\d{1,2}):(\d{2})\s*(?:h|std)\b/.exec(t);
  if (hm?.[1] && hm[2]) return Number(hm[1]) * 60 + Number(hm[2]);
  const hours =
    /(?<![\dx×.,:])(\d{1,2}(?:[.,]\d+)?)\s*(?:h|hrs?|hours?|std|stunden?|heures?|horas?|uur)\b/.exec(t);
  if (hours?.[1]) return Math.round(Number(hours[1].replace(",", ".")) * 60);
  const mins = /(?<![\dx×.,:])(\d{1,3})\s*(?:min(?:utes?|uten|s)?\b|')(?!\s*\/)/.exec(t);
  if (mins?.[1] && Number(mins[1]) >= 10) return Number(mins[1]);
  const km = /(?<![\dx×.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:km|k)\b/.exec(t);
  if (km?.[1]) return Math.round(Number(km[1].replace(",", ".")) * MIN_PER_KM);
  const mi = /(?<![\dx×.,])(\d{1,3}(?:[.,]\d+)?)\s*(?:mi|miles?)\b/.exec(t);
  if (mi?.[1]) return Math.round(Number(mi[1].replace(",", ".")) * MIN_PER_MILE);
  return null;
}
