/// <reference lib="dom" />
// The athlete's web app in Debian's chromium (playwright-core), against the real
// app served on a loopback port with real Postgres and Redis; only Strava is
// fake: a tiny authorize page on another loopback port that sends the browser
// straight back with a code, and msw for the token exchange. Connect, see the
// plan, mark a session done with the sets actually lifted (one changed in the
// form), reach every action and the log form's fields by keyboard alone, scan /
// and /plan with axe-core, refuse another site's form, and take the README's
// screenshots of /plan (phone and laptop, light and dark) with a logged session.
import { mkdir } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { HttpResponse, http } from "msw";
import { afterAll, describe, expect, it } from "vitest";
import { latestPlan, type StoredSession } from "../../src/db/repos/plans.ts";
import { athletes, strengthLogs } from "../../src/db/schema/index.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { axeSeriousOrCritical, useBrowser } from "../support/browser.ts";
import { seedActivity } from "../support/builders.ts";
import { STRAVA_TEST_ENV, stravaFixture, useStravaFake } from "../support/strava-fake.ts";
import { jobContext, testApp, useTestEnv, workerDeps } from "../support/test-env.ts";

const ARTIFACTS = new URL("../artifacts/", import.meta.url);

async function listen(server: Server): Promise<string> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

// Strava's authorize page, as a browser meets it: it agrees at once and sends the
// athlete back with a code, the state and every scope asked for. The same server
// plays "another site" whose page holds a form aimed at the app.
const outside = createServer((req, res) => {
  const url = new URL(req.url ?? "/", "http://127.0.0.1");
  if (url.pathname === "/oauth/authorize") {
    const back = new URL(url.searchParams.get("redirect_uri") ?? "");
    back.search = new URLSearchParams({
      state: url.searchParams.get("state") ?? "",
      code: "e2e-authorization-code",
      scope: url.searchParams.get("scope") ?? "",
    }).toString();
    res.writeHead(302, { location: back.toString() }).end();
    return;
  }
  if (url.pathname === "/other-site") {
    const action = (url.searchParams.get("action") ?? "").replace(/[<>"&]/g, "");
    res
      .writeHead(200, { "content-type": "text/html; charset=utf-8" })
      .end(
        `<!doctype html><html lang="en"><title>Another site</title><form method="post" action="${action}"><input type="hidden" name="_csrf" value="a-guess"><button>Win a prize</button></form></html>`,
      );
    return;
  }
  res.writeHead(404).end();
});
const outsideBase = await listen(outside);

// The app is served before its config exists: PUBLIC_URL must name the port.
let handle: (req: Request) => Response | Promise<Response> = () => new Response("starting", { status: 503 });
const appServer = serve({ fetch: (req) => handle(req), port: 0, hostname: "127.0.0.1" }) as Server;
await new Promise<void>((resolve) =>
  appServer.listening ? resolve() : appServer.once("listening", resolve),
);
afterAll(() => new Promise<void>((resolve) => appServer.close(() => resolve())));
const base = `http://127.0.0.1:${(appServer.address() as AddressInfo).port}`;

const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  STRAVA_OAUTH_BASE_URL: `${outsideBase}/oauth`,
  PUBLIC_URL: base,
  REPLAN_DEBOUNCE_MS: "0",
});
useStravaFake([
  http.post(`${outsideBase}/oauth/token`, () =>
    HttpResponse.json(stravaFixture("strava-oauth-token-exchange.json") as Record<string, unknown>),
  ),
]);
let now = new Date();
const app = testApp(env, () => now);
handle = (req) => app.fetch(req);

const browser = await useBrowser();
const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
afterAll(() => context.close());
// Generous: the machine running the suite may be busy; these are waits, not assertions on time.
context.setDefaultTimeout(90_000);
context.setDefaultNavigationTimeout(90_000);
const page = await context.newPage();

/** The stored plan's sessions, first to last. */
async function sessions(): Promise<StoredSession[]> {
  const [athlete] = await env.pool.db.select().from(athletes);
  if (!athlete) throw new Error("nobody connected");
  return (await latestPlan(env.pool.db, athlete.id))?.sessions ?? [];
}

