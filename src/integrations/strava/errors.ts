// What can go wrong talking to Strava, as classes a caller can act on: a job
// defers on a rate limit, retries what is transient, and gives up (or asks the
// athlete to reconnect) on what no retry fixes.
import { ProviderError } from "../provider-error.ts";

export type RateWindow = "15min" | "daily";

/** `status`: what Strava answered with, null when no answer came. */
export class StravaError extends ProviderError {
  override name = "StravaError";
}

/**
 * 401 (and 403) from the API: the access token is expired, revoked or lacks a
 * scope. From the token endpoint (400/401): the refresh token or code was refused,
 * so only the athlete reconnecting helps.
 */
export class StravaAuthError extends StravaError {
  override name = "StravaAuthError";
  /**
   * What Strava's error body blames (`errors[].resource`): "RefreshToken" or
   * "Athlete" for the athlete's grant, "Application" for runstrong's own client
   * id or secret. Only the first says anything about the athlete.
   */
  readonly resources: readonly string[];
  constructor(message: string, status: number, resources: readonly string[] = []) {
    super(message, status, false);
    this.resources = resources;
  }

  /** Strava refused runstrong itself (client id or secret), not the athlete's grant. */
  get blamesApplication(): boolean {
    return this.resources.includes("Application");
  }
}

/** 404: the object does not exist, or not yet (a just-uploaded activity), or is private to us. */
export class StravaNotFoundError extends StravaError {
  override name = "StravaNotFoundError";
  constructor(message: string) {
    super(message, 404, false);
  }
}

/**
 * Not now, later: Strava answered 429, or our own budget (rate-budget.ts) says the
 * call would eat into the headroom. `retryAt` is the start of the next window.
 */
export class StravaRateLimitedError extends StravaError {
  override name = "StravaRateLimitedError";
  readonly retryAt: number;
  readonly window: RateWindow;
  /** true when Strava itself answered 429; false when our budget stopped the call first */
  readonly fromStrava: boolean;
  constructor(message: string, retryAt: number, window: RateWindow, fromStrava: boolean) {
    super(message, fromStrava ? 429 : null, true);
    this.retryAt = retryAt;
    this.window = window;
    this.fromStrava = fromStrava;
  }
}

/** 5xx, other 4xx, timeouts and network failures: worth retrying with backoff. */
export class StravaUnavailableError extends StravaError {
  override name = "StravaUnavailableError";
  constructor(message: string, status: number | null) {
    super(message, status, true);
  }
}

/** Strava answered 2xx with a body that does not match what we rely on: loud, not retried. */
export class StravaResponseError extends StravaError {
  override name = "StravaResponseError";
  constructor(message: string) {
    super(message, null, false);
  }
}
