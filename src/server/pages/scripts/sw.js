// runstrong's service worker, served as /sw.js (scope /). It shows a plan-change
// message the notify worker pushes ({title, body, url, changes}: see
// src/workers/notify/deliver.ts pushPayload) and, on a click, focuses a tab on
// the plan or opens one. It handles no fetch: every page comes from the server.

const PLAN_PATH = "/plan";

/** The message's address when it is one of ours, else the plan. */
function targetOf(url) {
  try {
    const u = new URL(url, self.location.origin);
    return u.origin === self.location.origin ? u.href : new URL(PLAN_PATH, self.location.origin).href;
  } catch {
    return new URL(PLAN_PATH, self.location.origin).href;
  }
}

self.addEventListener("push", (event) => {
  let payload = {};
  try {
    payload = event.data ? event.data.json() : {};
  } catch {
    payload = { body: event.data ? event.data.text() : "" };
  }
  const title =
    typeof payload.title === "string" && payload.title ? payload.title : "Your strength plan changed";
  const body =
    typeof payload.body === "string" && payload.body ? payload.body : "Open runstrong to see what moved.";
  event.waitUntil(
    self.registration.showNotification(title, {
      body,
      tag: "runstrong-plan-change",
      renotify: true,
      data: { url: targetOf(typeof payload.url === "string" ? payload.url : PLAN_PATH) },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = targetOf(event.notification.data?.url ?? PLAN_PATH);
  event.waitUntil(
    (async () => {
      const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
      const open = tabs.find((t) => new URL(t.url).pathname === new URL(target).pathname);
      if (open) return open.focus();
      return self.clients.openWindow(target);
    })(),
  );
});

self.addEventListener("install", () => self.skipWaiting());
self.addEventListener("activate", (event) => event.waitUntil(self.clients.claim()));
