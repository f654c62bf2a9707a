// What another site can make a signed-in browser send: a form-encoded or
// text/plain body (no preflight), from a sibling origin that shares the
// SameSite=Lax cookie. Every state change refuses both; JSON from the service's
// own origin, or from a client that names no origin, still works.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { getAthlete } from "../../src/db/repos/athletes.ts";
import { latestPlan } from "../../src/db/repos/plans.ts";
import { activities } from "../../src/db/schema/index.ts";
import { isoWithOffset } from "../../src/domain/time.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, testApp, useTestEnv, workerDeps } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example";
const ADMIN_TOKEN = "a-long-admin-token-for-tests";
const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0", PUBLIC_URL, ADMIN_TOKEN });
// Monday 7 December 2026, 05:00 in Berlin.
const now = new Date("2026-12-07T04:00:00Z");
const app = testApp(env, () => now);
const TZ = "Europe/Berlin";

const FOREIGN_ORIGINS = [
  "https://evil.example",
  "https://app.runstrong.example", // a sibling: same site, so the Lax cookie travels
  "http://runstrong.example", // same host, other scheme
  "null", // a sandboxed frame or a redirect
];

interface Send {
  contentType?: string;
  origin?: string;
  body?: string;
}

async function send(athleteId: number, method: string, path: string, { contentType, origin, body }: Send) {
  const headers: Record<string, string> = {
    cookie: `${SESSION_COOKIE}=${sessionToken(athleteId, env.config, now.getTime())}`,
  };
  if (contentType !== undefined) headers["content-type"] = contentType;
  if (origin !== undefined) headers.origin = origin;
  const res = await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
  // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers by path
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/**
 * An athlete with a first plan, a run, and a legal move for their first session
 * after today, found on a twin athlete planned the same way (so that trying
 * slots changes nothing here).
 */
async function victim() {
  const seed = async () => {
    const athlete = await seedAthlete(env.pool.db);
    const run = await seedActivity(env.pool.db, athlete.id, {
      start: "2026-12-06T08:00:00Z",
      minutes: 50,
      name: "Sunday hills",
      kind: "easy",
    });
    await replanAthlete(
      { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
      workerDeps(env, () => now),
      jobContext(env, "test"),
    );
    const plan = await latestPlan(env.pool.db, athlete.id);
    const index = plan?.sessions.findIndex((s) => s.startAt.getTime() > now.getTime() + 86_400_000) ?? -1;
    const session = plan?.sessions[index];
    if (!plan || !session) throw new Error("expected a plan with a session after tomorrow");
    return { athlete, run, plan, index, session };
  };
  const twin = await seed();
  let offsetMs: number | null = null;
  for (const hours of [-1, 1, -2, 2, 24, -24, 48]) {
    const start = isoWithOffset(twin.session.startAt.getTime() + hours * 3_600_000, TZ);
    const moved = await send(twin.athlete.id, "POST", `/api/sessions/${twin.session.sessionKey}/move`, {
      contentType: "application/json",
      origin: PUBLIC_URL,
      body: JSON.stringify({ start }),
    });
    if (moved.status === 200) {
      offsetMs = hours * 3_600_000;
      break;
    }
  }
  if (offsetMs === null) throw new Error("found no legal move on the twin");
  const me = await seed();
  const moveTo = isoWithOffset(me.session.startAt.getTime() + offsetMs, TZ);
  return { ...me, moveTo };
}

/** Every state change an athlete's browser can be asked to make, with a body that would do it. */
function stateChanges(v: Awaited<ReturnType<typeof victim>>) {
  return [
    { method: "POST", path: `/api/sessions/${v.session.sessionKey}/move`, json: { start: v.moveTo } },
    { method: "POST", path: `/api/sessions/${v.session.sessionKey}/done`, json: {} },
    { method: "POST", path: `/api/sessions/${v.session.sessionKey}/skipped`, json: {} },
    { method: "PATCH", path: "/api/settings", json: { sessionsPerWeek: 3 } },
    { method: "POST", path: "/api/calendar/rotate", json: {} },
    { method: "PUT", path: `/api/activities/${v.run.id}/kind`, json: { kind: "quality" } },
  ];
}

/** Plan version, settings, calendar token and the run's mark: all that a refused request must leave alone. */
async function stateOf(v: Awaited<ReturnType<typeof victim>>) {
  const athlete = await getAthlete(env.pool.db, v.athlete.id);
  const [run] = await env.pool.db.select().from(activities).where(eq(activities.id, v.run.id));
  const plan = await latestPlan(env.pool.db, v.athlete.id);
  return {
    version: plan?.version,
    sessions: plan?.sessions.map((s) => [s.sessionKey, s.startAt.toISOString()]),
    settings: athlete?.settings,
    calendarToken: athlete?.calendarToken,
    kindOverride: run?.kindOverride,
  };
}

describe("bodies a page elsewhere can send without asking", () => {
  it("refuses text/plain and form-encoded bodies with 415 on every state change, and changes nothing", async () => {
    const v = await victim();
    const before = await stateOf(v);
    for (const change of stateChanges(v)) {
      const json = JSON.stringify(change.json);
      const form = new URLSearchParams(
        Object.entries(change.json).map(([k, value]): [string, string] => [k, String(value)]),
      ).toString();
      for (const [contentType, body] of [
        // A <form enctype="text/plain"> can spell a JSON document; so can fetch() in no-cors mode.
        ["text/plain", json],
        ["text/plain;charset=UTF-8", json],
        ["application/x-www-form-urlencoded", form],
        [
          "multipart/form-data; boundary=x",
          `--x\r\nContent-Disposition: form-data; name="a"\r\n\r\nb\r\n--x--`,
        ],
      ] as const) {
        const res = await send(v.athlete.id, change.method, change.path, {
          contentType,
          body,
          origin: PUBLIC_URL,
        });
        expect([change.path, contentType, res.status]).toEqual([change.path, contentType, 415]);
        expect(res.body.error.code).toBe("unsupported_media_type");
        expect(res.body.error.requestId).toEqual(expect.any(String));
      }
      // A form with no fields still names its encoding.
      const empty = await send(v.athlete.id, change.method, change.path, {
        contentType: "application/x-www-form-urlencoded",
        body: "",
      });
      expect(empty.status).toBe(415);
    }
    expect(await stateOf(v)).toEqual(before);
  });

  it("refuses JSON from another origin with 403, a sibling subdomain included, and changes nothing", async () => {
    const v = await victim();
    const before = await stateOf(v);
    for (const change of stateChanges(v))
      for (const origin of FOREIGN_ORIGINS) {
        const res = await send(v.athlete.id, change.method, change.path, {
          contentType: "application/json",
          origin,
          body: JSON.stringify(change.json),
        });
        expect([change.path, origin, res.status]).toEqual([change.path, origin, 403]);
        expect(res.body.error.code).toBe("forbidden");
      }
    expect(await stateOf(v)).toEqual(before);
  });

  it("accepts JSON from the service's own origin and from clients that send no Origin", async () => {
    const v = await victim();
    const [move, done, skipped, settings, rotate, kind] = stateChanges(v);
    if (!move || !done || !skipped || !settings || !rotate || !kind) throw new Error("expected six changes");

    const moved = await send(v.athlete.id, move.method, move.path, {
      contentType: "application/json; charset=utf-8",
      origin: PUBLIC_URL,
      body: JSON.stringify(move.json),
    });
    expect(moved.status).toBe(200);
    expect(moved.body.version).toBe(2);

    const patched = await send(v.athlete.id, settings.method, settings.path, {
      contentType: "application/json",
      body: JSON.stringify(settings.json),
    });
    expect(patched.status).toBe(200);
    expect(patched.body.sessionsPerWeek).toBe(3);

    const marked = await send(v.athlete.id, kind.method, kind.path, {
      contentType: "application/json",
      origin: PUBLIC_URL,
      body: JSON.stringify(kind.json),
    });
    expect(marked.status).toBe(200);

    // The bodiless actions need no content type at all (curl -X POST, fetch without a body).
    const rotated = await send(v.athlete.id, rotate.method, rotate.path, {});
    expect(rotated.status).toBe(200);
    const after = await stateOf(v);
    expect(rotated.body.calendarUrl).toBe(`${PUBLIC_URL}/calendar/${after.calendarToken}.ics`);
    const marks = await send(v.athlete.id, skipped.method, skipped.path, { origin: PUBLIC_URL });
    expect(marks.status).toBe(200);
    expect(marks.body.session.status).toBe("skipped");
    expect(after).toMatchObject({ settings: { sessionsPerWeek: 3 }, kindOverride: "quality" });
  });
});

describe("webhooks", () => {
  it("are exempt from the Origin check (server to server) but still refuse a body that is not JSON", async () => {
    const path = "/webhooks/strava/not-a-route";
    const json = await app.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://strava.example" },
      body: "{}",
    });
    expect(json.status).toBe(404);
    const text = await app.request(path, {
      method: "POST",
      headers: { "content-type": "text/plain" },
      body: "{}",
    });
    expect(text.status).toBe(415);
    // Outside /webhooks/ the same foreign origin is refused before any route is looked up.
    const elsewhere = await app.request("/not-a-route", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://strava.example" },
      body: "{}",
    });
    expect(elsewhere.status).toBe(403);
  });
});

