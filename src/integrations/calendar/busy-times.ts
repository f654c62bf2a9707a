// The athlete's own calendar (its secret iCal address) read for busy times only:
// when, never what. Each event that blocks time becomes a start and an end; its
// title, place, attendees and notes are not read into anything that is kept.
// Events marked free (TRANSP:TRANSPARENT, RFC 5545 3.8.2.7) and cancelled ones
// (STATUS:CANCELLED) block nothing. Pure: the caller passes the text.
import { type LocalDate, zonedInstant } from "../../domain/time.ts";
import { instantOf, localDateOf, type Occurrence, readCalendar, type SkippedEntry } from "./running-plan.ts";

export interface BusyTime {
  /** the event's UID (per occurrence); used to drop duplicates, not stored */
  uid: string;
  startMs: number;
  endMs: number;
}

/** A timed event without an end blocks this long (RFC 5545: it would block none; an hour is safer). */
const DEFAULT_BUSY_MIN = 60;

/** The busy times of an iCalendar text that start on dates `from`..`to` (athlete-local). */
export function busyTimesFromIcs(
  text: string,
  options: { timezone: string; from: LocalDate; to: LocalDate },
): { busy: BusyTime[]; warnings: string[] } {
  const read = readCalendar(text, options, toBusy);
  return { busy: read.entries, warnings: read.warnings };
}

function toBusy(o: Occurrence, timezone: string): BusyTime | SkippedEntry {
  // Skipped entries are counted, never logged with their titles.
  const status = String(o.component.getFirstPropertyValue("status") ?? "").toUpperCase();
  if (status === "CANCELLED") return { uid: o.uid, title: "", reason: "cancelled" };
  const transp = String(o.component.getFirstPropertyValue("transp") ?? "").toUpperCase();
  if (transp === "TRANSPARENT") return { uid: o.uid, title: "", reason: "free" };
  if (o.start.isDate) {
    // A day-long event (a trip, a wedding) blocks its whole days in the athlete's zone.
    const startMs = zonedInstant(localDateOf(o.start), 0, timezone);
    const endDate = o.end && o.end.compare(o.start) > 0 ? o.end : null;
    const endMs = endDate
      ? zonedInstant(localDateOf(endDate), 0, timezone)
      : zonedInstant(localDateOf(o.start), 24 * 60, timezone);
    return { uid: o.uid, startMs, endMs };
  }
  const startMs = instantOf(o.start, o.component, timezone);
  const endMs =
    o.end && o.component.hasProperty("dtend")
      ? instantOf(o.end, o.component, timezone, "dtend")
      : startMs + (o.event.duration?.toSeconds() || DEFAULT_BUSY_MIN * 60) * 1000;
  if (!(endMs > startMs)) return { uid: o.uid, title: "", reason: "ends before it starts" };
  return { uid: o.uid, startMs, endMs };
}
