import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { seedAthlete } from "../support/builders.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example";
const env = await useTestEnv({ PUBLIC_URL });
const app = testApp(env);

/** A browser's cookie jar, as far as this test needs one: set, replace, and expire by Max-Age=0. */
function cookieJar(initial: Record<string, string>) {
  const jar = new Map(Object.entries(initial));
  return {
    header: () => [...jar].map(([k, v]) => `${k}=${v}`).join("; "),
    take(res: Response) {
      for (const line of res.headers.getSetCookie()) {
        const [pair = "", ...attributes] = line.split(";").map((p) => p.trim());
        const eq = pair.indexOf("=");
        const name = pair.slice(0, eq);
        const expired = attributes.some((a) => /^max-age=0$/i.test(a)) || pair.slice(eq + 1) === "";
        if (expired) jar.delete(name);
        else jar.set(name, pair.slice(eq + 1));
      }
    },
    has: (name: string) => jar.has(name),
  };
}

describe("POST /auth/logout", () => {
  it("clears the session cookie, and the next API call answers 401", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const jar = cookieJar({ [SESSION_COOKIE]: sessionToken(athlete.id, env.config, Date.now()) });
    const before = await app.request("/api/settings", { headers: { cookie: jar.header() } });
    expect(before.status).toBe(200);

    const out = await app.request("/auth/logout", {
      method: "POST",
      headers: { cookie: jar.header(), origin: PUBLIC_URL },
    });
    expect(out.status).toBe(200);
    expect(await out.json()).toEqual({ signedOut: true });
    const cleared = out.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    expect(cleared).toMatch(/Max-Age=0/i);
    expect(cleared).toMatch(/Path=\//);
    jar.take(out);
    expect(jar.has(SESSION_COOKIE)).toBe(false);

    const after = await app.request("/api/settings", { headers: { cookie: jar.header() } });
    expect(after.status).toBe(401);
    expect(((await after.json()) as { error: { code: string } }).error.code).toBe("unauthorized");

    // Signing out again is not an error.
    expect((await app.request("/auth/logout", { method: "POST" })).status).toBe(200);
  });

  it("is a state change like the others: another origin or a form body cannot sign the athlete out", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const cookie = `${SESSION_COOKIE}=${sessionToken(athlete.id, env.config, Date.now())}`;
    const foreign = await app.request("/auth/logout", {
      method: "POST",
      headers: { cookie, origin: "https://app.runstrong.example" },
    });
    expect(foreign.status).toBe(403);
    expect(foreign.headers.getSetCookie()).toEqual([]);
    const form = await app.request("/auth/logout", {
      method: "POST",
      headers: { cookie, "content-type": "application/x-www-form-urlencoded" },
      body: "",
    });
    expect(form.status).toBe(415);
    expect(form.headers.getSetCookie()).toEqual([]);
    // A GET (a link, an <img>) signs nobody out either.
    expect((await app.request("/auth/logout", { headers: { cookie } })).status).toBe(404);
  });
});
