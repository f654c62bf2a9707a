/// <reference lib="dom" />
// Errors a person can read, in Debian's chromium against the real app: the 404
// page, a real 500 (a table the plan page reads is renamed away in this file's own
// database) showing the request id the response carries, and an expired session
// sent to / with its message. Each is phone-sized, scanned by axe-core in light
// and dark, and walked with the Tab key; and "Sign out" in the nav works from
// every signed-in page, error pages included.
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { axeSeriousOrCritical, tabThrough } from "../support/browser.ts";
import { useBrowserApp } from "../support/browser-app.ts";
import { seedAthlete } from "../support/builders.ts";

const { base, env, browser, clock, signedIn } = await useBrowserApp();
const athlete = await seedAthlete(env.pool.db);

/** Nothing on the page is wider than the phone: no sideways scrolling. */
function fitsTheViewport(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}

/**
 * What every error page must pass: axe finds nothing serious or critical in
 * light or dark (and dark is really dark), and Tab reaches every link and button
 * in order, the skip link first, with a visible focus ring.
 */
async function readableEverywhere(page: Page): Promise<void> {
  const backgrounds: string[] = [];
  for (const colorScheme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme });
    expect(await axeSeriousOrCritical(page), colorScheme).toEqual([]);
    backgrounds.push(await page.evaluate(() => getComputedStyle(document.body).backgroundColor));
  }
  expect(backgrounds).toEqual(["rgb(255, 255, 255)", "rgb(18, 18, 18)"]);
  await page.emulateMedia({ colorScheme: "light" });
  const walk = await tabThrough(page);
  expect(walk.total).toBeGreaterThan(1);
  expect(walk.reached).toBe(walk.total);
  expect(walk.skipFirst).toBe(true);
  expect(walk.order).toEqual([...walk.order].sort((a, b) => a - b));
  const outline = await page.evaluate(
    () => getComputedStyle(document.activeElement ?? document.body).outlineStyle,
  );
  expect(outline).not.toBe("none");
  if (walk.buttonOutline !== null) expect(walk.buttonOutline).not.toBe("none");
}

describe("error pages in a browser", () => {
  it("answers a missing page with a readable, phone-sized 404 page that keeps the nav", async () => {
    const { page } = await signedIn(athlete.id);
    const path = `/no-such-page/${"a-long-path-segment-".repeat(8)}`;
    const res = await page.goto(`${base}${path}`);
    expect(res?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Page not found");
    await expect(page.locator("main").textContent()).resolves.toContain(`There is no page at ${path}.`);
    await expect(page.getByRole("link", { name: "Back to runstrong" }).isVisible()).resolves.toBe(true);
    await expect(page.getByRole("button", { name: "Sign out" }).isVisible()).resolves.toBe(true);
    expect(await fitsTheViewport(page)).toBe(true);
    await readableEverywhere(page);
  });

  it("answers a real failure with a 500 page showing the request id the response carries", async () => {
    const { page } = await signedIn(athlete.id);
    // The plan page reads the strength log: without its table the request fails for real.
    await env.pool.sql`alter table strength_logs rename to strength_logs_away`;
    try {
      const res = await page.goto(`${base}/plan`);
      expect(res?.status()).toBe(500);
      const requestId = res?.headers()["x-request-id"];
      expect(requestId).toMatch(/^[\w-]{8,}$/);
      await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe(
        "Something went wrong",
      );
      await expect(page.locator("main code").textContent()).resolves.toBe(requestId);
      await expect(page.locator("main").textContent()).resolves.toContain("quote it if you report this");
      expect(await fitsTheViewport(page)).toBe(true);
      await readableEverywhere(page);
    } finally {
      await env.pool.sql`alter table strength_logs_away rename to strength_logs`;
    }
    // The table back, the same page works again.
    expect((await page.goto(`${base}/plan`))?.status()).toBe(200);
  });

  it("sends an expired session to / with a message, and forgets the cookie", async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    context.setDefaultTimeout(90_000);
    context.setDefaultNavigationTimeout(90_000);
    try {
      const old = sessionToken(athlete.id, env.config, clock.now.getTime() - 31 * 86_400_000);
      await context.addCookies([
        { name: SESSION_COOKIE, value: old, url: base, httpOnly: true, sameSite: "Lax" },
      ]);
      const page = await context.newPage();
      await page.goto(`${base}/plan`);
      await page.waitForURL(`${base}/?notice=expired`);
      await expect(page.getByRole("status").textContent()).resolves.toBe(
        "Your session has ended. Connect again to see your plan.",
      );
      await expect(page.getByRole("link", { name: "Connect with Strava" }).isVisible()).resolves.toBe(true);
      expect((await context.cookies()).map((c) => c.name)).not.toContain(SESSION_COOKIE);
      expect(await fitsTheViewport(page)).toBe(true);
      await readableEverywhere(page);
    } finally {
      await context.close();
    }
  });

  it("signs out from the nav of every signed-in page, error pages included", async () => {
    for (const path of ["/plan", "/settings", "/notifications", "/account", "/no-such-page"]) {
      const { page, context } = await signedIn(athlete.id);
      await page.goto(`${base}${path}`);
      const nav = page.getByRole("navigation", { name: "Account" });
      await nav.getByRole("button", { name: "Sign out" }).click();
      await page.waitForLoadState();
      expect(page.url(), `${path}: ${await page.locator("main").textContent()}`).toBe(
        `${base}/?notice=signed-out`,
      );
      await expect(page.getByRole("status").textContent(), path).resolves.toBe("You are signed out.");
      expect(
        (await context.cookies()).map((c) => c.name),
        path,
      ).not.toContain(SESSION_COOKIE);
      // Signed out for real: the plan sends the visitor to / again, with no message about a session.
      await page.goto(`${base}/plan`);
      expect(page.url(), path).toBe(`${base}/`);
      await context.close();
    }
  });
});
