// Small HTML pages for the browser-facing end of the Strava OAuth flow. Everything
// else answers JSON; these are read by a person who just clicked on Strava.
import { html } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

export type Page = HtmlEscapedString | Promise<HtmlEscapedString>;

export function layout(title: string, body: Page): Page {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · runstrong</title>
<link rel="stylesheet" href="/assets/app.css">
</head>
<body>
<main id="main">
<h1>${title}</h1>
${body}
</main>
</body>
</html>`;
}

export const retry = (href: string, label = "Try again") =>
  html`<p><a class="button" href="${href}">${label}</a></p>`;

/** Why each scope is asked for, in the athlete's terms. */
const SCOPE_PURPOSE: Record<string, string> = {
  read: "see your public profile, so runstrong knows who you are",
  "activity:read_all": "read all your runs, including private ones, so every run counts in your plan",
  "profile:read_all": "read your heart-rate zones, so runstrong can tell easy runs from hard ones",
};

export function connectedPage(name: string | null): Page {
  return layout(
    "Strava connected",
    html`<p>${name ? `Welcome, ${name}. ` : ""}runstrong now sees your runs as you upload them.</p>
<p>Your last six weeks of runs are being imported in the background; your strength plan follows in a minute or two.</p>
<p><a href="/plan">See your plan</a></p>`,
  );
}

export function deniedPage(retryHref: string): Page {
  return layout(
    "Strava was not connected",
    html`<p>You chose not to give runstrong access on Strava, so nothing was stored.</p>
<p>runstrong plans your strength sessions around your runs, so it needs to read them. You can connect whenever you like.</p>
${retry(retryHref, "Connect Strava")}`,
  );
}

export function missingScopesPage(missing: string[], retryHref: string): Page {
  return layout(
    "A permission is missing",
    html`<p>Strava let you untick some boxes, and runstrong needs these to work:</p>
<ul>${missing.map((s) => html`<li><strong>${s}</strong>: ${SCOPE_PURPOSE[s] ?? "needed for planning"}</li>`)}</ul>
<p>Nothing was stored. Please connect again and leave these boxes ticked.</p>
${retry(retryHref)}`,
  );
}

/** `provider`: whose link back it was (Garmin's flow shows the same page). */
export function badStatePage(retryHref: string, provider = "Strava"): Page {
  return layout(
    "This sign-in link has expired",
    html`<p>The link back from ${provider} was too old, was opened in a different browser, or was not one runstrong started. Nothing was stored.</p>
${retry(retryHref, "Start again")}`,
  );
}

/**
 * The page for a code exchange the provider failed: 502 when it could not be
 * reached (try again), 400 when it refused the code (forged, used, another
 * browser's: the caller's bad input).
 */
export function providerRefusedPage(
  provider: string,
  retryHref: string,
  err: { retryable: boolean },
): { page: Page; status: 400 | 502 } {
  const detail = err.retryable
    ? `${provider} could not be reached just now.`
    : `${provider} refused the sign-in (the link may have been used already).`;
  return { page: failedPage(retryHref, detail, provider), status: err.retryable ? 502 : 400 };
}

export function failedPage(retryHref: string, detail: string, provider = "Strava"): Page {
  return layout(
    `${provider} did not complete the connection`,
    html`<p>${detail} Nothing was stored.</p>
${retry(retryHref)}`,
  );
}
