// When plan-change messages go out, and how often: changes in quick succession
// become one message, nothing goes out when nothing visible changed, quiet hours
// hold a message until they end (the clock is passed in, not waited for), a
// retried job sends nothing the log shows as sent, and a failing SMTP server
// leaves push working while the mail is retried.
import { describe, expect, it } from "vitest";
import { messageLog, saveSubscription } from "../../src/db/repos/notifications.ts";
import { planChangeNotifications } from "../../src/workers/notify/consumer.ts";
import { NotifyRetryError } from "../../src/workers/notify/deliver.ts";
import { PLAN_CHANGE_CONSUMERS } from "../../src/workers/plan-consumers.ts";
import { seedAthlete } from "../support/builders.ts";
import { deadSmtpUrl } from "../support/mail-sink.ts";
import {
  confirmedAddress,
  newKey,
  notifyJobs,
  runJob,
  session,
  storeVersion,
  useNotifyEnv,
  workerDeps,
} from "../support/notify-fixtures.ts";
import { browserKeys } from "../support/push-endpoint.ts";

const { env, sink, service } = await useNotifyEnv();
let now = new Date("2026-11-30T08:00:00Z");
const deps = workerDeps(env, () => now);

const SENTENCES = [
  "Strength A moved from Wed 18:00 to Thu 18:00: Wednesday's 07:00 run was a quality session",
  "Strength B moved from Fri 18:00 to Sat 10:00: Friday's run moved to the evening",
  "Strength A moved from Thu 18:00 to Thu 19:00: Thursday's run now ends at 16:00",
];

/** An athlete with a confirmed address and one browser subscribed; `path` names its push endpoint. */
async function athleteWithChannels(path: string, settings: Record<string, unknown> = {}) {
  const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin", settings });
  const address = `${path}@example.org`;
  await confirmedAddress(env.pool.db, athlete.id, address);
  const browser = browserKeys();
  await saveSubscription(env.pool.db, athlete.id, {
    endpoint: `${service.origin}/push/${path}`,
    p256dh: browser.p256dh,
    auth: browser.auth,
  });
  return {
    athlete,
    browser,
    mails: () => sink.received.filter((m) => m.to.includes(address)),
    pushes: () => service.requests.filter((r) => r.path === `/push/${path}`),
  };
}

