// The browser-facing end of the Garmin OAuth flow, in the same look as Strava's.
import { html } from "hono/html";
import { badStatePage, failedPage, layout, type Page, retry } from "./oauth.ts";

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
  return badStatePage(retryHref, "Garmin");
}

export function garminFailedPage(retryHref: string, detail: string): Page {
  return failedPage(retryHref, detail, "Garmin");
}
