// The base of what can go wrong talking to an activity provider (Strava, Garmin):
// the HTTP status it answered with, and whether the same call may succeed later.
// Each provider's errors extend it so a job can decide retry-or-give-up the same
// way for both; the subclasses (auth, rate limit, ...) stay provider-specific,
// since what a refusal blames differs between them.

export class ProviderError extends Error {
  override name = "ProviderError";
  /** the HTTP status the provider answered with; null when no answer came */
  readonly status: number | null;
  /** whether the same call may succeed later without anything changing on our side */
  readonly retryable: boolean;
  constructor(message: string, status: number | null, retryable: boolean) {
    super(message);
    this.status = status;
    this.retryable = retryable;
  }
}
