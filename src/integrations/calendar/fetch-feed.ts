// Fetches an athlete's running-plan calendar. The URL is the athlete's own input,
// so the fetch is fenced: http(s) only (webcal:// is https by convention), no
// addresses that name this machine or its private network, a time limit, a size
// limit, and redirects followed by hand so each hop passes the same checks.
// Uses the global fetch (tests put msw in front of it).

export const FEED_TIMEOUT_MS = 15_000;
/** A year of daily entries is well under 1 MiB; anything bigger is not a running plan. */
export const FEED_MAX_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 3;

export class FeedFetchError extends Error {
  override name = "FeedFetchError";
  /** true when trying again later will not help (a 404, a refused address, not a calendar) */
  readonly permanent: boolean;
  readonly status: number | null;
  constructor(message: string, permanent: boolean, status: number | null = null) {
    super(message);
    this.permanent = permanent;
    this.status = status;
  }
}

/** The address to fetch for a feed URL as the athlete gave it; throws a permanent FeedFetchError when refused. */
export function feedUrl(raw: string): URL {
  let url: URL;
  try {
    url = new URL(raw.replace(/^webcals?:\/\//i, "https://"));
  } catch {
    throw new FeedFetchError("not a URL", true);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new FeedFetchError(`only http and https feeds are fetched, not ${url.protocol}`, true);
  if (isLocalHost(url.hostname))
    throw new FeedFetchError(`refusing to fetch from ${url.hostname}: a local or private address`, true);
  return url;
}

/**
 * Literal names and addresses of this host and private networks. A public name
 * that resolves to a private address is not caught here (that needs a resolving
 * agent); the feed's content only ever becomes planned runs, never a response.
 */
function isLocalHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h === "0.0.0.0" || h === "::" || h === "::1")
    return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  return /^(fc|fd|fe[89ab])[0-9a-f]{0,2}:/.test(h) || h.startsWith("::ffff:");
}

/** The feed's text. Throws FeedFetchError, `permanent` when a retry cannot help. */
export async function fetchCalendarFeed(
  rawUrl: string,
  options: { timeoutMs?: number; maxBytes?: number } = {},
): Promise<string> {
  const timeoutMs = options.timeoutMs ?? FEED_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? FEED_MAX_BYTES;
  const signal = AbortSignal.timeout(timeoutMs);
  let url = feedUrl(rawUrl);
  for (let hop = 0; ; hop++) {
    let res: Response;
    try {
      res = await fetch(url, {
        redirect: "manual",
        signal,
        headers: { accept: "text/calendar, text/plain;q=0.5, */*;q=0.1", "user-agent": "runstrong" },
      });
    } catch (err) {
      const timedOut = signal.aborted;
      throw new FeedFetchError(
        timedOut
          ? `no answer within ${timeoutMs} ms`
          : `could not reach ${url.host}: ${(err as Error).message}`,
        false,
      );
    }
    if (res.status >= 300 && res.status < 400 && res.headers.has("location")) {
      void res.body?.cancel().catch(() => {});
      if (hop >= MAX_REDIRECTS) throw new FeedFetchError(`more than ${MAX_REDIRECTS} redirects`, true);
      url = feedUrl(new URL(res.headers.get("location") ?? "", url).toString());
      continue;
    }
    if (!res.ok) {
      void res.body?.cancel().catch(() => {});
      // 408 and 429 and server errors pass; everything else is the URL's fault.
      const transient = res.status === 408 || res.status === 429 || res.status >= 500;
      throw new FeedFetchError(`the feed answered HTTP ${res.status}`, !transient, res.status);
    }
    const length = Number(res.headers.get("content-length") ?? "0");
    if (length > maxBytes) {
      void res.body?.cancel().catch(() => {});
      throw new FeedFetchError(`the feed is ${length} bytes, over the ${maxBytes} byte limit`, true);
    }
    try {
      return await readLimited(res, maxBytes);
    } catch (err) {
      if (err instanceof FeedFetchError) throw err;
      throw new FeedFetchError(
        signal.aborted
          ? `no whole answer within ${timeoutMs} ms`
          : `the feed broke off: ${(err as Error).message}`,
        false,
      );
    }
  }
}

async function readLimited(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      void reader.cancel().catch(() => {});
      throw new FeedFetchError(`the feed is over the ${maxBytes} byte limit`, true);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}
