// The application layer's refusals. Each carries a code that says what went wrong
// in the athlete's terms; the HTTP edge (src/server/errors.ts) maps each code to a
// status once, and a form handler or a worker may map it its own way.

export type PlanErrorCode =
  /** the thing named (an activity, a session) is not the athlete's, or is gone */
  | "not_found"
  /** the request is well-formed but the state forbids it (a session already started) */
  | "conflict"
  /** the input is not valid; `details.fields` lists each bad field */
  | "invalid_input"
  /** a hard planning rule refuses it; `details.violations` lists them */
  | "rule_violation"
  /** the athlete no longer exists (deleted by a deauthorization meanwhile) */
  | "unknown_athlete"
  /** an outside service the verb must tell (Garmin) could not be reached; nothing changed, try again */
  | "unavailable"
  /** too many of something costly (confirmation mail) for now; `details.retryAfterS` says how long */
  | "rate_limited";

export class PlanError extends Error {
  override name = "PlanError";
  readonly code: PlanErrorCode;
  readonly details: unknown;
  constructor(code: PlanErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}
