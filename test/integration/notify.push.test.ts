// Web push end to end against a local stand-in push service: the subscription
// API, a plan change pushed with a VAPID Authorization header and an aes128gcm
// body that the browser's keys decrypt (RFC 8291) to the sentences, a 410 that
// removes the subscription at once, and repeated failures that drop it and tell
// the athlete by email.
import { describe, expect, it } from "vitest";
import { messageLog, saveSubscription, subscriptionsOf } from "../../src/db/repos/notifications.ts";
import { createApp } from "../../src/server/app.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { MAX_PUSH_FAILURES, NotifyRetryError } from "../../src/workers/notify/deliver.ts";
import { seedAthlete } from "../support/builders.ts";
import {
  confirmedAddress,
  json,
  MOVED,
  newKey,
  notifyJobs,
  runJob,
  session,
  storeVersion,
  useNotifyEnv,
  workerDeps,
} from "../support/notify-fixtures.ts";
import { browserKeys, verifyVapid } from "../support/push-endpoint.ts";
import { testApp } from "../support/test-env.ts";

const { env, sink, service } = await useNotifyEnv();
const now = new Date("2026-11-30T08:00:00Z");
const app = testApp(env, () => now);
const deps = workerDeps(env, () => now);

const SKIPPED = "Strength B moved from Fri 18:00 to Sat 10:00: Friday is now a rest day";

function call(athleteId: number | null, method: string, path: string, body?: unknown, on = app) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (athleteId !== null)
    headers.cookie = `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}`;
  return on.request(path, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
}

describe("push subscriptions", () => {
  it("are taken as PushSubscription.toJSON(), listed without their keys, and removed by endpoint", async () => {
    const key = await json(await call(null, "GET", "/api/push/vapid-public-key"));
    expect(key).toEqual({ publicKey: env.config.push.vapidPublicKey });
    expect(Buffer.from(key.publicKey, "base64url")).toHaveLength(65);

    const athlete = await seedAthlete(env.pool.db);
    const browser = browserKeys();
    const subscription = {
      endpoint: `${service.origin}/push/api-1`,
      expirationTime: null,
      keys: { p256dh: browser.p256dh, auth: browser.auth },
    };
    expect((await call(null, "POST", "/api/push-subscriptions", subscription)).status).toBe(401);
    const created = await call(athlete.id, "POST", "/api/push-subscriptions", subscription);
    expect(created.status).toBe(201);

    const bad = await call(athlete.id, "POST", "/api/push-subscriptions", {
      ...subscription,
      keys: { p256dh: "AAAA", auth: browser.auth },
    });
    expect(bad.status).toBe(400);
    expect((await json(bad)).error.details.fields[0].field).toBe("keys.p256dh");

    // Without OUTBOUND_ALLOW_PRIVATE a local endpoint is refused, as is plain http.
    const fenced = createApp({
      config: { ...env.config, outbound: { allowPrivate: false } },
      db: env.pool.db,
      queues: env.queues,
      logger: env.logger,
      metrics: env.metrics,
      readiness: [],
      now: () => now,
    });
    const local = await call(
      athlete.id,
      "POST",
      "/api/push-subscriptions",
      { ...subscription, endpoint: "https://127.0.0.1:8443/push/x" },
      fenced,
    );
    expect(local.status).toBe(400);
    expect((await json(local)).error.message).toMatch(/refusing to send to 127\.0\.0\.1/);
    const http = await call(athlete.id, "POST", "/api/push-subscriptions", subscription, fenced);
    expect((await json(http)).error.message).toMatch(/https/);

    const list = await json(await call(athlete.id, "GET", "/api/push-subscriptions"));
    expect(list.subscriptions).toEqual([
      { endpoint: subscription.endpoint, createdAt: expect.any(String), failureCount: 0 },
    ]);
    expect(JSON.stringify(list)).not.toContain(browser.auth);

    expect(
      (await call(athlete.id, "DELETE", "/api/push-subscriptions", { endpoint: subscription.endpoint }))
        .status,
    ).toBe(204);
    expect(
      (await call(athlete.id, "DELETE", "/api/push-subscriptions", { endpoint: subscription.endpoint }))
        .status,
    ).toBe(404);
    expect(await subscriptionsOf(env.pool.db, athlete.id)).toEqual([]);
  });
});

