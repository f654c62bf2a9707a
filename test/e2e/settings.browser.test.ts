/// <reference lib="dom" />
// /settings in Debian's chromium against the real app (real Postgres and Redis).
// An athlete with a plan takes away the weekday of an upcoming strength session
// on the page; the re-plan the change queued runs (the job's own payload, through
// the re-plan worker's function), and the session sits on another day, in the
// stored plan and on /plan. A bad value is shown beside its field, with a summary
// the keyboard lands on; axe finds nothing serious in light or dark; Tab reaches
// every control in order, skip link first, with visible focus; nothing spills
// sideways at 390x844.
import { describe, expect, it } from "vitest";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { isoWeekday, localDate } from "../../src/domain/time.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { axeSeriousOrCritical, tabThrough } from "../support/browser.ts";
import { useBrowserApp } from "../support/browser-app.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, workerDeps } from "../support/test-env.ts";

const app = await useBrowserApp();
const db = app.env.pool.db;
// A Monday morning: the week ahead holds the sessions to move.
app.clock.now = new Date("2026-12-07T05:00:00Z");
const deps = workerDeps(app.env, () => app.clock.now);
const TZ = "Europe/Berlin";
const athlete = await seedAthlete(db, { timezone: TZ });
for (const [start, minutes, name, kind] of [
  ["2026-11-30T06:30:00Z", 45, "Easy run", "easy"],
  ["2026-12-01T17:00:00Z", 60, "Intervals 6x800", "quality"],
  ["2026-12-03T06:30:00Z", 40, "Easy run", "easy"],
  ["2026-12-06T08:00:00Z", 100, "Long run", "quality"],
] as const) {
  await seedActivity(db, athlete.id, { start, minutes, name, kind, timezone: TZ });
}
await replanAthlete(
  { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
  deps,
  jobContext(app.env),
);
const { page } = await app.signedIn(athlete.id);

const sessions = async () => (await latestPlan(db, athlete.id))?.sessions ?? [];
const dayOf = (at: Date) => localDate(at.getTime(), TZ);

describe("/settings in a browser", () => {
  it("takes away the weekday of an upcoming session; after the re-plan the session sits on another day, stored and on /plan", async () => {
    const upcoming = (await sessions()).find(
      (s) => s.startAt > app.clock.now && dayOf(s.startAt) > dayOf(app.clock.now),
    );
    if (!upcoming) throw new Error("no upcoming session planned");
    const date = dayOf(upcoming.startAt);
    const weekday = isoWeekday(date);
    const weekdayName = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"][
      weekday - 1
    ];

    await page.goto(`${app.base}/settings`);
    const day = page.getByRole("group", { name: weekdayName, exact: true });
    const available = day.getByRole("checkbox", { name: "Available" });
    await expect(available.isChecked()).resolves.toBe(true);
    await available.uncheck();
    await page.getByRole("button", { name: "Save availability" }).click();
    await page.waitForURL(/\/settings\?saved=/);
    expect(page.url()).toMatch(/saved=availability$/);
    await expect(page.getByRole("status").textContent()).resolves.toMatch(
      /Saved: when you can lift\. Your strength sessions are being re-planned/,
    );
    await expect(
      page
        .getByRole("group", { name: weekdayName, exact: true })
        .getByRole("checkbox", { name: "Available" })
        .isChecked(),
    ).resolves.toBe(false);

    // The change queued its re-plan; the worker's function runs that very job.
    const jobs = await app.env.queues.replan.getJobs(["waiting", "delayed", "prioritized"]);
    const job = jobs.find(
      (j) =>
        j.name === "replan-athlete" && j.data.athleteId === athlete.id && j.data.cause.type === "settings",
    );
    if (!job) throw new Error("saving availability queued no re-plan");
    expect(job.data.cause).toEqual({ type: "settings", fields: ["availability"] });
    await replanAthlete(job.data, deps, jobContext(app.env, job.id));

    const after = await sessions();
    expect(
      after.filter((s) => s.status !== "skipped").map((s) => isoWeekday(dayOf(s.startAt))),
    ).not.toContain(weekday);
    const monday = dayOf(app.clock.now);
    const sunday = localDate(app.clock.now.getTime() + 6 * 86_400_000, TZ);
    const thisWeek = after.filter((s) => dayOf(s.startAt) >= monday && dayOf(s.startAt) <= sunday);
    const moved = thisWeek.find((s) => s.session === upcoming.session) ?? thisWeek[0];
    if (!moved) throw new Error("the re-plan left the week without the session");
    expect(dayOf(moved.startAt)).not.toBe(date);

    await page.goto(`${app.base}/plan`);
    // The day it was on shows no session now; the day it went to does.
    const was = page.locator(`section.day:has(h3 time[datetime="${date}"])`);
    await expect(was.locator("article[id^='s-']").count()).resolves.toBe(0);
    const now = page.locator(`section.day:has(h3 time[datetime="${dayOf(moved.startAt)}"])`);
    await expect(now.locator(`#s-${moved.sessionKey}`).isVisible()).resolves.toBe(true);
  });

  it("shows a refused value beside its field in the API's words, keeps it, and lands the keyboard on the summary", async () => {
    await page.goto(`${app.base}/settings`);
    const field = page.getByLabel("Strength sessions per week");
    await field.fill("5");
    await page.getByRole("button", { name: "Save race and week" }).click();
    await page.waitForLoadState();
    const error = page.locator("#f-sessionsPerWeek-error");
    await expect(error.textContent()).resolves.toBe("Too big: expected number to be <=3");
    await expect(page.getByLabel("Strength sessions per week").inputValue()).resolves.toBe("5");
    await expect(page.getByLabel("Strength sessions per week").getAttribute("aria-invalid")).resolves.toBe(
      "true",
    );
    await expect(
      page.getByLabel("Strength sessions per week").getAttribute("aria-describedby"),
    ).resolves.toContain("f-sessionsPerWeek-error");
    // The summary has the focus (autofocus, no script); the next Tab is its link to the field.
    await expect(
      page.evaluate(() => document.activeElement?.classList.contains("error-summary")),
    ).resolves.toBe(true);
    await page.keyboard.press("Tab");
    await expect(page.evaluate(() => document.activeElement?.getAttribute("href"))).resolves.toBe(
      "#f-sessionsPerWeek",
    );
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    expect((await latestPlan(db, athlete.id))?.sessions.length).toBeGreaterThan(0);
    const [row] = await app.env.pool.sql`select settings from athletes where id = ${athlete.id}`;
    expect(row?.settings).not.toHaveProperty("sessionsPerWeek");
  });

  it("finds no serious or critical accessibility violation in light or dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await page.goto(`${app.base}/settings`);
      expect(await axeSeriousOrCritical(page), colorScheme).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("reaches every control with the Tab key alone, in order, skip link first, focus visible; nothing spills sideways at 390 px", async () => {
    await page.goto(`${app.base}/settings`);
    const walk = await tabThrough(page);
    expect(walk.total).toBeGreaterThan(100);
    expect(walk.reached).toBe(walk.total);
    expect(walk.order).toEqual([...walk.order].sort((a, b) => a - b));
    expect(walk.skipFirst).toBe(true);
    expect(walk.buttonOutline).not.toBe("none");
    const widths = await page.evaluate(() => [document.documentElement.scrollWidth, window.innerWidth]);
    expect(widths[0]).toBeLessThanOrEqual(widths[1] as number);
    expect(page.viewportSize()).toEqual({ width: 390, height: 844 });
  });
});
