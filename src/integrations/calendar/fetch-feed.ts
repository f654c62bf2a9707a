// Fetches an athlete's running-plan calendar. The URL is the athlete's own input,
// so the fetch is fenced: http(s) only (webcal:// is https by convention), a time
// limit, a size limit, and no address of this machine, its private networks or
// anything else not on the public internet. The host is resolved here and every
// address it resolves to is checked; the connection then goes to a checked
// address (node:http's `lookup` answers with it), so a name cannot resolve to a
// public address for the check and a private one for the connection. Redirects
// are followed by hand, each hop checked the same way.
import { promises as dns } from "node:dns";
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { isIP, type LookupFunction } from "node:net";

export const FEED_TIMEOUT_MS = 15_000;
/** A year of daily entries is well under 1 MiB; anything bigger is not a running plan. */
export const FEED_MAX_BYTES = 2 * 1024 * 1024;
const MAX_REDIRECTS = 5;

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Every address a host name resolves to (dns.promises.lookup with `all`); tests pass their own. */
export type ResolveHost = (hostname: string) => Promise<ResolvedAddress[]>;
const systemResolve: ResolveHost = (hostname) => dns.lookup(hostname, { all: true, verbatim: true });

export interface FeedFetchOptions {
  timeoutMs?: number;
  maxBytes?: number;
  resolve?: ResolveHost;
  /** OUTBOUND_ALLOW_PRIVATE (development and tests): loopback and private addresses are let through */
  allowPrivate?: boolean;
}

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

/**
 * The address to fetch for a feed URL as the athlete gave it; throws a permanent
 * FeedFetchError when refused. Checks what the text alone shows (scheme, local
 * names, literal addresses); `fetchCalendarFeed` also checks what the name resolves to.
 */
export function feedUrl(raw: string, allowPrivate = false): URL {
  let url: URL;
  try {
    url = new URL(raw.replace(/^webcals?:\/\//i, "https://"));
  } catch {
    throw new FeedFetchError("not a URL", true);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:")
    throw new FeedFetchError(`only http and https feeds are fetched, not ${url.protocol}`, true);
  const host = bareHost(url);
  if (allowPrivate) return url;
  if (isLocalName(host) || (isIP(host) !== 0 && !isPublicAddress(host)))
    throw new FeedFetchError(`refusing to fetch from ${url.hostname}: a local or private address`, true);
  return url;
}

/** The URL's host without IPv6 brackets or the trailing dot of a fully qualified name. */
function bareHost(url: URL): string {
  return url.hostname
    .toLowerCase()
    .replace(/^\[|\]$/g, "")
    .replace(/\.+$/, "");
}

/** Names that only mean something on this machine or its own network. */
function isLocalName(host: string): boolean {
  return (
    host === "" ||
    ["localhost", "internal", "local"].includes(host) ||
    /\.(localhost|internal|local|home\.arpa)$/.test(host)
  );
}

/**
 * Whether an IP address is on the public internet: not unspecified, loopback,
 * private, shared (CGNAT), link-local, benchmarking, documentation, multicast or
 * reserved; for IPv6 also not unique-local or site-local, and the IPv4-mapped,
 * -compatible, NAT64 and 6to4 forms are judged by the IPv4 address they carry.
 */
export function isPublicAddress(address: string): boolean {
  const plain = address.replace(/^\[|\]$/g, "").replace(/%.*$/, "");
  const kind = isIP(plain);
  if (kind === 4) return isPublicV4(plain.split(".").map(Number));
  if (kind !== 6) return false;
  const g = ipv6Groups(plain);
  if (!g) return false;
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const v4 = (hi: number, lo: number) => [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff];
  // ::a.b.c.d (compatible; also :: and ::1) and ::ffff:a.b.c.d (mapped)
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0 && (g5 === 0 || g5 === 0xffff))
    return isPublicV4(v4(g6, g7));
  // 64:ff9b::/96 is the well-known NAT64 prefix; 64:ff9b:1::/48 is for local use only.
  if (g0 === 0x64 && g1 === 0xff9b)
    return g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0 && isPublicV4(v4(g6, g7));
  // 2002::/16 (6to4) carries an IPv4 address in its next 32 bits.
  if (g0 === 0x2002) return isPublicV4(v4(g1, g2));
  // Only global unicast (2000::/3) is public: that leaves out fc00::/7, fe80::/10,
  // fec0::/10, ff00::/8 and the reserved rest. Within it: Teredo and the other
  // 2001:0::/23 assignments, documentation 2001:db8::/32 and 3fff::/20.
  if ((g0 & 0xe000) !== 0x2000) return false;
  if (g0 === 0x2001 && (g1 < 0x200 || g1 === 0xdb8)) return false;
  if (g0 === 0x3fff && g1 < 0x1000) return false;
  return true;
}

function isPublicV4(octets: number[]): boolean {
  const [a = 0, b = 0, c = 0] = octets;
  return !(
    a === 0 || // "this network", 0.0.0.0
    a === 10 ||
    (a === 100 && b >= 64 && b <= 127) || // shared address space (CGNAT)
    a === 127 ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 0 && (c === 0 || c === 2)) || // protocol assignments, TEST-NET-1
    (a === 192 && b === 88 && c === 99) || // 6to4 relay anycast
    (a === 192 && b === 168) ||
    (a === 198 && (b === 18 || b === 19)) || // benchmarking 198.18.0.0/15
    (a === 198 && b === 51 && c === 100) || // TEST-NET-2
    (a === 203 && b === 0 && c === 113) || // TEST-NET-3
    a >= 224 // multicast 224/4, reserved 240/4, broadcast
  );
}

/** The eight 16-bit groups of an IPv6 address that `isIP` accepted. */
function ipv6Groups(address: string): number[] | null {
  let text = address.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a = 0, b = 0, c = 0, d = 0] = dotted.slice(1).map(Number);
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const part = (s: string) => (s === "" ? [] : s.split(":").map((h) => Number.parseInt(h, 16)));
  const left = part(head);
  const right = tail === undefined ? [] : part(tail);
  const fill = 8 - left.length - right.length;
  if (fill < 0 || (tail === undefined && fill !== 0)) return null;
  const groups = [...left, ...new Array<number>(fill).fill(0), ...right];
  return groups.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffff) ? groups : null;
}

