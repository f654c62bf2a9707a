// What can go wrong talking to Garmin, as classes a caller can act on: a job
// retries what is transient and gives up (or asks the athlete to reconnect) on
// what no retry fixes. Garmin's error bodies are `{"errorMessage": …}` (Activity
// API 1.2.3, Appendix B); they never carry a token, but are cut short anyway.
import { ProviderError } from "../provider-error.ts";

/** `status`: what Garmin answered with, null when no answer came. */
export class GarminError extends ProviderError {
  override name = "GarminError";
}

/**
 * 401/403 from the API (the access token expired or the athlete withdrew their
 * consent), or 400/401 from the token endpoint (a refused code or refresh token):
 * only the athlete connecting again helps.
 */
export class GarminAuthError extends GarminError {
  override name = "GarminAuthError";
  constructor(message: string, status: number) {
    super(message, status, false);
  }
}

/** 412: the athlete did not grant the permission this call needs (e.g. WORKOUT_IMPORT). */
export class GarminPermissionError extends GarminError {
  override name = "GarminPermissionError";
  constructor(message: string) {
    super(message, 412, false);
  }
}

/** 5xx, 429, a timeout or no connection: try again later. */
export class GarminUnavailableError extends GarminError {
  override name = "GarminUnavailableError";
  constructor(message: string, status: number | null) {
    super(message, status, true);
  }
}

/** Garmin answered 2xx with a body that is not the shape we rely on: fail loudly. */
export class GarminResponseError extends GarminError {
  override name = "GarminResponseError";
  constructor(message: string) {
    super(message, null, false);
  }
}
