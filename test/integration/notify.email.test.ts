// Plan mail end to end, received by a real SMTP server (smtp-server) and parsed
// with mailparser: the address is confirmed by its signed link before any plan
// mail goes there; a plan change arrives as one message with a text and an HTML
// part, the sentences, the sessions ahead in the athlete's zone and RFC 8058
// one-click unsubscribe headers, and a POST to that link turns plan mail off.
import { afterAll, describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { messageLog } from "../../src/db/repos/notifications.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { seedAthlete } from "../support/builders.ts";
import { startMailSink } from "../support/mail-sink.ts";
import {
  confirmedAddress,
  json,
  MOVED,
  newKey,
  notifyJobs,
  runJob,
  session,
  storeVersion,
  workerDeps,
} from "../support/notify-fixtures.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const sink = await startMailSink();
afterAll(() => sink.close());
const env = await useTestEnv({
  SMTP_URL: sink.url,
  MAIL_FROM: "runstrong <plans@runstrong.example>",
  PUBLIC_URL: "https://runstrong.example",
  OUTBOUND_ALLOW_PRIVATE: "true",
});
// Monday 30 November 2026, 09:00 in Berlin.
let now = new Date("2026-11-30T08:00:00Z");
const app = testApp(env, () => now);
const deps = workerDeps(env, () => now);

async function call(athleteId: number | null, method: string, path: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (athleteId !== null)
    headers.set("cookie", `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}`);
  return app.request(path, { ...init, method, headers });
}

async function patchSettings(athleteId: number, body: unknown) {
  const res = await call(athleteId, "PATCH", "/api/settings", {
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await json(res) };
}

/** Runs the athlete's queued notices (the confirmation mail) as the worker would. */
async function runNotices(athleteId: number) {
  for (const job of await notifyJobs(env, athleteId)) {
    if (job.name !== "send-email-notice") continue;
    await runJob(deps, env, "send-email-notice", job.data);
    await job.remove();
  }
}

const mailsTo = (address: string) => sink.received.filter((m) => m.to.includes(address));

describe("the athlete's address", () => {
  it("is confirmed by the signed link of a confirmation mail; a new address asks again", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const first = await patchSettings(athlete.id, { email: " Runner.One@Example.org " });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ email: "runner.one@example.org", emailConfirmed: false });

    await runNotices(athlete.id);
    const [confirmation] = mailsTo("runner.one@example.org");
    expect(confirmation?.mail.subject).toBe("Confirm your address for runstrong plan mail");
    const link = /https:\/\/runstrong\.example\/email\/confirm\?token=\S+/.exec(
      confirmation?.mail.text ?? "",
    )?.[0];
    expect(link).toBeDefined();
    expect(confirmation?.mail.html).toContain(link?.replace(/&/g, "&amp;"));

    // A forged token confirms nothing.
    const forged = await call(null, "GET", `/email/confirm?token=${"x".repeat(40)}.${"y".repeat(43)}`);
    expect(forged.status).toBe(400);
    expect((await json(forged)).error.code).toBe("bad_request");

    const confirmed = await call(null, "GET", new URL(link ?? "").pathname + new URL(link ?? "").search, {
      headers: { accept: "text/html" },
    });
    expect(confirmed.status).toBe(200);
    expect(await confirmed.text()).toContain("Address confirmed");
    const view = await json(await call(athlete.id, "GET", "/api/settings"));
    expect(view).toMatchObject({ email: "runner.one@example.org", emailConfirmed: true });

    // Changing the address asks again, and the old address's link no longer confirms.
    const second = await patchSettings(athlete.id, { email: "runner.two@example.org" });
    expect(second.body).toMatchObject({ email: "runner.two@example.org", emailConfirmed: false });
    const stale = await call(null, "GET", new URL(link ?? "").pathname + new URL(link ?? "").search);
    expect(stale.status).toBe(409);
    await runNotices(athlete.id);
    expect(mailsTo("runner.two@example.org")).toHaveLength(1);

    // A confirmation link lapses after two days.
    const later = mailsTo("runner.two@example.org")[0]?.mail.text ?? "";
    const path = /\/email\/confirm\?token=\S+/.exec(later)?.[0] ?? "";
    now = new Date(now.getTime() + 3 * 86_400_000);
    expect((await call(null, "GET", path)).status).toBe(400);
    now = new Date("2026-11-30T08:00:00Z");
    expect((await call(null, "GET", path)).status).toBe(200);

    const bad = await patchSettings(athlete.id, { email: "not an address" });
    expect(bad.status).toBe(400);
    expect(bad.body.error.details.fields).toEqual([{ field: "email", message: expect.any(String) }]);
    // No log line carries an address.
    expect(JSON.stringify(env.logs)).not.toMatch(/runner\.(one|two)@example\.org/);
  });

  it("gets no plan mail before it is confirmed", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await patchSettings(athlete.id, { email: "unconfirmed@example.org" });
    await storeVersion(env.pool.db, athlete.id, [session(newKey(), "2026-12-03T17:00:00Z")], [MOVED]);
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });

    expect(mailsTo("unconfirmed@example.org").map((m) => m.mail.subject)).not.toContainEqual(
      expect.stringMatching(/plan changed/),
    );
    const log = await messageLog(env.pool.db, athlete.id);
    expect(log.find((r) => r.channel === "email")).toMatchObject({
      status: "skipped",
      error: "address not confirmed",
    });
  });
});

