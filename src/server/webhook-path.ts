// Where a provider's webhook lives. Strava signs nothing it sends (and Garmin's
// pings are no better), so the address itself is the credential: a random secret
// as the last path segment, given to the provider when subscribing and compared
// here in constant time. A wrong or missing secret is answered exactly as a path
// with no route is, so a prober learns nothing.
import { secretsEqual } from "../security/compare.ts";

export type WebhookProvider = "strava" | "garmin";

/**
 * The webhook's path for a provider: with the real secret for the callback URL a
 * provider is given, with `:secret` for the route pattern. The one place that
 * knows the shape.
 */
export function webhookPath(provider: WebhookProvider, secret: string): string {
  return `/webhooks/${provider}/${secret}`;
}

/** Constant time over the whole value, its length included (both sides are hashed first). */
export function webhookSecretMatches(given: string | undefined, expected: string): boolean {
  return given !== undefined && secretsEqual(given, expected);
}

/** A webhook URL as it may be printed or logged: the secret segment masked. */
export function redactWebhookUrl(url: string): string {
  return url.replace(/(\/webhooks\/[a-z]+\/)[^/?#]+/, "$1***");
}