describe("plan-change messages", () => {
  it("are one message for three changes in quick succession, and a retried job sends nothing twice", async () => {
    expect(PLAN_CHANGE_CONSUMERS).toContain(planChangeNotifications);
    const { athlete, browser, mails, pushes } = await athleteWithChannels("burst");
    const key = newKey();
    for (const [i, sentence] of SENTENCES.entries()) {
      const stored = await storeVersion(
        env.pool.db,
        athlete.id,
        [session(key, `2026-12-0${i + 2}T17:00:00Z`)],
        [sentence],
      );
      await planChangeNotifications.consume(
        {
          athleteId: athlete.id,
          planVersionId: stored.id,
          version: stored.version,
          changes: [{ type: "moved", sentence }],
        },
        deps,
      );
    }
    const jobs = await notifyJobs(env, athlete.id);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]?.opts.delay).toBe(env.config.notify.coalesceMs);

    await runJob(deps, env, "notify-plan-change", jobs[0]?.data);
    expect(mails()).toHaveLength(1);
    for (const sentence of SENTENCES) expect(mails()[0]?.mail.text).toContain(sentence);
    expect(mails()[0]?.mail.subject).toBe("Your plan changed: 3 changes to your strength sessions");
    expect(pushes()).toHaveLength(1);
    expect(JSON.parse(browser.decrypt(pushes()[0]?.body ?? Buffer.alloc(0))).changes).toEqual(SENTENCES);

    // The same job again (a retry, or a second worker): the log says both are sent.
    await runJob(deps, env, "notify-plan-change", jobs[0]?.data);
    expect(mails()).toHaveLength(1);
    expect(pushes()).toHaveLength(1);
    const log = await messageLog(env.pool.db, athlete.id);
    expect(log.map((r) => [r.channel, r.status, r.firstVersion]).sort()).toEqual([
      ["email", "sent", 1],
      ["webpush", "sent", 1],
    ]);
  });

  it("are not sent when nothing the athlete would see changed", async () => {
    const { athlete, mails, pushes } = await athleteWithChannels("unseen");
    const key = newKey();
    await storeVersion(env.pool.db, athlete.id, [session(key, "2026-12-03T17:00:00Z")], [SENTENCES[0] ?? ""]);
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    expect(mails()).toHaveLength(1);

    // Only the SEQUENCE rose: no sentence, the same sessions.
    await storeVersion(
      env.pool.db,
      athlete.id,
      [{ ...session(key, "2026-12-03T17:00:00Z"), sequence: 1 }],
      [],
    );
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    expect(mails()).toHaveLength(1);
    expect(pushes()).toHaveLength(1);
    const newest = (await messageLog(env.pool.db, athlete.id)).slice(0, 2);
    expect(newest.map((r) => [r.status, r.error])).toEqual([
      ["skipped", "nothing the athlete would see changed"],
      ["skipped", "nothing the athlete would see changed"],
    ]);
  });

  it("wait for the end of quiet hours in the athlete's zone, then go out as one", async () => {
    const { athlete, mails, pushes } = await athleteWithChannels("night", {
      notifications: { quietHours: { from: "22:00", to: "07:00" } },
    });
    const key = newKey();
    // 23:30 in Berlin.
    now = new Date("2026-11-30T22:30:00Z");
    try {
      await storeVersion(
        env.pool.db,
        athlete.id,
        [session(key, "2026-12-02T17:00:00Z")],
        [SENTENCES[0] ?? ""],
      );
      expect(await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id })).toEqual({
        heldUntil: "2026-12-01T06:00:00.000Z",
      });
      // 03:00 in Berlin, another change: still held.
      now = new Date("2026-12-01T02:00:00Z");
      await storeVersion(
        env.pool.db,
        athlete.id,
        [session(key, "2026-12-03T17:00:00Z")],
        [SENTENCES[1] ?? ""],
      );
      expect(await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id })).toEqual({
        heldUntil: "2026-12-01T06:00:00.000Z",
      });
      expect(mails()).toHaveLength(0);
      expect(pushes()).toHaveLength(0);
      expect(await messageLog(env.pool.db, athlete.id)).toEqual([]);

      // 07:00 in Berlin: one message with both changes.
      now = new Date("2026-12-01T06:00:00Z");
      await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
      expect(mails()).toHaveLength(1);
      expect(mails()[0]?.mail.text).toContain(SENTENCES[0]);
      expect(mails()[0]?.mail.text).toContain(SENTENCES[1]);
      expect(pushes()).toHaveLength(1);
    } finally {
      now = new Date("2026-11-30T08:00:00Z");
    }
  });

  it("keep going by push while SMTP is down, and the mail is retried", async () => {
    const { athlete, mails, pushes } = await athleteWithChannels("smtpdown");
    await storeVersion(
      env.pool.db,
      athlete.id,
      [session(newKey(), "2026-12-03T17:00:00Z")],
      [SENTENCES[0] ?? ""],
    );
    const down = workerDeps(env, () => now, {
      config: { ...env.config, mail: { ...env.config.mail, smtpUrl: await deadSmtpUrl() } },
    });
    await expect(runJob(down, env, "notify-plan-change", { athleteId: athlete.id })).rejects.toBeInstanceOf(
      NotifyRetryError,
    );
    expect(pushes()).toHaveLength(1);
    expect(mails()).toHaveLength(0);
    const failed = (await messageLog(env.pool.db, athlete.id)).find((r) => r.channel === "email");
    expect(failed).toMatchObject({ status: "failed", attempts: 1, error: expect.stringMatching(/^SMTP: /) });

    // The retry, with SMTP back: the mail goes out, the push is not sent again.
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    expect(mails()).toHaveLength(1);
    expect(pushes()).toHaveLength(1);
    const log = await messageLog(env.pool.db, athlete.id);
    expect(log.map((r) => [r.channel, r.status]).sort()).toEqual([
      ["email", "sent"],
      ["webpush", "sent"],
    ]);
  });

  it("give up at once on an address the SMTP server refuses for good, and never log or store it", async () => {
    const { athlete, mails, pushes } = await athleteWithChannels("bounce");
    sink.refuse.add("bounce@example.org");
    await storeVersion(
      env.pool.db,
      athlete.id,
      [session(newKey(), "2026-12-03T17:00:00Z")],
      [SENTENCES[0] ?? ""],
    );
    // A 550 is not retried: the job succeeds, the push went out.
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    expect(mails()).toHaveLength(0);
    expect(pushes()).toHaveLength(1);
    const [row] = (await messageLog(env.pool.db, athlete.id)).filter((r) => r.channel === "email");
    expect(row).toMatchObject({ status: "failed", attempts: 8 });
    expect(row?.error).toContain("<address>");
    expect(row?.error).not.toContain("bounce@example.org");
    expect(JSON.stringify(env.logs)).not.toContain("bounce@example.org");

    // Later jobs leave it alone.
    const tried = sink.recipients.filter((r) => r === "bounce@example.org").length;
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    expect(sink.recipients.filter((r) => r === "bounce@example.org")).toHaveLength(tried);
  });
});
