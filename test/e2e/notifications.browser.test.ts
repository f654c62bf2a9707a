/// <reference lib="dom" />
// /notifications in Debian's chromium against the real app (real Postgres and
// Redis). Headless chromium has no push service, so only the outside world is
// replaced: an init script makes PushManager hand out a subscription that points
// at a local stand-in push service (test/support/push-endpoint.ts) with a real
// P-256 key pair and auth secret; the page's own script runs unchanged. Turn web
// push on (the subscription is stored for this athlete, and a message sent to it
// can be read with this browser's keys only) and off again, copy and rotate the
// feed URL, scan with axe in light and dark, and walk every control with Tab.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { webPushSubscriptions } from "../../src/db/schema/index.ts";
import { sendPush } from "../../src/integrations/push/send.ts";
import { pushPayload } from "../../src/workers/notify/deliver.ts";
import { axeSeriousOrCritical, tabThrough } from "../support/browser.ts";
import { useBrowserApp } from "../support/browser-app.ts";
import { seedAthlete } from "../support/builders.ts";
import { browserKeys, startPushEndpoint } from "../support/push-endpoint.ts";

const pushService = await startPushEndpoint();
afterAll(() => pushService.close());
const app = await useBrowserApp({ OUTBOUND_ALLOW_PRIVATE: "true" });
const db = app.env.pool.db;
const athlete = await seedAthlete(db);
const keys = browserKeys();
const endpoint = `${pushService.origin}/push/${randomUUID()}`;
const { context, page } = await app.signedIn(athlete.id, {
  permissions: ["notifications", "clipboard-read", "clipboard-write"],
});

// The browser's push service, faked at the PushManager: subscribe() answers a
// subscription to the stand-in endpoint (kept across reloads, as a browser keeps
// it) and records the options the page's script passed.
await context.addInitScript(
  (fake: { endpoint: string; p256dh: string; auth: string }) => {
    const KEPT = "test-fake-push-subscription";
    const subscription = () => ({
      endpoint: fake.endpoint,
      expirationTime: null,
      options: { userVisibleOnly: true },
      getKey: () => null,
      toJSON: () => ({
        endpoint: fake.endpoint,
        expirationTime: null,
        keys: { p256dh: fake.p256dh, auth: fake.auth },
      }),
      unsubscribe: async () => {
        localStorage.removeItem(KEPT);
        return true;
      },
    });
    PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
      const key = options?.applicationServerKey;
      const bytes = typeof key === "string" || !key ? [] : Array.from(new Uint8Array(key as ArrayBuffer));
      localStorage.setItem(
        "test-fake-push-options",
        JSON.stringify({ userVisibleOnly: options?.userVisibleOnly, key: bytes }),
      );
      localStorage.setItem(KEPT, "yes");
      return subscription() as unknown as PushSubscription;
    };
    PushManager.prototype.getSubscription = async () =>
      (localStorage.getItem(KEPT) ? subscription() : null) as unknown as PushSubscription | null;
  },
  { endpoint, p256dh: keys.p256dh, auth: keys.auth },
);

const stored = () =>
  db.select().from(webPushSubscriptions).where(eq(webPushSubscriptions.athleteId, athlete.id));
const pushState = () => page.locator("#push-state");

/** The page, loaded, with its script's buttons in place. */
async function open(path = "/notifications") {
  await page.goto(`${app.base}${path}`);
  await page.locator("#push-toggle").waitFor();
  await page.locator("#copy-feed").waitFor();
}

