// The real app served on a loopback port for a browser test file, on the file's own
// Postgres database and Redis prefix, with a clock the test sets, and a browser
// context signed in as an athlete (the session cookie the Strava callback would
// set, made with the app's own secret). The connect flow itself is exercised by
// test/e2e/plan.browser.test.ts; the other pages start signed in.
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll } from "vitest";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { useBrowser } from "./browser.ts";
import { type TestEnv, testApp, useTestEnv } from "./test-env.ts";

export interface BrowserApp {
  base: string;
  env: TestEnv;
  browser: Browser;
  /** the app's clock: what `now` the app reads */
  clock: { now: Date };
  /** a new context (phone-sized unless told) whose pages are signed in as `athleteId` */
  signedIn(
    athleteId: number,
    options?: { width?: number; height?: number; permissions?: string[] },
  ): Promise<{
    context: BrowserContext;
    page: Page;
  }>;
}

/** Serves `server` on a free loopback port until the file ends; its base URL. */
export async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Call at the top of a browser test file. `env` is added to the test config (PUBLIC_URL is set here). */
export async function useBrowserApp(env: Record<string, string> = {}): Promise<BrowserApp> {
  // The app is served before its config exists: PUBLIC_URL must name the port.
  let handle: (req: Request) => Response | Promise<Response> = () =>
    new Response("starting", { status: 503 });
  const server = serve({ fetch: (req) => handle(req), port: 0, hostname: "127.0.0.1" }) as Server;
  await new Promise<void>((resolve) => (server.listening ? resolve() : server.once("listening", resolve)));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const testEnv = await useTestEnv({ PUBLIC_URL: base, REPLAN_DEBOUNCE_MS: "0", ...env });
  const clock = { now: new Date() };
  const app = testApp(testEnv, () => clock.now);
  handle = (req) => app.fetch(req);
  const browser = await useBrowser();

  return {
    base,
    env: testEnv,
    browser,
    clock,
    async signedIn(athleteId, options = {}) {
      const context = await browser.newContext({
        viewport: { width: options.width ?? 390, height: options.height ?? 844 },
        ...(options.permissions ? { permissions: options.permissions } : {}),
      });
      afterAll(() => context.close());
      // Generous: the machine running the suite may be busy; these are waits, not assertions on time.
      context.setDefaultTimeout(90_000);
      context.setDefaultNavigationTimeout(90_000);
      await context.addCookies([
        {
          name: SESSION_COOKIE,
          value: sessionToken(athleteId, testEnv.config, clock.now.getTime()),
          url: base,
          httpOnly: true,
          sameSite: "Lax",
        },
      ]);
      return { context, page: await context.newPage() };
    },
  };
}
