import type { StoredSession } from "../db/repos/plans.ts";
import { isoWithOffset } from "../domain/time.ts";

/** A planned session as an override answers it: its handle, times in the athlete's zone and state. */
export function sessionView(s: StoredSession, timezone: string) {
  return {
    key: s.sessionKey,
    session: s.session,
    start: isoWithOffset(s.startAt.getTime(), timezone),
    end: isoWithOffset(s.endAt.getTime(), timezone),
    status: s.status,
    pinned: s.pinned,
    sequence: s.sequence,
  };
}

export type SessionView = ReturnType<typeof sessionView>;