describe("the athlete's web app in a browser", () => {
  it("connects through Strava's authorize page and lands signed in, then sees the plan with its sessions", async () => {
    await page.goto(`${base}/`);
    await page.getByRole("link", { name: "Connect with Strava" }).click();
    await page.waitForURL(`${base}/auth/strava/connected`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Strava connected");

    // The re-plan worker's job, run here, as it would a minute after connecting.
    const [athlete] = await env.pool.db.select().from(athletes);
    if (!athlete) throw new Error("the callback stored no athlete");
    await replanAthlete(
      { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
      workerDeps(env, () => now),
      jobContext(env),
    );
    const [first] = await sessions();
    if (!first) throw new Error("no session planned");
    // An hour into the first session, with a run that morning to mark.
    now = new Date(first.startAt.getTime() + 3_600_000);
    await seedActivity(env.pool.db, athlete.id, {
      start: new Date(first.startAt.getTime() - 2 * 3_600_000).toISOString(),
      minutes: 45,
      name: "Morning run",
      kind: "easy",
      timezone: athlete.timezone,
    });

    await page.getByRole("link", { name: "See your plan" }).click();
    await page.waitForURL(`${base}/plan`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Your plan");
    const shown = page.locator("article[id^='s-']");
    expect(await shown.count()).toBeGreaterThan(0);
    await expect(page.locator(`#s-${first.sessionKey}`).isVisible()).resolves.toBe(true);
    await expect(
      page.locator(`#s-${first.sessionKey} h3 time`).first().getAttribute("datetime"),
    ).resolves.toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
    expect(await page.locator(`#s-${first.sessionKey} tbody tr`).count()).toBeGreaterThan(0);
    expect(await page.getByRole("button", { name: "Was quality" }).count()).toBe(1);
  });

  it("marks a session done with its sets: one set's reps and load changed in the form, shown on the page and stored", async () => {
    const [first] = await sessions();
    if (!first) throw new Error("no session planned");
    const card = page.locator(`#s-${first.sessionKey}`);
    const id = `s-${first.sessionKey}`;
    await card.getByText("Done — record sets").click();
    // Prefilled with the plan: the first exercise's planned sets, each with its reps.
    const firstExercise = first.exercises[0];
    if (!firstExercise) throw new Error("a session without exercises");
    const planned = /\d+/.exec(firstExercise.reps)?.[0];
    await expect(page.locator(`#${id}-e0-s0-reps`).inputValue()).resolves.toBe(planned);
    const plannedLoad = await page.locator(`#${id}-e0-s0-load`).inputValue();
    expect(plannedLoad).toMatch(/^\d+(\.\d+)?$/);
    expect(await card.locator(`input[name^="ex-0-set-"][name$="-reps"]`).count()).toBe(firstExercise.sets);
    // The second set went differently: fewer reps at a heavier load.
    await page.locator(`#${id}-e0-s1-reps`).fill("4");
    await page.locator(`#${id}-e0-s1-load`).fill("42.5");
    await card.getByRole("button", { name: "Save the sets, mark it done" }).click();
    await page.waitForURL(/\/plan\?updated=\d+$/);
    await expect(page.getByRole("status").first().textContent()).resolves.toMatch(
      /Saved\. Strength . on .* done: you logged its sets/,
    );
    await expect(page.locator(`#${id} .status`).textContent()).resolves.toBe("Done");
    const lifted = await page.locator(`#${id} table.lifted`).textContent();
    expect(lifted).toContain(firstExercise.name);
    const firstSet = plannedLoad === "0" ? "bodyweight" : `${plannedLoad} kg`;
    expect(lifted).toContain(`${planned} × ${firstSet}, 4 × 42.5 kg`);

    expect((await sessions()).find((s) => s.sessionKey === first.sessionKey)?.status).toBe("done");
    const [row, ...more] = await env.pool.db.select().from(strengthLogs);
    expect(more).toEqual([]);
    expect(row?.sessionKey).toBe(first.sessionKey);
    expect(row?.exercises.map((e) => e.name)).toEqual(first.exercises.map((e) => e.name));
    expect(row?.exercises[0]?.sets.slice(0, 2)).toEqual([
      { reps: Number(planned), weightKg: Number(plannedLoad) },
      { reps: 4, weightKg: 42.5 },
    ]);
  });

  it("reaches every link, button and field of /plan with the keyboard alone, the log form's fields too, skip link first, focus visible", async () => {
    await page.goto(`${base}/plan`);
    const total = await page.evaluate(() => {
      const all = document.querySelectorAll(
        "a[href], button, input:not([type=hidden]), select, textarea, summary",
      );
      all.forEach((el, i) => {
        el.setAttribute("data-kb", String(i));
      });
      return all.length;
    });
    expect(total).toBeGreaterThan(5);
    const fields = await page.locator("details.log input:not([type=hidden])").count();
    expect(fields).toBeGreaterThan(4);
    const reached = new Set<string>();
    const order: string[] = [];
    // A datetime-local field takes a Tab per part (day, month, year, hours, minutes);
    // a closed "Done — record sets" is opened with Enter, as a keyboard user does.
    for (let i = 0; i < total * 6 + 10 && reached.size < total; i++) {
      await page.keyboard.press("Tab");
      const [at, closedSummary] = await page.evaluate(() => {
        const el = document.activeElement;
        const details = el?.parentElement;
        const closed = el?.tagName === "SUMMARY" && details instanceof HTMLDetailsElement && !details.open;
        return [el?.getAttribute("data-kb") ?? "", closed] as const;
      });
      if (at && !reached.has(at)) order.push(at);
      if (at) reached.add(at);
      if (closedSummary) await page.keyboard.press("Enter");
    }
    expect(reached.size).toBe(total);
    expect(order.map(Number)).toEqual([...order.map(Number)].sort((a, b) => a - b));
    const skip = await page.locator("a.skip").getAttribute("data-kb");
    expect(order[0]).toBe(skip);
    const outline = await page.evaluate(() => {
      const done = [...document.querySelectorAll("button")].find((b) => b.textContent === "Skip");
      (done as HTMLElement).focus();
      return getComputedStyle(document.activeElement as Element).outlineStyle;
    });
    expect(outline).not.toBe("none");
  });

  it("finds no serious or critical accessibility violation on / and /plan (axe-core), with the CSP strict", async () => {
    const plan = await page.goto(`${base}/plan`);
    expect(plan?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    const openLogForms = () =>
      page.evaluate(() => {
        for (const d of document.querySelectorAll("details")) d.open = true;
      });
    await openLogForms();
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    for (const colorScheme of ["light", "dark"] as const) {
      const visitor = await browser.newPage({ colorScheme });
      const home = await visitor.goto(`${base}/`);
      expect(home?.headers()["content-security-policy"]).not.toContain("unsafe-inline");
      expect(await axeSeriousOrCritical(visitor)).toEqual([]);
      await visitor.close();
    }
    await page.emulateMedia({ colorScheme: "dark" });
    await page.goto(`${base}/plan`);
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    await openLogForms();
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("refuses a form another site's page posts at the app, with a 403 page, and changes nothing", async () => {
    const target = (await sessions()).find((s) => s.status === "planned");
    if (!target) throw new Error("no planned session left");
    await page.goto(
      `${outsideBase}/other-site?action=${encodeURIComponent(`${base}/plan/sessions/${target.sessionKey}/skip`)}`,
    );
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/skip")),
      page.getByRole("button", { name: "Win a prize" }).click(),
    ]);
    expect(response.status()).toBe(403);
    await page.waitForLoadState();
    await expect(page.locator("main").textContent()).resolves.toContain("Nothing was changed");
    expect((await sessions()).find((s) => s.sessionKey === target.sessionKey)?.status).toBe("planned");
  });

  it("takes screenshots of /plan at 390x844 and 1280x800, light and dark: the weeks, their runs and the logged session", async () => {
    await mkdir(ARTIFACTS, { recursive: true });
    const backgrounds = new Map<string, string>();
    for (const [width, height] of [
      [390, 844],
      [1280, 800],
    ] as const) {
      for (const colorScheme of ["light", "dark"] as const) {
        await page.setViewportSize({ width, height });
        await page.emulateMedia({ colorScheme });
        await page.goto(`${base}/plan`);
        // This week at that width, top to bottom: its days, runs, sessions and the logged one's sets.
        const thisWeek = page.locator("main > section").first();
        expect(await thisWeek.locator("table.lifted").count()).toBe(1);
        const bottom = await thisWeek.evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
        const png = await page.screenshot({
          path: new URL(`plan-${width}x${height}-${colorScheme}.png`, ARTIFACTS).pathname,
          fullPage: true,
          clip: { x: 0, y: 0, width, height: Math.ceil(bottom) + 16 },
        });
        expect(png.subarray(1, 4).toString()).toBe("PNG");
        backgrounds.set(
          colorScheme,
          await page.evaluate(() => getComputedStyle(document.body).backgroundColor),
        );
      }
    }
    expect(backgrounds.get("light")).toBe("rgb(255, 255, 255)");
    expect(backgrounds.get("dark")).toBe("rgb(18, 18, 18)");
  });
});
