/// <reference lib="dom" />
// /account in Debian's chromium (playwright-core), against the real app on a
// loopback port with real Postgres and Redis; Strava and Garmin are msw fakes.
// The athlete sees their connections, downloads the export (the download event,
// the file parsed), reaches every control by Tab alone (skip link first, focus
// visible), axe finds nothing serious in light or dark on /account and
// /account/delete, and deleting the account by typing DELETE lands on / with the
// notice, with no row of the athlete left in the database.
import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  athleteIdTables,
  deauthorizeFake,
  rowsOf,
  seedEverything,
  tablesWithoutRows,
} from "../support/account-fixtures.ts";
import { axeSeriousOrCritical, tabThrough } from "../support/browser.ts";
import { useBrowserApp } from "../support/browser-app.ts";
import { createGarminFake, GARMIN_TEST_ENV } from "../support/garmin-fake.ts";
import { STRAVA_TEST_ENV, useStravaFake } from "../support/strava-fake.ts";

const app = await useBrowserApp({ ...STRAVA_TEST_ENV, ...GARMIN_TEST_ENV });
const { env, base } = app;
const garmin = createGarminFake();
const deauthorize = deauthorizeFake();
useStravaFake([...garmin.handlers, deauthorize.handler]);

const a = await seedEverything(env, garmin, {
  ownerId: 74_006_001,
  garminUserId: "garmin-user-a-b7e1",
  tag: "a",
});
const b = await seedEverything(env, garmin, {
  ownerId: 74_006_002,
  garminUserId: "garmin-user-b-2f90",
  tag: "b",
});
const { page } = await app.signedIn(a.id);

describe("/account in a browser", () => {
  it("shows the connections in words, each with its action", async () => {
    await page.goto(`${base}/account`);
    await expect(page.getByRole("heading", { level: 1 }).textContent()).resolves.toBe("Your account");
    for (const [name, words] of [
      ["Strava", `as Strava athlete ${a.ownerId}.`],
      ["Garmin", `as Garmin user ${a.garminUserId}.`],
      ["intervals.icu", `as intervals.icu athlete i${a.ownerId}.`],
    ] as const) {
      const card = page.locator("article.connection", {
        has: page.getByRole("heading", { name, exact: true }),
      });
      await expect(card.locator(".state").textContent()).resolves.toMatch(
        new RegExp(`^Connected since .*${words.replace(".", "\\.")}$`),
      );
      await expect(card.getByRole("link", { name: `Disconnect ${name}…` }).isVisible()).resolves.toBe(true);
    }
  });

  it("downloads the export as a JSON file holding every table of the athlete and no secret", async () => {
    await page.goto(`${base}/account`);
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: "Download my data (JSON)" }).click(),
    ]);
    expect(download.suggestedFilename()).toMatch(/^runstrong-export-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    const text = await readFile(path, "utf8");
    const data = JSON.parse(text);
    expect(Number(data.athlete.id)).toBe(a.id);
    expect(Object.keys(data.tables).sort()).toEqual((await athleteIdTables(env)).sort());
    expect(data.tables.activities[0].name).toBe(a.activityName);
    for (const secret of [a.stravaAccess, a.garminAccess, a.intervalsKey, a.calendarToken, b.email])
      expect(text).not.toContain(secret);
  });

  it("reaches every control of /account and /account/delete by Tab alone, in order, skip link first, focus visible", async () => {
    for (const path of ["/account", "/account/delete"]) {
      await page.goto(`${base}${path}`);
      const walk = await tabThrough(page);
      expect(walk.total, path).toBeGreaterThan(5);
      expect(walk.reached, path).toBe(walk.total);
      expect(walk.order, path).toEqual([...walk.order].sort((x, y) => x - y));
      expect(walk.skipFirst, path).toBe(true);
      expect(walk.buttonOutline, path).not.toBe("none");
    }
  });

  it("finds no serious or critical accessibility violation on /account and /account/delete, light and dark", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      for (const path of ["/account", "/account/delete", "/account/strava/disconnect"]) {
        await page.goto(`${base}${path}`);
        expect(await axeSeriousOrCritical(page), `${path} ${colorScheme}`).toEqual([]);
      }
    }
    // The refused form, with its error tied to the field.
    await page.goto(`${base}/account/delete`);
    await page.getByLabel("Type DELETE to confirm").fill("delete");
    await page.getByRole("button", { name: "Delete my account and all data" }).click();
    await page.waitForLoadState();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("Nothing was deleted");
    await expect(page.getByLabel("Type DELETE to confirm").getAttribute("aria-invalid")).resolves.toBe(
      "true",
    );
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    await page.emulateMedia({ colorScheme: "light" });
    expect(await axeSeriousOrCritical(page)).toEqual([]);
    expect(await tablesWithoutRows(env, a.id)).toEqual([]);
  });

  it("deletes the account when the athlete types DELETE, lands on / with the notice, and leaves no row of theirs", async () => {
    const before = await rowsOf(env, b);
    await page.goto(`${base}/account`);
    await page.getByRole("link", { name: "Delete my account…" }).click();
    await page.waitForURL(`${base}/account/delete`);
    await page.getByLabel("Type DELETE to confirm").fill("DELETE");
    await page.getByRole("button", { name: "Delete my account and all data" }).click();
    await page.waitForURL(`${base}/?notice=deleted`);
    await expect(page.getByRole("status").textContent()).resolves.toBe(
      "Your account and all its data were deleted.",
    );
    expect(await page.context().cookies(base)).toEqual([]);

    expect(deauthorize.tokens).toEqual([a.stravaAccess]);
    expect((await tablesWithoutRows(env, a.id)).sort()).toEqual((await athleteIdTables(env)).sort());
    const [left] = await env.pool.sql<{ n: number }[]>`
      select (select count(*) from athletes where id = ${a.id})
           + (select count(*) from webhook_events where external_athlete_id in (${a.ownerId}, ${a.garminUserId}))
           + (select count(*) from provider_connections where external_athlete_id in (${a.ownerId}, ${a.garminUserId}))
           as n`;
    expect(Number(left?.n)).toBe(0);
    expect(await rowsOf(env, b)).toBe(before);

    // Signed out: /account sends the visitor to /.
    await page.goto(`${base}/account`);
    expect(page.url()).toBe(`${base}/`);
  });
});
