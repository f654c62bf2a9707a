// The OAuth callbacks' fuzz suite, run by one test file per provider (each its own
// msw server: two at once in one file would shadow each other).
import { count, eq } from "drizzle-orm";
import fc from "fast-check";
import type { Hono } from "hono";
import { describe, expect, it } from "vitest";
import { athletes, providerConnections } from "../../src/db/schema/index.ts";
import { STATE_COOKIE } from "../../src/server/oauth-state.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { seedAthlete } from "./builders.ts";
import type { TestEnv } from "./test-env.ts";

export const ALL_STRAVA_SCOPES = "read,activity:read_all,profile:read_all";

function cookieOf(res: Response, name: string): string | undefined {
  for (const line of res.headers.getSetCookie()) {
    const [pair = ""] = line.split(";");
    const i = pair.indexOf("=");
    if (pair.slice(0, i).trim() === name) return decodeURIComponent(pair.slice(i + 1));
  }
  return undefined;
}

function query(q: Record<string, string | undefined>): string {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined) p.set(k, v);
  return p.toString();
}

/** A state as a caller might send it: the real one, missing, mangled, or anything at all. */
const stateArb = (real: string) =>
  fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 200 }),
    fc
      .nat({ max: Math.max(0, real.length - 1) })
      .chain((i) =>
        fc.string({ minLength: 1, maxLength: 3 }).map((s) => `${real.slice(0, i)}${s}${real.slice(i + 1)}`),
      ),
    fc.constant(`${real}.${real}`),
  );
const cookieArb = (nonce: string) =>
  fc.oneof(
    fc.constant(undefined),
    fc.string({ maxLength: 80 }).map((s) => `${STATE_COOKIE}=${encodeURIComponent(s)}`),
    fc.constant(`${STATE_COOKIE}=${nonce}x`),
    fc.constant(`${STATE_COOKIE}=${nonce}; ${SESSION_COOKIE}=forged.session`),
  );
const paramArb = fc.option(fc.string({ maxLength: 60 }), { nil: undefined });

export interface OAuthFuzzTarget {
  provider: "strava" | "garmin";
  env: TestEnv;
  app: Hono<never> | { request: Hono["request"] };
  /** a code the fake provider takes for `account`, bound to the flow's PKCE challenge */
  goodCode(challenge: string, account: string): string;
  /** the provider's account id the good code of `account` connects (Strava's fake has one) */
  accountOf(account: string): string;
  /** extra query parameters of a good callback */
  extra: Record<string, string>;
}

