// A browser's Web Push subscription as PushSubscription.toJSON() gives it, and
// the check of its endpoint: https on the public internet (the address fence of
// the running-plan feeds), unless OUTBOUND_ALLOW_PRIVATE lets development and
// tests use a local endpoint, over http too.
import { isIP } from "node:net";
import { z } from "zod";
import { FeedFetchError, feedUrl, type ResolveHost, vettedAddresses } from "../calendar/fetch-feed.ts";

const base64urlOf = (bytes: number, what: string) =>
  z
    .string()
    .regex(/^[A-Za-z0-9_-]+={0,2}$/, `expected base64url (${what})`)
    .refine((v) => Buffer.from(v, "base64url").length === bytes, `expected ${bytes} bytes (${what})`);

export const pushSubscriptionSchema = z.object({
  endpoint: z.string().max(2048, "at most 2048 characters").url("expected the push service's URL"),
  expirationTime: z.number().nullable().optional(),
  keys: z.object({
    p256dh: base64urlOf(65, "the browser's P-256 public key").refine(
      (v) => Buffer.from(v, "base64url")[0] === 4,
      "expected an uncompressed P-256 point",
    ),
    auth: base64urlOf(16, "the authentication secret"),
  }),
});
export type PushSubscriptionJson = z.infer<typeof pushSubscriptionSchema>;

export class PushEndpointError extends Error {
  override name = "PushEndpointError";
}

/** Throws PushEndpointError when runstrong must not send to this endpoint. */
export async function checkPushEndpoint(
  endpoint: string,
  options: { allowPrivate: boolean; resolve?: ResolveHost },
): Promise<URL> {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new PushEndpointError("the endpoint is not a URL");
  }
  if (url.protocol !== "https:" && !(options.allowPrivate && url.protocol === "http:"))
    throw new PushEndpointError("a push endpoint must be an https URL");
  if (url.username || url.password)
    throw new PushEndpointError("a push endpoint carries no user or password");
  try {
    feedUrl(endpoint, options.allowPrivate);
    // A literal address needs no lookup; a name must resolve to allowed addresses only.
    if (isIP(url.hostname.replace(/^\[|\]$/g, "")) === 0)
      await vettedAddresses(url, options.resolve, options.allowPrivate);
  } catch (err) {
    if (!(err instanceof FeedFetchError)) throw err;
    throw new PushEndpointError(err.message.replace("refusing to fetch from", "refusing to send to"));
  }
  return url;
}
