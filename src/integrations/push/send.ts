// Sends one Web Push message: web-push encrypts it (RFC 8291, aes128gcm) and
// signs the VAPID header (RFC 8292); the request itself goes out here, through the
// same address fence as the running-plan feeds, to a checked address only.
// web-push (about 14 MB resident with its JWT and ECE libraries) is imported on
// the first send, not at start: most processes never send a push (bench/rss.ts).
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { FeedFetchError, pinnedLookup, type ResolveHost, vettedAddresses } from "../calendar/fetch-feed.ts";

export interface PushTarget {
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface PushSendOptions {
  vapid: { subject: string; publicKey: string; privateKey: string };
  /** how long the push service keeps the message for an offline browser */
  ttlSeconds: number;
  allowPrivate: boolean;
  timeoutMs: number;
  /** RFC 8030 Topic (up to 32 base64url characters): an undelivered message of the same topic is replaced */
  topic?: string;
  resolve?: ResolveHost;
}

export class PushError extends Error {
  override name = "PushError";
  readonly status: number | null;
  /** 404 or 410: the subscription is gone for good (RFC 8030 section 7.3) */
  readonly gone: boolean;
  constructor(message: string, status: number | null) {
    super(message);
    this.status = status;
    this.gone = status === 404 || status === 410;
  }
}

export async function sendPush(
  target: PushTarget,
  payload: string,
  o: PushSendOptions,
): Promise<{ status: number }> {
  const url = new URL(target.endpoint);
  if (url.protocol !== "https:" && !(o.allowPrivate && url.protocol === "http:"))
    throw new PushError("a push endpoint must be an https URL", null);
  let addresses: Awaited<ReturnType<typeof vettedAddresses>>;
  try {
    addresses = await vettedAddresses(url, o.resolve, o.allowPrivate);
  } catch (err) {
    if (err instanceof FeedFetchError)
      throw new PushError(err.message.replace("refusing to fetch from", "refusing to send to"), null);
    throw err;
  }
  const { default: webpush } = await import("web-push");
  const details = webpush.generateRequestDetails(
    { endpoint: target.endpoint, keys: { p256dh: target.p256dh, auth: target.auth } },
    payload,
    {
      vapidDetails: o.vapid,
      TTL: o.ttlSeconds,
      contentEncoding: "aes128gcm",
      urgency: "normal",
      ...(o.topic ? { topic: o.topic } : {}),
    },
  );
  const client = url.protocol === "https:" ? https : http;
  const signal = AbortSignal.timeout(o.timeoutMs);
  let res: IncomingMessage;
  try {
    res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = client.request(
        url,
        {
          method: "POST",
          headers: details.headers as Record<string, string | number>,
          signal,
          agent: false,
          lookup: pinnedLookup(addresses),
        },
        resolve,
      );
      req.on("error", reject);
      req.end(details.body);
    });
  } catch (err) {
    throw new PushError(
      signal.aborted
        ? `no answer within ${o.timeoutMs} ms`
        : `could not reach ${url.host}: ${(err as Error).message}`,
      null,
    );
  }
  const status = res.statusCode ?? 0;
  res.resume();
  if (status < 200 || status > 299) throw new PushError(`the push service answered HTTP ${status}`, status);
  return { status };
}
