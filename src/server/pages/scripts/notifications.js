// The /notifications page's script, served as /assets/notifications.js (the CSP
// runs no inline script). Two things a form cannot do:
//  - web push on this device: register the service worker (/sw.js, scope /), ask
//    for permission, subscribe with the server's VAPID key and hand the
//    subscription to POST /api/push-subscriptions; "turn off" unsubscribes and
//    DELETEs it. Every state is said in words in #push-state (a status region).
//  - copy the calendar feed's URL (clipboard API), announcing "Copied".
// It adds its own buttons, so a browser without it shows none it cannot use.

(() => {
  const WORDS = {
    unsupported:
      "This browser cannot receive web push (it has no service worker or Push API support). Plan mail still reaches you if email is on.",
    noVapid:
      "This server has no VAPID key configured, so it cannot send web push. Whoever runs runstrong sets VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY.",
    denied:
      "Notifications are blocked for this site in your browser. To use web push, allow notifications in the site's settings (the icon beside the address), then reload this page.",
    off: "Web push is off on this device.",
    on: "Web push is on for this device.",
    asking: "Asking your browser for permission…",
    dismissed:
      "Permission was not given, so web push stays off on this device. Press the button to ask again.",
    failed: "Web push could not be turned on: ",
    offFailed: "Web push could not be turned off: ",
  };

  const section = document.getElementById("push");
  const state = document.getElementById("push-state");
  const controls = document.getElementById("push-controls");
  const devices = document.getElementById("devices");
  const devicesCount = document.getElementById("devices-count");

  function say(text) {
    if (state) state.textContent = text;
  }

  /** The bytes of a base64url string, as PushManager.subscribe takes its applicationServerKey. */
  function base64urlBytes(text) {
    const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "=".repeat((4 - (text.length % 4)) % 4);
    const raw = atob(b64);
    const out = new Uint8Array(raw.length);
    for (let i = 0; i < raw.length; i++) out[i] = raw.charCodeAt(i);
    return out;
  }

  async function getJson(path) {
    const res = await fetch(path, { headers: { accept: "application/json" }, credentials: "same-origin" });
    const body = await res.json().catch(() => null);
    if (!res.ok) throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
    return body;
  }

  async function sendJson(method, path, payload) {
    const res = await fetch(path, {
      method,
      headers: { "content-type": "application/json", accept: "application/json" },
      credentials: "same-origin",
      body: JSON.stringify(payload),
    });
    if (res.ok || (method === "DELETE" && res.status === 404)) return;
    const body = await res.json().catch(() => null);
    throw new Error(body?.error?.message ?? `the server answered ${res.status}`);
  }

  /** The list of subscribed devices, as GET /api/push-subscriptions answers it now. */
  async function showDevices() {
    const { subscriptions } = await getJson("/api/push-subscriptions");
    if (devicesCount) {
      const n = subscriptions.length;
      devicesCount.textContent =
        n === 0 ? "No device is subscribed." : `${n} ${n === 1 ? "device is" : "devices are"} subscribed.`;
    }
    if (!devices) return subscriptions;
    const when = new Intl.DateTimeFormat("en-GB", { dateStyle: "long", timeStyle: "short" });
    devices.replaceChildren(
      ...subscriptions.map((s) => {
        const li = document.createElement("li");
        const time = document.createElement("time");
        time.dateTime = s.createdAt;
        time.textContent = when.format(new Date(s.createdAt));
        li.append("Since ", time, `, through ${new URL(s.endpoint).host}`);
        return li;
      }),
    );
    return subscriptions;
  }

  function button(text, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.textContent = text;
    b.addEventListener("click", onClick);
    return b;
  }

  let registration = null;

  function showButton(kind) {
    if (!controls) return;
    const focused = controls.contains(document.activeElement);
    const b =
      kind === "on"
        ? button("Turn off web push on this device", () => turnOff(b))
        : button("Turn on web push on this device", () => turnOn(b));
    b.id = "push-toggle";
    controls.replaceChildren(b);
    if (focused) b.focus();
  }

  async function turnOn(b) {
    b.disabled = true;
    try {
      say(WORDS.asking);
      const permission = await Notification.requestPermission();
      if (permission === "denied") {
        controls?.replaceChildren();
        say(WORDS.denied);
        return;
      }
      if (permission !== "granted") {
        say(WORDS.dismissed);
        showButton("off");
        return;
      }
      const { publicKey } = await getJson("/api/push/vapid-public-key");
      if (!publicKey) {
        controls?.replaceChildren();
        say(WORDS.noVapid);
        return;
      }
      const subscription = await registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: base64urlBytes(publicKey),
      });
      await sendJson("POST", "/api/push-subscriptions", subscription.toJSON());
      await showDevices();
      showButton("on");
      say(WORDS.on);
    } catch (err) {
      showButton("off");
      say(WORDS.failed + (err?.message ?? String(err)));
    }
  }

  async function turnOff(b) {
    b.disabled = true;
    try {
      const subscription = await registration.pushManager.getSubscription();
      if (subscription) {
        const { endpoint } = subscription;
        await subscription.unsubscribe();
        await sendJson("DELETE", "/api/push-subscriptions", { endpoint });
      }
      await showDevices();
      showButton("off");
      say(WORDS.off);
    } catch (err) {
      showButton("on");
      say(WORDS.offFailed + (err?.message ?? String(err)));
    }
  }

  async function startPush() {
    if (!section || !state) return;
    if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
      say(WORDS.unsupported);
      return;
    }
    if (section.dataset.vapid !== "yes") {
      say(WORDS.noVapid);
      return;
    }
    try {
      registration = await navigator.serviceWorker.register("/sw.js", { scope: "/" });
    } catch (err) {
      say(WORDS.failed + (err?.message ?? String(err)));
      return;
    }
    if (Notification.permission === "denied") {
      say(WORDS.denied);
      return;
    }
    const subscription = await registration.pushManager.getSubscription();
    let stored = [];
    try {
      stored = await showDevices();
    } catch {
      // The list the server rendered stays.
    }
    const on = subscription !== null && stored.some((s) => s.endpoint === subscription.endpoint);
    showButton(on ? "on" : "off");
    say(on ? WORDS.on : WORDS.off);
  }

  function startCopy() {
    const field = document.getElementById("feed-url");
    const place = document.getElementById("copy-controls");
    const status = document.getElementById("copy-status");
    if (!field || !place || !status) return;
    const b = button("Copy the feed URL", async () => {
      status.textContent = "";
      try {
        await navigator.clipboard.writeText(field.value);
        status.textContent = "Copied";
      } catch {
        field.focus();
        field.select();
        status.textContent = "The URL is selected: copy it with your keyboard or the menu";
      }
    });
    b.id = "copy-feed";
    b.setAttribute("aria-describedby", "feed-hint");
    place.replaceChildren(b);
  }

  startCopy();
  startPush().catch((err) => say(WORDS.failed + (err?.message ?? String(err))));
})();