describe("the queue dashboard's actions", () => {
  const bearer = `Bearer ${ADMIN_TOKEN}`;
  const addPath = "/admin/queues/api/queues/maintenance/add";
  const addBody = JSON.stringify({ name: "cross-site-test", data: {} });
  const added = async () =>
    (await env.queues.maintenance.getJobs(["waiting", "delayed", "prioritized"])).filter(
      (j) => j.name === "cross-site-test",
    ).length;

  it("cannot be ridden by a page elsewhere: Basic auth, text/plain and foreign origins add no job", async () => {
    const basic = `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}`;
    const refusals: Record<string, string>[] = [
      { authorization: basic, "content-type": "application/json", origin: PUBLIC_URL },
      { authorization: bearer, "content-type": "text/plain" },
      { authorization: bearer, "content-type": "application/x-www-form-urlencoded" },
      { authorization: bearer, "content-type": "application/json", origin: "https://evil.example" },
    ];
    const statuses: number[] = [];
    for (const headers of refusals)
      statuses.push((await app.request(addPath, { method: "POST", headers, body: addBody })).status);
    expect(statuses).toEqual([401, 415, 415, 403]);
    expect(await added()).toBe(0);

    const ok = await app.request(addPath, {
      method: "POST",
      headers: { authorization: bearer, "content-type": "application/json", origin: PUBLIC_URL },
      body: addBody,
    });
    expect(ok.status).toBe(200);
    expect(await added()).toBe(1);
    await env.queues.maintenance.clean(0, 100, "wait");
  });
});
