// The mails runstrong sends, as plain text and HTML: a plan change (what moved
// and why, the sessions ahead in the athlete's zone, a link to the plan), the
// confirmation of a new address, and the notice that a browser stopped taking pushes.

import { localTime } from "../../domain/time.ts";
import { when } from "../../plan/wording.ts";
import type { MailMessage } from "./mailer.ts";

export type Composed = Omit<MailMessage, "to">;

export interface SessionLine {
  session: string;
  startAt: Date;
  endAt: Date;
  status: string;
}

export interface PlanChangeMail {
  sentences: string[];
  /** the plan's sessions from now on */
  sessions: SessionLine[];
  timezone: string;
  planUrl: string;
  settingsUrl: string;
  unsubscribeUrl: string;
}

export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, "&amp;")
    .replace(/</g, "&lt;")
    .replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;")
    .replace(/'/g, "&#39;");
}

/** "Thu 2026-12-03 18:00-18:45 Strength A" in the athlete's zone. */
export function sessionLine(s: SessionLine, timezone: string): string {
  const status = s.status === "planned" ? "" : ` (${s.status})`;
  return `${when(s.startAt.getTime(), timezone)}-${localTime(s.endAt.getTime(), timezone)} Strength ${s.session}${status}`;
}

export function planChangeSubject(sentences: readonly string[]): string {
  if (sentences.length === 1) {
    const first = sentences[0] ?? "";
    const head = first.split(": ")[0] ?? first;
    return `Your plan changed: ${head.length > 90 ? `${head.slice(0, 87)}...` : head}`;
  }
  return `Your plan changed: ${sentences.length} changes to your strength sessions`;
}

function page(title: string, body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head><body style="font-family:system-ui,sans-serif;line-height:1.4">${body}</body></html>`;
}

export function planChangeMail(m: PlanChangeMail): Composed {
  const subject = planChangeSubject(m.sentences);
  const lines = m.sessions.map((s) => sessionLine(s, m.timezone));
  const text = [
    "Your strength plan changed:",
    "",
    ...m.sentences.map((s) => `- ${s}`),
    "",
    lines.length > 0
      ? `Your sessions from now on (${m.timezone}):`
      : "No strength sessions are planned ahead.",
    ...lines.map((l) => `- ${l}`),
    "",
    `Your plan: ${m.planUrl}`,
    "",
    `You get this mail because plan mail is on in your runstrong settings (${m.settingsUrl}).`,
    `Stop plan mail: ${m.unsubscribeUrl}`,
    "",
  ].join("\n");
  const li = (items: string[]) => `<ul>${items.map((i) => `<li>${escapeHtml(i)}</li>`).join("")}</ul>`;
  const html = page(
    subject,
    [
      "<p>Your strength plan changed:</p>",
      li(m.sentences),
      lines.length > 0
        ? `<p>Your sessions from now on (${escapeHtml(m.timezone)}):</p>${li(lines)}`
        : "<p>No strength sessions are planned ahead.</p>",
      `<p><a href="${escapeHtml(m.planUrl)}">Open your plan</a></p>`,
      `<p style="color:#666;font-size:90%">You get this mail because plan mail is on in your runstrong settings. <a href="${escapeHtml(m.unsubscribeUrl)}">Stop plan mail</a>.</p>`,
    ].join(""),
  );
  return {
    subject,
    text,
    html,
    headers: {
      "List-Unsubscribe": `<${m.unsubscribeUrl}>`,
      "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    },
  };
}

export function confirmationMail(link: string): Composed {
  const subject = "Confirm your address for runstrong plan mail";
  const text = [
    "Someone (we hope you) entered this address in runstrong to receive plan changes.",
    "",
    `Confirm it: ${link}`,
    "",
    "The link works for two days. If it was not you, ignore this mail: nothing will be sent here.",
    "",
  ].join("\n");
  const html = page(
    subject,
    `<p>Someone (we hope you) entered this address in runstrong to receive plan changes.</p><p><a href="${escapeHtml(link)}">Confirm this address</a></p><p>The link works for two days. If it was not you, ignore this mail: nothing will be sent here.</p>`,
  );
  return { subject, text, html };
}

export function pushDroppedMail(endpointHost: string, settingsUrl: string): Composed {
  const subject = "runstrong stopped sending push messages to one of your browsers";
  const text = [
    `Push messages to a browser (via ${endpointHost}) failed again and again, so runstrong stopped sending them there.`,
    "",
    `Turn notifications on again in that browser to get them back (${settingsUrl}).`,
    "",
  ].join("\n");
  const html = page(
    subject,
    `<p>Push messages to a browser (via ${escapeHtml(endpointHost)}) failed again and again, so runstrong stopped sending them there.</p><p>Turn notifications on again in that browser to get them back.</p>`,
  );
  return { subject, text, html };
}
