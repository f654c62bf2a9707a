// The pages' scripts, read once from the .js files beside this one and served by
// the app (the CSP allows script from this origin only, never inline): plain
// browser JavaScript, no build step.
import { readFileSync } from "node:fs";

const read = (name: string) => readFileSync(new URL(`./${name}`, import.meta.url), "utf8");

/** /assets/notifications.js: web push on this device and the feed URL's Copy button. */
export const NOTIFICATIONS_JS = read("notifications.js");
/** /sw.js: the service worker that shows a pushed plan change and opens /plan on a click. */
export const SERVICE_WORKER_JS = read("sw.js");
