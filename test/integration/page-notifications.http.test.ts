// /notifications over HTTP, without a browser: each form stores what PATCH
// /api/settings (or POST /api/calendar/rotate) would, a refused field shows the
// API's own message beside it and stores nothing, CSRF (token and Origin) refuses
// every form with 403 and changes nothing, the page sends no Referer (the feed URL
// is a secret) and runs no inline script, its scripts are served as JavaScript,
// the rotated feed's old URL answers 404, and the confirmation mail reaches a real
// SMTP server once, counted against one hourly limit shared by form and API.
import { afterAll, describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { CSRF_FIELD, csrfTokenFor } from "../../src/server/middleware/csrf.ts";
import { PUSH_WORDS } from "../../src/server/pages/notifications.tsx";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { apiCaller } from "../support/api-calls.ts";
import { seedAthlete } from "../support/builders.ts";
import { startMailSink } from "../support/mail-sink.ts";
import { notifyJobs, runJob, workerDeps } from "../support/notify-fixtures.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example.org";
const sink = await startMailSink();
afterAll(() => sink.close());
const env = await useTestEnv({
  PUBLIC_URL,
  SMTP_URL: sink.url,
  MAIL_FROM: "runstrong <plans@runstrong.example.org>",
  RATE_LIMIT_CONFIRM_MAIL_PER_HOUR: "2",
});
let now = new Date("2026-12-07T09:10:00Z");
const clock = () => now;
const app = testApp(env, clock);
const api = apiCaller(app, env.config, clock);
const HTML = { accept: "text/html,application/xhtml+xml" };

function signedIn(athleteId: number) {
  const token = sessionToken(athleteId, env.config, now.getTime());
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfTokenFor(token, env.config) };
}

async function athlete() {
  const a = await seedAthlete(env.pool.db);
  return { ...a, ...signedIn(a.id) };
}

