// The feed fetch goes only to the public internet: names are resolved and every
// address checked, on the first URL and on each redirect. DNS is a stand-in here
// (the resolver is a parameter), the feed server is msw.
import { HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, describe, expect, it } from "vitest";
import {
  FeedFetchError,
  feedUrl,
  fetchCalendarFeed,
  isPublicAddress,
  type ResolveHost,
} from "../../src/integrations/calendar/fetch-feed.ts";

const ICS = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n";
const PUBLIC_V4 = "93.184.215.14";

/** A DNS stand-in: the names it knows, and every name it was asked. */
function resolver(names: Record<string, string[]>): ResolveHost & { asked: string[] } {
  const asked: string[] = [];
  const resolve = async (host: string) => {
    asked.push(host);
    const addresses = names[host];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: "ENOTFOUND" });
    return addresses.map((address) => ({ address, family: address.includes(":") ? 6 : 4 }));
  };
  return Object.assign(resolve, { asked });
}

const server = setupServer(
  http.get("https://plans.example.com/plan.ics", () =>
    HttpResponse.text(ICS, { headers: { "content-type": "text/calendar" } }),
  ),
  http.get("https://plans.example.com/to-rebound.ics", () =>
    HttpResponse.redirect("https://rebound.example.net/plan.ics", 302),
  ),
  http.get("http://plans.example.com/loop.ics", () =>
    HttpResponse.redirect("http://plans.example.com/loop.ics", 302),
  ),
);
server.listen({ onUnhandledRequest: "error" });
afterAll(() => server.close());

async function refusal(url: string, resolve: ResolveHost): Promise<FeedFetchError> {
  const err = await fetchCalendarFeed(url, { resolve, timeoutMs: 2_000 }).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(FeedFetchError);
  return err as FeedFetchError;
}

describe("the feed fetch refuses what is not on the public internet", () => {
  const dns = resolver({
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "metadata.google.internal": ["169.254.169.254"],
    "split.example.com": [PUBLIC_V4, "10.0.0.7"],
    "v6.example.com": ["2606:2800:21f:cb07:6820:80da:af6b:8b2c", "fd00::7"],
    "nat64.example.com": ["64:ff9b::a9fe:a9fe"],
  });

  it.each([
    [
      "http://127.0.0.1.nip.io:6379/",
      /127\.0\.0\.1\.nip\.io: it resolves to 127\.0\.0\.1, a local or private address/,
    ],
    ["http://localhost.:5432/", /localhost\.: a local or private address/],
    ["http://metadata.google.internal/computeMetadata/v1/", /metadata\.google\.internal: a local or private/],
    ["http://[fec0::1]/a.ics", /\[fec0::1\]: a local or private address/],
    ["http://[64:ff9b::a9fe:a9fe]/latest/meta-data", /\[64:ff9b::a9fe:a9fe\]: a local or private address/],
    ["http://198.18.0.1/a.ics", /198\.18\.0\.1: a local or private address/],
    ["http://[::ffff:7f00:1]/a.ics", /a local or private address/],
    ["http://0x7f.1/a.ics", /127\.0\.0\.1: a local or private address/],
    ["http://100.64.0.1/a.ics", /a local or private address/],
    ["http://[ff02::1]/a.ics", /a local or private address/],
    ["webcal://printer.local/a.ics", /printer\.local: a local or private address/],
    ["https://split.example.com/a.ics", /resolves to 10\.0\.0\.7/],
    ["https://v6.example.com/a.ics", /resolves to fd00::7/],
    ["https://nat64.example.com/a.ics", /resolves to 64:ff9b::a9fe:a9fe/],
  ])("%s", async (url, message) => {
    const err = await refusal(url, dns);
    expect(err.message).toMatch(message);
    expect(err.permanent).toBe(true);
  });

  it("does not ask DNS about names refused for what they are", async () => {
    const asking = resolver({});
    await refusal("http://localhost.:5432/", asking);
    await refusal("http://metadata.google.internal/", asking);
    expect(asking.asked).toEqual([]);
  });

  it("checks the host of every redirect, and stops after five", async () => {
    const rebound = resolver({ "plans.example.com": [PUBLIC_V4], "rebound.example.net": ["192.168.0.1"] });
    const err = await refusal("https://plans.example.com/to-rebound.ics", rebound);
    expect(err.message).toMatch(/rebound\.example\.net: it resolves to 192\.168\.0\.1/);
    expect(rebound.asked).toEqual(["plans.example.com", "rebound.example.net"]);

    const loop = await refusal(
      "http://plans.example.com/loop.ics",
      resolver({ "plans.example.com": [PUBLIC_V4] }),
    );
    expect(loop.message).toBe("more than 5 redirects");
  });

  it("a name that does not resolve is refused for good", async () => {
    const err = await refusal("https://nowhere.example.org/a.ics", resolver({}));
    expect(err).toMatchObject({
      permanent: true,
      message: expect.stringMatching(/could not resolve.*ENOTFOUND/),
    });
  });
});

describe("the feed fetch", () => {
  it("fetches a public name that resolves to public addresses", async () => {
    const dns = resolver({ "plans.example.com": [PUBLIC_V4, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"] });
    expect(await fetchCalendarFeed("webcal://plans.example.com/plan.ics", { resolve: dns })).toBe(ICS);
    expect(dns.asked).toEqual(["plans.example.com"]);
  });
});

describe("a public address", () => {
  it.each([
    ["93.184.215.14", true],
    ["8.8.8.8", true],
    ["2606:4700:4700::1111", true],
    ["::ffff:8.8.8.8", true],
    ["64:ff9b::808:808", true],
    ["0.0.0.0", false],
    ["127.0.0.53", false],
    ["10.1.2.3", false],
    ["172.20.0.1", false],
    ["192.168.1.1", false],
    ["169.254.169.254", false],
    ["100.100.100.200", false],
    ["198.19.255.255", false],
    ["192.0.2.1", false],
    ["224.0.0.1", false],
    ["255.255.255.255", false],
    ["::", false],
    ["::1", false],
    ["::ffff:127.0.0.1", false],
    ["::ffff:a9fe:a9fe", false],
    ["::127.0.0.1", false],
    ["64:ff9b::10.0.0.1", false],
    ["64:ff9b:1::808:808", false],
    ["2002:c0a8:101::1", false],
    ["2001:db8::1", false],
    ["2001:0:4136:e378:8000:63bf:3fff:fdd2", false],
    ["fe80::1%eth0", false],
    ["fec0::1", false],
    ["fd12:3456::1", false],
    ["ff02::1", false],
    ["not an address", false],
  ])("%s: %s", (address, expected) => {
    expect(isPublicAddress(address)).toBe(expected);
  });
});

describe("OUTBOUND_ALLOW_PRIVATE (development and tests)", () => {
  it("lets a feed on a private address through, which is refused without it", async () => {
    const dns = resolver({ "plans.example.com": ["10.0.0.7"] });
    expect((await refusal("https://plans.example.com/plan.ics", dns)).message).toMatch(/10\.0\.0\.7/);
    expect(feedUrl("http://127.0.0.1:8080/plan.ics", true).host).toBe("127.0.0.1:8080");
    expect(() => feedUrl("http://127.0.0.1:8080/plan.ics")).toThrow(FeedFetchError);
    // msw answers before any connection is made; what matters is that the address check passes.
    expect(
      await fetchCalendarFeed("https://plans.example.com/plan.ics", { resolve: dns, allowPrivate: true }),
    ).toBe(ICS);
  });
});