/**
 * The addresses to connect to for `url`, every one checked (unless `allowPrivate`);
 * throws a FeedFetchError when refused. Web push endpoints are fenced the same way.
 */
export async function vettedAddresses(
  url: URL,
  resolve: ResolveHost = systemResolve,
  allowPrivate = false,
): Promise<ResolvedAddress[]> {
  const host = bareHost(url);
  const literal = isIP(host);
  if (literal !== 0) return [{ address: host, family: literal }];
  let addresses: ResolvedAddress[];
  try {
    addresses = await resolve(host);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    // A name that does not exist will not start to; a failing resolver may recover.
    throw new FeedFetchError(
      `could not resolve ${url.hostname}: ${code ?? (err as Error).message}`,
      code === "ENOTFOUND",
    );
  }
  if (addresses.length === 0) throw new FeedFetchError(`${url.hostname} has no address`, true);
  const refused = allowPrivate ? undefined : addresses.find((a) => !isPublicAddress(a.address));
  if (refused)
    throw new FeedFetchError(
      `refusing to fetch from ${url.hostname}: it resolves to ${refused.address}, a local or private address`,
      true,
    );
  return addresses;
}

/** A `lookup` for node:http that answers with the checked addresses only, whatever DNS says now. */
export function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return (_hostname, options, callback) => {
    const wanted = addresses.filter((a) => !options.family || a.family === options.family);
    const list = wanted.length > 0 ? wanted : addresses;
    if (options.all) {
      callback(null, list);
      return;
    }
    const first = list[0];
    if (first) callback(null, first.address, first.family);
    else callback(new Error("no checked address"), "", 0);
  };
}

/** The feed's text. Throws FeedFetchError, `permanent` when a retry cannot help. */
export async function fetchCalendarFeed(rawUrl: string, options: FeedFetchOptions = {}): Promise<string> {
  const timeoutMs = options.timeoutMs ?? FEED_TIMEOUT_MS;
  const maxBytes = options.maxBytes ?? FEED_MAX_BYTES;
  const resolve = options.resolve ?? systemResolve;
  const signal = AbortSignal.timeout(timeoutMs);
  const allowPrivate = options.allowPrivate ?? false;
  let url = feedUrl(rawUrl, allowPrivate);
  for (let hop = 0; ; hop++) {
    const addresses = await vettedAddresses(url, resolve, allowPrivate);
    let res: IncomingMessage;
    try {
      signal.throwIfAborted();
      res = await get(url, addresses, signal);
    } catch (err) {
      throw new FeedFetchError(
        signal.aborted
          ? `no answer within ${timeoutMs} ms`
          : `could not reach ${url.host}: ${(err as Error).message}`,
        false,
      );
    }
    const status = res.statusCode ?? 0;
    const location = res.headers.location;
    if (status >= 300 && status < 400 && location) {
      res.destroy();
      if (hop >= MAX_REDIRECTS) throw new FeedFetchError(`more than ${MAX_REDIRECTS} redirects`, true);
      url = feedUrl(new URL(location, url).toString(), allowPrivate);
      continue;
    }
    if (status < 200 || status >= 300) {
      res.destroy();
      // 408 and 429 and server errors pass; everything else is the URL's fault.
      const transient = status === 408 || status === 429 || status >= 500;
      throw new FeedFetchError(`the feed answered HTTP ${status}`, !transient, status);
    }
    const length = Number(res.headers["content-length"] ?? "0");
    if (length > maxBytes) {
      res.destroy();
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

/** One GET, connecting only to `addresses`; resolves with the response head. */
function get(url: URL, addresses: ResolvedAddress[], signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === "https:" ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(
      url,
      {
        method: "GET",
        signal,
        // A connection of its own: a pooled one could have been opened to another address.
        agent: false,
        lookup: pinnedLookup(addresses),
        headers: { accept: "text/calendar, text/plain;q=0.5, */*;q=0.1", "user-agent": "runstrong" },
      },
      resolve,
    );
    req.on("error", reject);
    req.end();
  });
}

async function readLimited(res: IncomingMessage, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of res) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    total += buf.byteLength;
    if (total > maxBytes) {
      res.destroy();
      throw new FeedFetchError(`the feed is over the ${maxBytes} byte limit`, true);
    }
    chunks.push(buf);
  }
  return Buffer.concat(chunks).toString("utf8");
}