describe("a plan change pushed", () => {
  it("carries a VAPID Authorization header and an aes128gcm body the browser decrypts to the sentences", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const browser = browserKeys();
    const endpoint = `${service.origin}/push/decrypt`;
    await saveSubscription(env.pool.db, athlete.id, { endpoint, p256dh: browser.p256dh, auth: browser.auth });
    await storeVersion(
      env.pool.db,
      athlete.id,
      [session(newKey(), "2026-12-03T17:00:00Z")],
      [MOVED, SKIPPED],
    );
    await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });

    const requests = service.requests.filter((r) => r.path === "/push/decrypt");
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.headers["content-encoding"]).toBe("aes128gcm");
    expect(request?.headers.ttl).toBe("86400");
    const claims = verifyVapid(request?.headers.authorization, env.config.push.vapidPublicKey);
    expect(claims).toMatchObject({ aud: service.origin, sub: env.config.push.vapidSubject });
    expect(claims.exp).toEqual(expect.any(Number));

    const message = JSON.parse(browser.decrypt(request?.body ?? Buffer.alloc(0)));
    expect(message).toEqual({
      title: "Your strength plan changed",
      body: `${MOVED} (and 1 more)`,
      url: "https://runstrong.example/plan",
      changes: [MOVED, SKIPPED],
    });
    expect((await messageLog(env.pool.db, athlete.id)).find((r) => r.channel === "webpush")).toMatchObject({
      status: "sent",
    });
  });

  it("to an endpoint that answers 410 removes the subscription at once", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const browser = browserKeys();
    await saveSubscription(env.pool.db, athlete.id, {
      endpoint: `${service.origin}/push/gone`,
      p256dh: browser.p256dh,
      auth: browser.auth,
    });
    await storeVersion(env.pool.db, athlete.id, [session(newKey(), "2026-12-03T17:00:00Z")], [MOVED]);
    service.status = 410;
    try {
      await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    } finally {
      service.status = 201;
    }
    expect(service.requests.filter((r) => r.path === "/push/gone")).toHaveLength(1);
    expect(await subscriptionsOf(env.pool.db, athlete.id)).toEqual([]);
    expect((await messageLog(env.pool.db, athlete.id)).find((r) => r.channel === "webpush")).toMatchObject({
      status: "skipped",
      error: "no push subscriptions left",
    });
  });

  it("retries other failures and, after repeated failure, drops the subscription and tells the athlete by email", async () => {
    const athlete = await seedAthlete(env.pool.db);
    await confirmedAddress(env.pool.db, athlete.id, "pushy@example.org");
    const browser = browserKeys();
    await saveSubscription(env.pool.db, athlete.id, {
      endpoint: `${service.origin}/push/flaky`,
      p256dh: browser.p256dh,
      auth: browser.auth,
    });
    await storeVersion(env.pool.db, athlete.id, [session(newKey(), "2026-12-03T17:00:00Z")], [MOVED]);
    service.status = 500;
    try {
      for (let attempt = 1; attempt < MAX_PUSH_FAILURES; attempt++) {
        await expect(
          runJob(deps, env, "notify-plan-change", { athleteId: athlete.id }),
        ).rejects.toBeInstanceOf(NotifyRetryError);
        expect((await subscriptionsOf(env.pool.db, athlete.id))[0]?.failureCount).toBe(attempt);
      }
      await runJob(deps, env, "notify-plan-change", { athleteId: athlete.id });
    } finally {
      service.status = 201;
    }
    expect(service.requests.filter((r) => r.path === "/push/flaky")).toHaveLength(MAX_PUSH_FAILURES);
    expect(await subscriptionsOf(env.pool.db, athlete.id)).toEqual([]);
    // The plan mail went out once, on the first run, whatever push did.
    const planMails = sink.received.filter((m) => m.to.includes("pushy@example.org"));
    expect(planMails).toHaveLength(1);

    const [notice] = (await notifyJobs(env, athlete.id)).filter((j) => j.name === "send-email-notice");
    expect(notice?.data).toEqual({
      athleteId: athlete.id,
      kind: "push-dropped",
      endpointHost: expect.any(String),
    });
    await runJob(deps, env, "send-email-notice", notice?.data);
    const mails = sink.received.filter((m) => m.to.includes("pushy@example.org"));
    expect(mails.at(-1)?.mail.subject).toBe(
      "runstrong stopped sending push messages to one of your browsers",
    );
  });
});