export function oauthCallbackFuzz(t: OAuthFuzzTarget): void {
  const { provider, env } = t;
  const db = env.pool.db;
  const app = t.app;

  async function start() {
    const res = await app.request(`/auth/${provider}`);
    expect(res.status).toBe(302);
    const location = new URL(res.headers.get("location") ?? "");
    return {
      state: location.searchParams.get("state") ?? "",
      challenge: location.searchParams.get("code_challenge") ?? "",
      nonce: cookieOf(res, STATE_COOKIE) ?? "",
    };
  }

  async function counts() {
    const [a] = await db.select({ n: count() }).from(athletes);
    const [c] = await db.select({ n: count() }).from(providerConnections);
    return { athletes: a?.n ?? 0, connections: c?.n ?? 0 };
  }

  describe(`the ${provider} OAuth callback under fuzzed parameters`, () => {
    it("answers below 500, stores nothing and signs nobody in without this browser's good state", async () => {
      const flow = await start();
      const before = await counts();
      const input = fc.record({
        state: stateArb(flow.state),
        cookie: cookieArb(flow.nonce),
        code: paramArb,
        scope: fc.oneof(fc.constant(ALL_STRAVA_SCOPES), paramArb),
        error: fc.oneof(fc.constant(undefined), fc.constant("access_denied"), paramArb),
      });
      await fc.assert(
        fc.asyncProperty(input, async (q) => {
          const res = await app.request(
            `/auth/${provider}/callback?${query({ state: q.state, code: q.code, scope: q.scope, error: q.error })}`,
            { headers: q.cookie ? { cookie: q.cookie } : {} },
          );
          expect(res.status).toBeLessThan(500);
          expect(res.status).not.toBe(302);
          expect(cookieOf(res, SESSION_COOKIE) ?? "").toBe("");
          await res.arrayBuffer();
        }),
        { numRuns: 150 },
      );
      expect(await counts()).toEqual(before);
    });

    it("a forged code with a good state answers below 500, and its replay without the spent cookie 400; nothing stored", async () => {
      const before = await counts();
      await fc.assert(
        fc.asyncProperty(fc.string({ minLength: 1, maxLength: 80 }), async (code) => {
          const flow = await start();
          // Strava's fake exchanges any code: a scope short of what runstrong needs is refused before the exchange.
          const q = query({ state: flow.state, code, ...(provider === "strava" ? { scope: "read" } : {}) });
          const first = await app.request(`/auth/${provider}/callback?${q}`, {
            headers: { cookie: `${STATE_COOKIE}=${flow.nonce}` },
          });
          expect(first.status).toBeLessThan(500);
          expect(cookieOf(first, SESSION_COOKIE) ?? "").toBe("");
          // The first callback deleted the state cookie: the browser replays without it.
          expect(first.headers.getSetCookie().some((l) => l.startsWith(`${STATE_COOKIE}=;`))).toBe(true);
          const replay = await app.request(`/auth/${provider}/callback?${q}`);
          expect(replay.status).toBe(400);
          expect(cookieOf(replay, SESSION_COOKIE) ?? "").toBe("");
        }),
        { numRuns: 40 },
      );
      expect(await counts()).toEqual(before);
    });

    it("a replayed good callback never signs in anyone new or stores a second connection", async () => {
      const flow = await start();
      const q = query({
        state: flow.state,
        code: t.goodCode(flow.challenge, "replayed-account"),
        ...t.extra,
      });
      const cookie = { cookie: `${STATE_COOKIE}=${flow.nonce}` };
      const first = await app.request(`/auth/${provider}/callback?${q}`, { headers: cookie });
      expect(first.status).toBe(302);
      const after = await counts();
      expect((await app.request(`/auth/${provider}/callback?${q}`)).status).toBe(400);
      // Even with the spent cookie kept, the code is the provider's to refuse (Garmin's fake does; Strava's takes any).
      const kept = await app.request(`/auth/${provider}/callback?${q}`, { headers: cookie });
      expect(kept.status).toBeLessThan(500);
      expect(await counts()).toEqual(after);
    });

    it("a code for an account another athlete holds never moves it to the athlete signed in", async () => {
      const holder = await seedAthlete(db);
      const signedIn = await seedAthlete(db);
      const session = `${SESSION_COOKIE}=${sessionToken(signedIn.id, env.config, Date.now())}`;
      const account = "held-account";
      const first = await start();
      const res1 = await app.request(
        `/auth/${provider}/callback?${query({ state: first.state, code: t.goodCode(first.challenge, account), ...t.extra })}`,
        { headers: { cookie: `${STATE_COOKIE}=${first.nonce}` } },
      );
      expect(res1.status).toBe(302);
      await db
        .update(providerConnections)
        .set({ athleteId: holder.id })
        .where(eq(providerConnections.externalAthleteId, t.accountOf(account)));

      const second = await start();
      const res2 = await app.request(
        `/auth/${provider}/callback?${query({ state: second.state, code: t.goodCode(second.challenge, account), ...t.extra })}`,
        { headers: { cookie: `${STATE_COOKIE}=${second.nonce}; ${session}` } },
      );
      expect(res2.status).toBeLessThan(500);
      const owners = await db
        .select({ athleteId: providerConnections.athleteId, ext: providerConnections.externalAthleteId })
        .from(providerConnections);
      expect(owners.filter((o) => o.athleteId === signedIn.id)).toEqual([]);
      expect(owners.find((o) => o.ext === t.accountOf(account))?.athleteId).toBe(holder.id);
    });
  });
}
