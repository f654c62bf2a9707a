// The small pages behind the links in runstrong's mail (confirm an address, stop
// plan mail), in the OAuth pages' layout. A browser (Accept: text/html) gets
// HTML; anything else gets the API's JSON, errors included.
import type { Context } from "hono";
import { html } from "hono/html";
import { type ErrorCode, errorBody, statusOf } from "../errors.ts";
import { layout, type Page } from "./oauth.ts";

export function wantsHtml(c: Context): boolean {
  return (c.req.header("accept") ?? "").includes("text/html");
}

export function refusal(c: Context, code: ErrorCode, message: string) {
  if (!wantsHtml(c)) return errorBody(c, code, message);
  return c.html(layout("This link does not work", html`<p>${message}</p>`), statusOf(code));
}

export const addressConfirmedPage = (): Page =>
  layout("Address confirmed", html`<p>Plan changes will now reach you by email.</p>`);

/** What a GET of the unsubscribe link shows: link scanners follow GETs, so only the button's POST acts. */
export const stopPlanMailPage = (action: string): Page =>
  layout(
    "Stop plan mail?",
    html`<p>runstrong emails you when your strength plan changes. Stop these mails?</p>
<form method="post" action="${action}"><input type="hidden" name="List-Unsubscribe" value="One-Click"><button type="submit">Stop plan mail</button></form>
<p>Web push messages and your plan are not affected.</p>`,
  );

export const planMailOffPage = (): Page =>
  layout(
    "Plan mail is off",
    html`<p>You will get no more plan-change mail. Turn it on again in your settings.</p>`,
  );