describe("plan mail", () => {
  it("tells the change in a text and an HTML part with one-click unsubscribe, which turns plan mail off", async () => {
    const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
    await confirmedAddress(env.pool.db, athlete.id, "plans@example.org");
    const key = newKey();
    await storeVersion(env.pool.db, athlete.id, [session(key, "2026-12-02T17:00:00Z")], []);
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    const before = mailsTo("plans@example.org").length;

    await storeVersion(env.pool.db, athlete.id, [session(key, "2026-12-03T17:00:00Z")], [MOVED]);
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    const mails = mailsTo("plans@example.org");
    expect(mails).toHaveLength(before + 1);
    const received = mails.at(-1);
    const mail = received?.mail;
    expect(mail?.subject).toBe("Your plan changed: Strength A moved from Wed 18:00 to Thu 18:00");
    expect(mail?.from?.text).toBe('"runstrong" <plans@runstrong.example>');
    expect(mail?.text).toContain(MOVED);
    // Thursday 3 December 17:00 UTC is 18:00 in Berlin.
    expect(mail?.text).toContain("Thu 2026-12-03 18:00-18:45 Strength A");
    expect(mail?.text).toContain("https://runstrong.example/plan");
    expect(mail?.html).toContain("Strength A moved from Wed 18:00 to Thu 18:00: Wednesday&#39;s 07:00 run");
    expect(mail?.html).toContain("Thu 2026-12-03 18:00-18:45 Strength A");

    const unsubscribe = /^<(https:\/\/runstrong\.example\/email\/unsubscribe\?token=[^>]+)>$/.exec(
      received?.header("list-unsubscribe") ?? "",
    )?.[1];
    expect(unsubscribe).toBeDefined();
    expect(received?.header("list-unsubscribe-post")).toBe("List-Unsubscribe=One-Click");
    const path = `${new URL(unsubscribe ?? "").pathname}${new URL(unsubscribe ?? "").search}`;

    // GET only shows a page asking to confirm; the setting is untouched.
    const page = await call(null, "GET", path, { headers: { accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<form method="post"');
    expect((await getAthlete(env.pool.db, athlete.id))?.settings).toEqual({});

    // A tampered link does nothing.
    const tampered = await call(null, "POST", `${path}x`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(tampered.status).toBe(400);

    // The mail provider's one-click POST: form-encoded, no cookie, another origin.
    const oneClick = await call(null, "POST", path, {
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://mail.example.com" },
      body: "List-Unsubscribe=One-Click",
    });
    expect(oneClick.status).toBe(200);
    expect((await getAthlete(env.pool.db, athlete.id))?.settings).toEqual({
      notifications: { email: false },
    });

    // The next change sends no mail.
    await storeVersion(
      env.pool.db,
      athlete.id,
      [session(key, "2026-12-04T17:00:00Z")],
      ["Strength A moved from Thu 18:00 to Fri 18:00"],
    );
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    expect(mailsTo("plans@example.org")).toHaveLength(before + 1);
    expect((await messageLog(env.pool.db, athlete.id))[0]).toMatchObject({
      channel: expect.any(String),
      status: "skipped",
    });
    expect((await messageLog(env.pool.db, athlete.id)).find((r) => r.channel === "email")?.error).toBe(
      "plan mail is off",
    );
  });
});