function postForm(
  path: string,
  cookie: string,
  fields: Record<string, string>,
  origin: string | null = PUBLIC_URL,
) {
  return app.request(path, {
    method: "POST",
    headers: {
      ...HTML,
      cookie,
      ...(origin === null ? {} : { origin }),
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams(fields).toString(),
  });
}

function page(cookie: string) {
  return app.request("/notifications", { headers: { ...HTML, cookie } });
}

/** What GET /api/settings answers of the fields this page changes. */
async function shown(athleteId: number) {
  const { body } = await api(athleteId, "GET", "/api/settings");
  return { email: body.email, emailConfirmed: body.emailConfirmed, notifications: body.notifications };
}

/** The athlete's stored row: what no refused form may change. */
async function stored(athleteId: number) {
  const row = await getAthlete(env.pool.db, athleteId);
  return JSON.stringify({
    email: row?.email,
    confirmed: row?.emailConfirmedAt,
    settings: row?.settings,
    token: row?.calendarToken,
  });
}

/** The text of the element with `id` in a page (its first line of markup), or null. */
function elementText(html: string, id: string): string | null {
  const m = new RegExp(`<(\\w+)[^>]*\\sid="${id}"[^>]*>([\\s\\S]*?)</\\1>`).exec(html);
  return m?.[2] === undefined ? null : m[2].replace(/<[^>]+>/g, "").replace(/&#39;/g, "'");
}

/** Runs the confirmation-mail jobs the athlete has queued, as the notify worker would. */
async function runNotices(athleteId: number) {
  for (const job of await notifyJobs(env, athleteId)) {
    if (job.name !== "send-email-notice") continue;
    await runJob(workerDeps(env, clock), env, "send-email-notice", job.data);
    await job.remove();
  }
}
const mailsTo = (address: string) => sink.received.filter((m) => m.to.includes(address));

describe("the /notifications page", () => {
  it("answers with no-referrer, no cache, a strict CSP and no inline script; its scripts are JavaScript files", async () => {
    const a = await athlete();
    const res = await page(a.cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("referrer-policy")).toBe("no-referrer");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    const html = await res.text();
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\ssrc="\/[^"]+"/);
      expect(body?.trim()).toBe("");
    }
    expect(html).not.toMatch(/\son[a-z]+="/);
    expect(html).not.toMatch(/\sstyle="/);
    expect(html).toContain(`value="${PUBLIC_URL}/calendar/${a.calendarToken}.ics"`);
    expect(html).toMatch(/<input id="feed-url" type="text" readonly=""/);
    expect(html).toContain(`name="${CSRF_FIELD}" value="${a.csrf}"`);
    expect(elementText(html, "email-state")).toBe("No address yet: plan mail needs one.");

    // The pages send other pages' links no Referer either, but their own rule stays same-origin.
    expect(
      (await app.request("/plan", { headers: { ...HTML, cookie: a.cookie } })).headers.get("referrer-policy"),
    ).toBe("same-origin");

    for (const [path, needle] of [
      ["/assets/notifications.js", "pushManager.subscribe"],
      ["/sw.js", "showNotification"],
    ] as const) {
      const script = await app.request(path);
      expect(script.status, path).toBe(200);
      expect(script.headers.get("content-type"), path).toBe("text/javascript; charset=utf-8");
      expect(script.headers.get("x-content-type-options")).toBe("nosniff");
      expect(await script.text()).toContain(needle);
      expect(html.includes(`src="${path}"`) || path === "/sw.js").toBe(true);
    }
  });

  it("says so when the server has no VAPID key, instead of offering a push button that cannot work", async () => {
    const a = await athlete();
    const withKey = await (await page(a.cookie)).text();
    expect(withKey).toContain('data-vapid="yes"');
    expect(elementText(withKey, "push-state")).toBe(PUSH_WORDS.noScript);
    const noKeys = testApp(
      {
        ...env,
        config: { ...env.config, push: { ...env.config.push, vapidPublicKey: "", vapidPrivateKey: "" } },
      },
      clock,
    );
    const html = await (
      await noKeys.request("/notifications", { headers: { ...HTML, cookie: a.cookie } })
    ).text();
    expect(html).toContain('data-vapid="no"');
    expect(elementText(html, "push-state")).toBe(PUSH_WORDS.noVapid);
    expect(PUSH_WORDS.noVapid).toMatch(/no VAPID key configured.*VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY/);
    // The script says the same words when it runs.
    expect(await (await app.request("/assets/notifications.js")).text()).toContain(PUSH_WORDS.noVapid);
  });

  it("sends a signed-out visitor to /", async () => {
    const res = await app.request("/notifications", { headers: HTML });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/");
  });

  it("stores what PATCH /api/settings stores, form by form", async () => {
    const viaApi = await athlete();
    const viaForm = await athlete();
    const changes: [string, Record<string, string>, Record<string, unknown>][] = [
      ["/notifications/channels", { push: "on" }, { notifications: { email: false, push: true } }],
      ["/notifications/channels", { email: "on" }, { notifications: { email: true, push: false } }],
      [
        "/notifications/quiet-hours",
        { from: "22:00", to: "06:30" },
        { notifications: { quietHours: { from: "22:00", to: "06:30" } } },
      ],
      [
        "/notifications/email",
        { email: " Runner.Form@Example.org " },
        { email: " Runner.Form@Example.org " },
      ],
      ["/notifications/quiet-hours", { from: "", to: "" }, { notifications: { quietHours: null } }],
      ["/notifications/email", { email: "" }, { email: null }],
    ];
    for (const [path, fields, body] of changes) {
      expect((await api(viaApi.id, "PATCH", "/api/settings", body)).status, path).toBe(200);
      const res = await postForm(path, viaForm.cookie, { [CSRF_FIELD]: viaForm.csrf, ...fields });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toMatch(/^\/notifications\?saved=[a-z-]+$/);
      expect(await shown(viaForm.id), path).toEqual(await shown(viaApi.id));
    }
    expect((await shown(viaForm.id)).notifications).toEqual({ email: true, push: false, quietHours: null });

    // The page after the redirect says what was saved, and shows the state.
    await postForm("/notifications/quiet-hours", viaForm.cookie, {
      [CSRF_FIELD]: viaForm.csrf,
      from: "21:30",
      to: "07:00",
    });
    const after = await (
      await app.request("/notifications?saved=quiet-hours", { headers: { ...HTML, cookie: viaForm.cookie } })
    ).text();
    expect(after).toContain('role="status">Saved. Quiet hours are set.</p>');
    expect(after).toMatch(/id="quiet-from" name="from" type="time" value="21:30"/);
    expect(after).toMatch(/id="channel-email" type="checkbox" name="email" value="on" checked=""/);
    expect(after).not.toMatch(/id="channel-push"[^>]*checked/);
  });

  it("shows the API's own message beside a refused address or quiet hours, with its status, and stores nothing", async () => {
    const a = await athlete();
    const before = await stored(a.id);

    const apiEmail = await api(a.id, "PATCH", "/api/settings", { email: "not an address" });
    expect(apiEmail.status).toBe(400);
    const emailMessage = apiEmail.body.error.details.fields[0].message as string;
    const email = await postForm("/notifications/email", a.cookie, {
      [CSRF_FIELD]: a.csrf,
      email: "not an address",
    });
    expect(email.status).toBe(apiEmail.status);
    const emailPage = await email.text();
    expect(elementText(emailPage, "email-error")).toBe(emailMessage);
    expect(emailPage).toMatch(
      /id="email" name="email" type="email" autocomplete="email" value="not an address" aria-describedby="email-hint email-error" aria-invalid="true"/,
    );
    expect(emailPage).toContain(`role="alert">Not changed: ${apiEmail.body.error.message}.</p>`);
    expect(email.headers.get("referrer-policy")).toBe("no-referrer");

    const apiQuiet = await api(a.id, "PATCH", "/api/settings", {
      notifications: { quietHours: { from: "25:00", to: "" } },
    });
    expect(apiQuiet.status).toBe(400);
    const [fromProblem, toProblem] = apiQuiet.body.error.details.fields.map(
      (f: { message: string }) => f.message,
    );
    expect(fromProblem).toMatch(/^quietHours\.from: /);
    expect(toProblem).toMatch(/^quietHours\.to: /);
    const quiet = await postForm("/notifications/quiet-hours", a.cookie, {
      [CSRF_FIELD]: a.csrf,
      from: "25:00",
      to: "",
    });
    expect(quiet.status).toBe(400);
    const quietPage = await quiet.text();
    expect(elementText(quietPage, "quiet-from-error")).toBe(fromProblem.replace("quietHours.from: ", ""));
    expect(elementText(quietPage, "quiet-to-error")).toBe(toProblem.replace("quietHours.to: ", ""));
    expect(quietPage).toMatch(
      /id="quiet-from" name="from" type="time" value="25:00" aria-describedby="quiet-hint quiet-from-error" aria-invalid="true"/,
    );

    const apiSame = await api(a.id, "PATCH", "/api/settings", {
      notifications: { quietHours: { from: "22:00", to: "22:00" } },
    });
    const same = await postForm("/notifications/quiet-hours", a.cookie, {
      [CSRF_FIELD]: a.csrf,
      from: "22:00",
      to: "22:00",
    });
    expect(same.status).toBe(apiSame.status);
    expect(elementText(await same.text(), "quiet-error")).toBe(
      (apiSame.body.error.details.fields[0].message as string).replace("quietHours: ", ""),
    );
    expect(await stored(a.id)).toBe(before);
  });

  it("refuses every form with 403 and changes nothing without the token, with a wrong one, or from another origin", async () => {
    const a = await athlete();
    const other = await athlete();
    await api(a.id, "PATCH", "/api/settings", { email: "csrf-target@example.org" });
    const before = await stored(a.id);
    const forms: [string, Record<string, string>][] = [
      ["/notifications/email", { email: "attacker@example.net" }],
      ["/notifications/email/resend", {}],
      ["/notifications/channels", {}],
      ["/notifications/quiet-hours", { from: "00:00", to: "23:00" }],
      ["/notifications/calendar/rotate", {}],
    ];
    for (const [path, fields] of forms) {
      const attempts: [string, Record<string, string>, string | null][] = [
        ["no token", fields, PUBLIC_URL],
        ["another session's token", { [CSRF_FIELD]: other.csrf, ...fields }, PUBLIC_URL],
        ["a guessed token", { [CSRF_FIELD]: "a-guess", ...fields }, PUBLIC_URL],
        ["another origin", { [CSRF_FIELD]: a.csrf, ...fields }, "https://evil.example.net"],
        ["a sibling origin", { [CSRF_FIELD]: a.csrf, ...fields }, "https://runstrong.example.org:8443"],
        ["an origin withheld (null) and no token", fields, "null"],
        ["an origin withheld (null) and a guessed token", { [CSRF_FIELD]: "a-guess", ...fields }, "null"],
      ];
      for (const [what, body, origin] of attempts) {
        const res = await postForm(path, a.cookie, body, origin);
        expect(res.status, `${path}, ${what}`).toBe(403);
        const text = await res.text();
        expect(text, `${path}, ${what}`).toContain("Nothing was changed");
        // The refusal keeps the signed-in athlete's nav, Sign out included.
        expect(text, `${path}, ${what}`).toContain('action="/sign-out"');
      }
    }
    expect(await stored(a.id)).toBe(before);
    expect(await notifyJobs(env, a.id)).toHaveLength(1); // the API's own confirmation, no other

    // This page's no-referrer makes chromium send `Origin: null` on its own forms: with the token, that is the athlete.
    const own = await postForm("/notifications/channels", a.cookie, { [CSRF_FIELD]: a.csrf }, "null");
    expect(own.status).toBe(303);
    expect((await shown(a.id)).notifications).toMatchObject({ email: false, push: false });
  });

  it("rotates the feed URL: the token changes, the page shows the new URL, and the old one answers 404", async () => {
    const a = await athlete();
    const oldUrl = `/calendar/${a.calendarToken}.ics`;
    expect((await app.request(oldUrl)).status).toBe(200);
    const res = await postForm("/notifications/calendar/rotate", a.cookie, { [CSRF_FIELD]: a.csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/notifications?saved=feed");
    const token = (await getAthlete(env.pool.db, a.id))?.calendarToken;
    expect(token).toBeTruthy();
    expect(token).not.toBe(a.calendarToken);
    expect((await app.request(oldUrl)).status).toBe(404);
    expect((await app.request(`/calendar/${token}.ics`)).status).toBe(200);
    const after = await (
      await app.request("/notifications?saved=feed", { headers: { ...HTML, cookie: a.cookie } })
    ).text();
    expect(after).toContain(`value="${PUBLIC_URL}/calendar/${token}.ics"`);
    expect(after).not.toContain(a.calendarToken);
    expect(after).toContain("The old one no longer works");
  });

  it("mails the confirmation link once to a real SMTP server, and one hourly limit counts form, resend and API together", async () => {
    now = new Date("2026-12-07T10:05:00Z");
    const a = await athlete();
    const first = "first.form@example.org";
    const changed = await postForm("/notifications/email", a.cookie, { [CSRF_FIELD]: a.csrf, email: first });
    expect(changed.status).toBe(303);
    await runNotices(a.id);
    expect(mailsTo(first)).toHaveLength(1);
    expect(mailsTo(first)[0]?.mail.subject).toBe("Confirm your address for runstrong plan mail");
    const shownPage = await (await page(a.cookie)).text();
    expect(elementText(shownPage, "email-state")).toBe(
      `We sent a link to ${first}; check your inbox and follow it. Plan mail waits until you do.`,
    );
    expect(shownPage).toContain('action="/notifications/email/resend"');

    // The same address again is no new mail, and is not counted.
    expect(
      (await postForm("/notifications/email", a.cookie, { [CSRF_FIELD]: a.csrf, email: first })).status,
    ).toBe(303);
    // "Send the link again": the second of two this hour.
    const resent = await postForm("/notifications/email/resend", a.cookie, { [CSRF_FIELD]: a.csrf });
    expect(resent.status).toBe(303);
    expect(resent.headers.get("location")).toBe("/notifications?saved=resent");
    await runNotices(a.id);
    expect(mailsTo(first)).toHaveLength(2);

    // The API is over the same limit now, and so are the form and the resend button.
    const viaApi = await api(a.id, "PATCH", "/api/settings", { email: "third.api@example.org" });
    expect(viaApi.status).toBe(429);
    expect(viaApi.body.error.code).toBe("rate_limited");
    const viaForm = await postForm("/notifications/email", a.cookie, {
      [CSRF_FIELD]: a.csrf,
      email: "third.form@example.org",
    });
    expect(viaForm.status).toBe(429);
    expect(Number(viaForm.headers.get("retry-after"))).toBe(55 * 60);
    const refusedPage = await viaForm.text();
    expect(elementText(refusedPage, "email-error")).toBe(
      `too many confirmation mails this hour; try again in ${55 * 60} s`,
    );
    expect((await postForm("/notifications/email/resend", a.cookie, { [CSRF_FIELD]: a.csrf })).status).toBe(
      429,
    );
    await runNotices(a.id);
    expect((await getAthlete(env.pool.db, a.id))?.email).toBe(first);
    expect(sink.recipients.filter((r) => r.startsWith("third."))).toEqual([]);
    expect(mailsTo(first)).toHaveLength(2);

    // The next hour, the form sends again; a confirmed address has nothing to resend.
    now = new Date("2026-12-07T11:00:00Z");
    const later = "later.form@example.org";
    expect(
      (await postForm("/notifications/email", a.cookie, { [CSRF_FIELD]: a.csrf, email: later })).status,
    ).toBe(303);
    await runNotices(a.id);
    expect(mailsTo(later)).toHaveLength(1);
  });
});