describe("/notifications in a browser", () => {
  it("turns web push on: the service worker is registered, the subscription is stored for this athlete and the page says push is on", async () => {
    await open();
    await expect(pushState().textContent()).resolves.toBe("Web push is off on this device.");
    await expect(page.locator("#devices-count").textContent()).resolves.toBe("No device is subscribed.");
    await page.getByRole("button", { name: "Turn on web push on this device" }).click();
    await page.getByText("Web push is on for this device.").waitFor();

    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ endpoint, p256dh: keys.p256dh, auth: keys.auth });
    const options = JSON.parse(
      (await page.evaluate(() => localStorage.getItem("test-fake-push-options"))) ?? "{}",
    );
    expect(options.userVisibleOnly).toBe(true);
    expect(Buffer.from(options.key).toString("base64url")).toBe(app.env.config.push.vapidPublicKey);
    await expect(page.locator("#devices-count").textContent()).resolves.toBe("1 device is subscribed.");
    await expect(page.locator("#devices li").count()).resolves.toBe(1);
    const worker = await page.evaluate(
      async () => (await navigator.serviceWorker.ready).active?.scriptURL ?? "",
    );
    expect(worker).toBe(`${app.base}/sw.js`);
    await expect(page.locator("#push-toggle").textContent()).resolves.toBe(
      "Turn off web push on this device",
    );

    // What the notify worker sends to the stored subscription, only this browser's keys read.
    const row = rows[0];
    if (!row) throw new Error("no subscription stored");
    const payload = pushPayload(["Strength A moved to Thursday 18:00"], `${app.base}/plan`);
    await sendPush(row, payload, {
      vapid: {
        subject: app.env.config.push.vapidSubject,
        publicKey: app.env.config.push.vapidPublicKey,
        privateKey: app.env.config.push.vapidPrivateKey,
      },
      ttlSeconds: 60,
      allowPrivate: true,
      timeoutMs: 30_000,
    });
    const delivered = pushService.requests.at(-1);
    expect(delivered?.path).toBe(new URL(endpoint).pathname);
    expect(JSON.parse(keys.decrypt(delivered?.body ?? Buffer.alloc(0)))).toMatchObject({
      title: "Your strength plan changed",
      url: `${app.base}/plan`,
    });

    // A reload finds the subscription in the browser and on the server.
    await open();
    await page.getByText("Web push is on for this device.").waitFor();
  });

  it("the service worker shows a pushed plan change as a notification with the payload's title and body", async () => {
    await open();
    const cdp = await context.newCDPSession(page);
    const registered = new Promise<string>((resolve) => {
      cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
        const ours = registrations.find((r) => r.scopeURL === `${app.base}/` && !r.isDeleted);
        if (ours) resolve(ours.registrationId);
      });
    });
    await cdp.send("ServiceWorker.enable");
    const registrationId = await registered;
    // The message as the notify worker words it (its JSON), handed to the worker as a push service would.
    const payload = pushPayload(
      ["Strength B moved to Friday 17:30: Thursday is now a quality day"],
      `${app.base}/plan`,
    );
    await cdp.send("ServiceWorker.deliverPushMessage", { origin: app.base, registrationId, data: payload });
    const shownNotifications = async () =>
      page.evaluate(async () =>
        (await (await navigator.serviceWorker.ready).getNotifications()).map((n) => ({
          title: n.title,
          body: n.body,
          url: (n.data as { url?: string } | null)?.url,
        })),
      );
    let notifications = await shownNotifications();
    for (let i = 0; i < 100 && notifications.length === 0; i++) {
      await page.waitForTimeout(200);
      notifications = await shownNotifications();
    }
    expect(notifications).toEqual([
      {
        title: "Your strength plan changed",
        body: "Strength B moved to Friday 17:30: Thursday is now a quality day",
        url: `${app.base}/plan`,
      },
    ]);
    await cdp.detach();
  });

  it("says in words when this browser cannot do web push, or when notifications are blocked", async () => {
    const cases = [
      {
        fake: "unsupported",
        words: /^This browser cannot receive web push/,
      },
      {
        fake: "denied",
        words: /^Notifications are blocked for this site in your browser\. To use web push, allow/,
      },
    ] as const;
    for (const { fake, words } of cases) {
      const other = await app.signedIn(athlete.id);
      // The browser as its owner left it: no Push API at all, or notifications blocked for the site.
      await other.context.addInitScript((which: string) => {
        if (which === "unsupported") Reflect.deleteProperty(window, "PushManager");
        else Object.defineProperty(Notification, "permission", { get: () => "denied" });
      }, fake);
      await other.page.goto(`${app.base}/notifications`);
      await other.page.locator("#push-state").getByText(words).waitFor();
      await expect(other.page.locator("#push-toggle").count(), fake).resolves.toBe(0);
      await other.context.close();
    }
  });

  it("turns web push off: the subscription is gone from the database and the page says so", async () => {
    await open();
    await page.getByRole("button", { name: "Turn off web push on this device" }).click();
    await page.getByText("Web push is off on this device.").waitFor();
    expect(await stored()).toEqual([]);
    await expect(page.locator("#devices-count").textContent()).resolves.toBe("No device is subscribed.");
    await expect(page.locator("#push-toggle").textContent()).resolves.toBe("Turn on web push on this device");
  });

  /** Waits until the copy button's status says something (it is empty until the clipboard answers). */
  const copyAnnounced = () =>
    page.waitForFunction(() => (document.getElementById("copy-status")?.textContent ?? "") !== "");

  it("copies the feed URL with an announced 'Copied', and rotating it shows a new URL while the old one answers 404", async () => {
    await open();
    const field = page.getByLabel("Your plan's calendar feed URL");
    const before = await field.inputValue();
    expect(before).toBe(`${app.base}/calendar/${athlete.calendarToken}.ics`);
    await expect(field.getAttribute("readonly")).resolves.not.toBeNull();
    await page.getByRole("button", { name: "Copy the feed URL" }).click();
    // The clipboard write is asynchronous: the status is announced once it settles.
    await copyAnnounced();
    await expect(page.locator("#copy-status[role=status]").textContent()).resolves.toBe("Copied");
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(before);

    await page.getByRole("button", { name: "Rotate the feed URL" }).click();
    await page.waitForURL(`${app.base}/notifications?saved=feed`);
    await page.locator("#copy-feed").waitFor();
    const after = await field.inputValue();
    expect(after).not.toBe(before);
    expect(after).toMatch(new RegExp(`^${app.base}/calendar/[A-Za-z0-9_-]{20,}\\.ics$`));
    await expect(page.getByRole("status").first().textContent()).resolves.toContain(
      "The old one no longer works",
    );
    expect((await fetch(before)).status).toBe(404);
    expect((await fetch(after)).status).toBe(200);

    await page.getByRole("button", { name: "Copy the feed URL" }).click();
    await copyAnnounced();
    await expect(page.locator("#copy-status").textContent()).resolves.toBe("Copied");
    await expect(page.evaluate(() => navigator.clipboard.readText())).resolves.toBe(after);
  });

  it("finds no serious or critical accessibility violation in light or dark (axe-core)", async () => {
    for (const colorScheme of ["light", "dark"] as const) {
      await page.emulateMedia({ colorScheme });
      await open();
      expect(await axeSeriousOrCritical(page), colorScheme).toEqual([]);
      // A refused field, with its message, passes too.
      await page.getByLabel("From").fill("22:00");
      await page.getByLabel("To").fill("22:00");
      await page.getByRole("button", { name: "Save quiet hours" }).click();
      await page.locator("#quiet-error").waitFor();
      expect(await axeSeriousOrCritical(page), `${colorScheme}, refused`).toEqual([]);
    }
    await page.emulateMedia({ colorScheme: "light" });
  });

  it("reaches every link, button and field with the Tab key alone, in order, skip link first, focus visible", async () => {
    await open();
    const walk = await tabThrough(page);
    expect(walk.total).toBeGreaterThan(12);
    expect(walk.reached).toBe(walk.total);
    expect(walk.order).toEqual([...walk.order].sort((a, b) => a - b));
    expect(walk.skipFirst).toBe(true);
    expect(walk.buttonOutline).not.toBe("none");
    const outline = await page.evaluate(() => {
      document.getElementById("push-toggle")?.focus();
      return getComputedStyle(document.activeElement as Element).outlineStyle;
    });
    expect(outline).not.toBe("none");
  });
});
