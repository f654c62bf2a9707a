// A notify job that dies half-way (kill -9 of its worker, its database
// connection gone) must not send again what already went out: each delivery is
// committed as soon as it is made, not with the job's end. And what a crash can
// still repeat (the outcome of a send lost between the provider's "accepted" and
// our commit) goes out as the same message: one Message-ID per message, one web
// push Topic per message, so mail clients and push services can fold the copy;
// the same for the notices (address confirmation, dropped subscription) per job.
import { describe, expect, it } from "vitest";
import { messageLog, saveSubscription } from "../../src/db/repos/notifications.ts";
import { createMailer, type Mailer } from "../../src/integrations/email/mailer.ts";
import { notifyAthlete } from "../../src/workers/notify/deliver.ts";
import { sendEmailNotice } from "../../src/workers/notify/email-notice.ts";
import { seedAthlete } from "../support/builders.ts";
import {
  confirmedAddress,
  newKey,
  session,
  storeVersion,
  useNotifyEnv,
  workerDeps,
} from "../support/notify-fixtures.ts";
import { browserKeys } from "../support/push-endpoint.ts";

const { env, sink, service } = await useNotifyEnv();
const NOW = new Date("2026-11-30T08:00:00Z");
const SENTENCE = "Strength A moved from Wed 18:00 to Thu 18:00: Wednesday's 07:00 run was a quality session";

async function athleteWithChannels(path: string) {
  const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
  const address = `${path}@example.org`;
  await confirmedAddress(env.pool.db, athlete.id, address);
  const browser = browserKeys();
  await saveSubscription(env.pool.db, athlete.id, {
    endpoint: `${service.origin}/push/${path}`,
    p256dh: browser.p256dh,
    auth: browser.auth,
  });
  await storeVersion(env.pool.db, athlete.id, [session(newKey(), "2026-12-03T17:00:00Z")], [SENTENCE]);
  return {
    athlete,
    mails: () => sink.received.filter((m) => m.to.includes(address)),
    pushes: () => service.requests.filter((r) => r.path === `/push/${path}`),
  };
}

const ctx = { jobId: "crash-test", attempt: 1, logger: env.logger };

describe("a notify job that dies half-way", () => {
  it("does not mail again, on its retry, what it mailed before it died", async () => {
    const { athlete, mails, pushes } = await athleteWithChannels("killed");
    // The worker dies right after the mail went out, while turning to the push:
    // the clock it reads next throws, as a dead process reads nothing more.
    let dying = false;
    const real = createMailer(env.config.mail, env.logger);
    const mailer: Mailer = {
      async send(message) {
        const sent = await real.send(message);
        dying = true;
        return sent;
      },
    };
    const dies = workerDeps(env, () => {
      if (dying) throw new Error("worker killed");
      return NOW;
    });
    await expect(notifyAthlete({ athleteId: athlete.id }, dies, ctx, { mailer })).rejects.toThrow(
      "worker killed",
    );
    expect(mails()).toHaveLength(1);
    expect(pushes()).toHaveLength(0);

    // The retry, on another worker: the push goes out, the mail does not again.
    await notifyAthlete(
      { athleteId: athlete.id },
      workerDeps(env, () => NOW),
      ctx,
    );
    expect(mails()).toHaveLength(1);
    expect(pushes()).toHaveLength(1);
    const log = await messageLog(env.pool.db, athlete.id);
    expect(log.map((r) => [r.channel, r.status]).sort()).toEqual([
      ["email", "sent"],
      ["webpush", "sent"],
    ]);
  });

  it("sends what it must send again as the same message: one Message-ID, one push Topic", async () => {
    const { athlete, mails, pushes } = await athleteWithChannels("resent");
    // The SMTP server took the mail but its answer was lost; the push service answered 500.
    const real = createMailer(env.config.mail, env.logger);
    let lose = true;
    const mailer: Mailer = {
      async send(message) {
        const sent = await real.send(message);
        if (lose) {
          lose = false;
          throw new Error("Connection closed unexpectedly");
        }
        return sent;
      },
    };
    const deps = workerDeps(env, () => NOW);
    service.status = 500;
    try {
      await expect(notifyAthlete({ athleteId: athlete.id }, deps, ctx, { mailer })).rejects.toThrow(
        "not delivered yet",
      );
    } finally {
      service.status = 201;
    }
    await notifyAthlete({ athleteId: athlete.id }, deps, ctx, { mailer });
    const ids = mails().map((m) => m.mail.messageId);
    expect(ids).toHaveLength(2);
    expect(ids[0]).toMatch(/^<.+@runstrong\.example>$/);
    expect(ids[1]).toBe(ids[0]);
    const topics = pushes().map((r) => r.headers.topic);
    expect(topics).toHaveLength(2);
    expect(topics[0]).toMatch(/^[A-Za-z0-9_-]{1,32}$/);
    expect(topics[1]).toBe(topics[0]);

    // Another message of the same athlete is another message: its own id and topic.
    await storeVersion(env.pool.db, athlete.id, [session(newKey(), "2026-12-04T17:00:00Z")], [SENTENCE]);
    await notifyAthlete({ athleteId: athlete.id }, deps, ctx);
    expect(mails()).toHaveLength(3);
    expect(mails()[2]?.mail.messageId).not.toBe(ids[0]);
    expect(pushes()[2]?.headers.topic).not.toBe(topics[0]);
  });

  it("sends a notice again, on the retry of its job, as the same mail", async () => {
    const athlete = await seedAthlete(env.pool.db, { timezone: "Europe/Berlin" });
    const address = "notice-again@example.org";
    await confirmedAddress(env.pool.db, athlete.id, address);
    const deps = workerDeps(env, () => NOW);
    const notice = { athleteId: athlete.id, kind: "push-dropped" as const, endpointHost: "push.example" };
    const job = (jobId: string) => ({ ...ctx, jobId });
    await sendEmailNotice(notice, deps, job("push-dropped-abc123-41"));
    await sendEmailNotice(notice, deps, job("push-dropped-abc123-41"));
    await sendEmailNotice(notice, deps, job("push-dropped-abc123-42"));
    const ids = sink.received.filter((m) => m.to.includes(address)).map((m) => m.mail.messageId);
    expect(ids).toEqual([
      "<notice-push-dropped-abc123-41@runstrong.example>",
      "<notice-push-dropped-abc123-41@runstrong.example>",
      "<notice-push-dropped-abc123-42@runstrong.example>",
    ]);
  });
});
