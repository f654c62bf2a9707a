// The small pages behind the links in runstrong's mail. A browser (Accept:
// text/html) gets HTML; anything else gets the API's JSON, errors included.
import type { Context } from "hono";
import { escapeHtml } from "../../integrations/email/messages.ts";
import { type ErrorCode, errorBody, statusOf } from "../errors.ts";

export function wantsHtml(c: Context): boolean {
  return (c.req.header("accept") ?? "").includes("text/html");
}

export function htmlPage(title: string, bodyHtml: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;line-height:1.5"><h1 style="font-size:1.4rem">${escapeHtml(title)}</h1>${bodyHtml}</body></html>`;
}

export function refusal(c: Context, code: ErrorCode, message: string) {
  if (!wantsHtml(c)) return errorBody(c, code, message);
  return c.html(htmlPage("This link does not work", `<p>${escapeHtml(message)}</p>`), statusOf(code));
}
