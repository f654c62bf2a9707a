// The browser-facing end of the Garmin OAuth flow, in the same look as Strava's.
import { html } from "hono/html";
import { layout, type Page, retry } from "./oauth.ts";

export function garminConnectedPage(permissions: readonly string[]): Page {
  const workouts = permissions.includes("WORKOUT_IMPORT");
  return layout(
    "Garmin connected",
    html`<p>runstrong now sees the runs and strength sessions you record on your Garmin watch.</p>
${workouts ? "" : html`<p>You did not allow <strong>Workout Import</strong>, so planned sessions will not be sent to your watch. You can turn it on in Garmin Connect's account settings.</p>`}
<p><a href="/plan">See your plan</a></p>`,
  );
}

export function garminDeniedPage(retryHref: string): Page {
  return layout(
    "Garmin was not connected",
    html`<p>You chose not to give runstrong access on Garmin Connect, so nothing was stored.</p>
${retry(retryHref, "Connect Garmin")}`,
  );
}

export function garminBadStatePage(retryHref: string): Page {
  return layout(
    "This sign-in link has expired",
    html`<p>The link back from Garmin was too old, was opened in a different browser, or was not one runstrong started. Nothing was stored.</p>
${retry(retryHref, "Start again")}`,
  );
}

export function garminFailedPage(retryHref: string, detail: string): Page {
  return layout(
    "Garmin did not complete the connection",
    html`<p>${detail} Nothing was stored.</p>
${retry(retryHref)}`,
  );
}
