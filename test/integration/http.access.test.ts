// Who may call what, for every route the app serves: the list comes from the app's
// own route table (Hono's app.routes), so a route added without an entry here fails
// the first test. Athlete-owned routes are called as athlete A with athlete B's ids
// and keys; none may read or change what is B's (every row of every table with an
// athlete_id is compared before and after). Webhooks need their secret, the admin
// dashboard its token, the metrics their token.
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { saveSubscription, setEmail } from "../../src/db/repos/notifications.ts";
import { linkIntervals } from "../../src/db/repos/workout-pushes.ts";
import { strengthLogs } from "../../src/db/schema/index.ts";
import { csrfTokenFor } from "../../src/server/middleware/csrf.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { GARMIN_TEST_ENV } from "../support/garmin-fake.ts";
import { session, storeVersion } from "../support/notify-fixtures.ts";
import { STRAVA_TEST_ENV } from "../support/strava-fake.ts";
import { testApp, useTestEnv } from "../support/test-env.ts";

const ADMIN_TOKEN = "admin-token-for-the-access-test-0123456789";
const METRICS_TOKEN = "metrics-token-for-the-access-test-0123456789";
const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  ...GARMIN_TEST_ENV,
  ADMIN_TOKEN,
  METRICS_TOKEN,
  OUTBOUND_ALLOW_PRIVATE: "true",
  PUBLIC_URL: "http://localhost:3000",
});
const now = new Date("2026-12-07T04:00:00Z");
const app = testApp(env, () => now);

type Access =
  /** anyone; what it answers is no athlete's data, or it is reached by an unguessable token */
  | "public"
  /** a provider's webhook: the secret in the path */
  | "webhook"
  /** the queue dashboard: ADMIN_TOKEN */
  | "admin"
  /** the JSON API of the signed-in athlete */
  | "athlete"
  /** the signed-in athlete's pages and their forms (CSRF-checked) */
  | "page"
  /** app.use middleware: no route of its own */
  | "middleware";

/** Every route, as `${method} ${path}` from app.routes; the dashboard's are matched by prefix below. */
const ROUTES: Record<string, Access> = {
  "ALL /*": "middleware",
  "ALL /webhooks/garmin/*": "middleware",
  "GET /healthz": "public",
  "GET /readyz": "public",
  "GET /metrics": "public",
  "GET /auth/strava": "public",
  "GET /auth/strava/callback": "public",
  "GET /auth/strava/connected": "public",
  "GET /auth/garmin": "public",
  "GET /auth/garmin/callback": "public",
  "GET /auth/garmin/connected": "public",
  "POST /auth/logout": "public",
  "GET /calendar/:file": "public",
  "GET /email/confirm": "public",
  "GET /email/unsubscribe": "public",
  "POST /email/unsubscribe": "public",
  "GET /api/push/vapid-public-key": "public",
  "GET /": "public",
  "GET /assets/app.css": "public",
  "GET /webhooks/strava/:secret": "webhook",
  "POST /webhooks/strava/:secret": "webhook",
  "POST /webhooks/garmin/:secret/:kind": "webhook",
  "GET /api/plan": "athlete",
  "GET /api/plan/history": "athlete",
  "GET /api/settings": "athlete",
  "PATCH /api/settings": "athlete",
  "POST /api/calendar/rotate": "athlete",
  "GET /api/activities": "athlete",
  "PUT /api/activities/:id/kind": "athlete",
  "POST /api/sessions/:key/done": "athlete",
  "POST /api/sessions/:key/skipped": "athlete",
  "POST /api/sessions/:key/move": "athlete",
  "POST /api/sessions/:key/log": "athlete",
  "GET /api/sessions/:file": "athlete",
  "GET /api/strength-log": "athlete",
  "GET /api/destinations": "athlete",
  "GET /api/push-subscriptions": "athlete",
  "POST /api/push-subscriptions": "athlete",
  "DELETE /api/push-subscriptions": "athlete",
  "POST /api/connections/garmin/disconnect": "athlete",
  "GET /plan": "page",
  "POST /plan/sessions/:key/done": "page",
  "POST /plan/sessions/:key/skip": "page",
  "POST /plan/sessions/:key/move": "page",
  "POST /plan/sessions/:key/log": "page",
  "POST /plan/runs/:id/kind": "page",
  "POST /sign-out": "page",
  // /settings (its page and forms)
  "GET /settings": "page",
  "POST /settings/plan": "page",
  "POST /settings/availability": "page",
  "POST /settings/runs": "page",
  "POST /settings/strength": "page",
  "POST /settings/calendars": "page",
  "POST /settings/intervals": "page",
  // /notifications (its page, forms and scripts)
  "GET /notifications": "page",
  "POST /notifications/email": "page",
  "POST /notifications/email/resend": "page",
  "POST /notifications/channels": "page",
  "POST /notifications/quiet-hours": "page",
  "POST /notifications/calendar/rotate": "page",
  "GET /assets/notifications.js": "public",
  "GET /sw.js": "public",
  // /account (its page, forms, export and delete)
  "GET /account": "page",
  "GET /account/export": "page",
  "GET /account/strava/disconnect": "page",
  "POST /account/strava/disconnect": "page",
  "GET /account/garmin/disconnect": "page",
  "POST /account/garmin/disconnect": "page",
  "GET /account/intervals/disconnect": "page",
  "POST /account/intervals/disconnect": "page",
  "GET /account/delete": "page",
  "POST /account/delete": "page",
};
const ADMIN_PREFIX = "/admin/queues";

function accessOf(method: string, path: string): Access | undefined {
  if (path === ADMIN_PREFIX || path.startsWith(`${ADMIN_PREFIX}/`)) return "admin";
  return ROUTES[`${method} ${path}`];
}

const routes = [...new Map(app.routes.map((r) => [`${r.method} ${r.path}`, r])).values()];

// Athlete B, with something in every table an athlete owns; A, with a plan of their own.
const a = await seedAthlete(env.pool.db);
const b = await seedAthlete(env.pool.db);
const bEmail = "athlete-b@example.org";
await setEmail(env.pool.db, b.id, bEmail);
const aKey = randomUUID();
const bKey = randomUUID();
await storeVersion(env.pool.db, a.id, [session(aKey, "2026-12-08T17:00:00Z")], ["A's plan"]);
await storeVersion(env.pool.db, b.id, [session(bKey, "2026-12-08T17:00:00Z")], ["B's plan"]);
const bRun = await seedActivity(env.pool.db, b.id, {
  start: "2026-12-06T08:00:00Z",
  minutes: 50,
  name: "B's secret long run",
  kind: "easy",
});
const bEndpoint = `https://push.example.net/b-${randomUUID()}`;
await saveSubscription(env.pool.db, b.id, { endpoint: bEndpoint, p256dh: "b-p256dh-key", auth: "b-auth" });
await linkIntervals(env.pool.db, env.config.secrets.tokenEncryptionKey, b.id, {
  athleteId: "i424242",
  apiKey: "b-intervals-api-key-0123456789",
});
await env.pool.db.insert(strengthLogs).values({
  athleteId: b.id,
  sessionKey: bKey,
  date: "2026-12-08",
  session: "A",
  source: "api",
  exercises: [{ name: "B's zercher squat", sets: [{ reps: 5, weightKg: 97.5 }] }],
});
/** What no answer to A may contain, but for what A's request itself carried (a refusal may quote the key asked for). */
const B_MARKS = [bKey, bRun.name, bRun.externalId, bEndpoint, bEmail, b.calendarToken, "i424242", "zercher"];
const marksNotIn = (...sent: unknown[]) =>
  B_MARKS.filter((m) => !sent.some((x) => JSON.stringify(x ?? "").includes(m)));

/** Every row of every table with an athlete_id that is B's, and B's athlete row. */
async function rowsOfB(): Promise<string> {
  const sql = env.pool.sql;
  const tables = await sql<{ table_name: string }[]>`
    select table_name from information_schema.columns
    where table_schema = 'public' and column_name = 'athlete_id' order by table_name`;
  const out: Record<string, unknown> = {
    athletes: await sql`select * from athletes where id = ${b.id}`,
  };
  for (const { table_name } of tables)
    out[table_name] = await sql`select * from ${sql(table_name)} where athlete_id = ${b.id} order by 1`;
  return JSON.stringify(out);
}

const cookieA = `${SESSION_COOKIE}=${sessionToken(a.id, env.config, now.getTime())}`;
const csrfA = csrfTokenFor(sessionToken(a.id, env.config, now.getTime()), env.config);

/** The route's path with B's ids in it (and placeholders for the rest). */
function withBsIds(path: string): string {
  return path
    .replace(":key", bKey)
    .replace(":id", String(bRun.id))
    .replace(":file", `${bKey}.fit`)
    .replace(":queueName", "replan")
    .replace(":jobId", "1")
    .replace(":schedulerId", "x")
    .replace(":queueStatus", "failed")
    .replace("*", "index.js");
}

/** The body each athlete-owned route would take, aimed at B where it names something. */
const BODIES: Record<string, unknown> = {
  "PATCH /api/settings": { sessionsPerWeek: 3 },
  "PUT /api/activities/:id/kind": { kind: "quality" },
  "POST /api/sessions/:key/move": { start: "2026-12-09T18:00:00+01:00" },
  "POST /api/sessions/:key/log": { exercises: [{ name: "Back squat", sets: [{ reps: 5, weightKg: 80 }] }] },
  "POST /api/push-subscriptions": {
    endpoint: `https://127.0.0.1:9/a-${randomUUID()}`,
    keys: {
      p256dh: "BNcRdreALRFXTkOOUHK1EtK2wtaz5Ry4YfYCA_0QTpQtUbVlUls0VJXg7A8u-Ts1XbjhazAkj7I99e8QcYP7DkM",
      auth: "tBHItJI5svbpez7KI4CCXg",
    },
  },
  "DELETE /api/push-subscriptions": { endpoint: bEndpoint },
};
const PAGE_FORMS: Record<string, Record<string, string>> = {
  "POST /plan/sessions/:key/move": { start: "2026-12-09T18:30" },
  "POST /plan/sessions/:key/log": {
    "ex-0-name": "Back squat",
    "ex-0-set-0-reps": "5",
    "ex-0-set-0-load": "80",
  },
  "POST /plan/runs/:id/kind": { kind: "quality" },
};

function request(
  method: string,
  path: string,
  init: { cookie?: string; body?: unknown; form?: Record<string, string>; headers?: Record<string, string> },
) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.cookie) headers.cookie = init.cookie;
  let body: string | undefined;
  if (init.form) {
    headers["content-type"] = "application/x-www-form-urlencoded";
    headers.origin = env.config.http.publicUrl;
    body = new URLSearchParams(init.form).toString();
  } else if (init.body !== undefined) {
    headers["content-type"] = "application/json";
    body = JSON.stringify(init.body);
  }
  return app.request(path, { method: method === "ALL" ? "GET" : method, headers, body });
}

describe("the route table", () => {
  it("has an access entry for every route the app serves", () => {
    const missing = routes.filter((r) => !accessOf(r.method, r.path)).map((r) => `${r.method} ${r.path}`);
    expect(missing).toEqual([]);
    expect(routes.length).toBeGreaterThan(40);
  });
});

describe("athlete-owned routes", () => {
  const owned = routes.filter((r) => accessOf(r.method, r.path) === "athlete");

  it("answer 401 without a session", async () => {
    for (const r of owned) {
      const res = await request(r.method, withBsIds(r.path), { body: BODIES[`${r.method} ${r.path}`] });
      expect(res.status, `${r.method} ${r.path}`).toBe(401);
    }
  });

  it("never read or change B's plan, settings, activities, sessions, logs, feed, subscriptions or destinations when A calls them with B's ids", async () => {
    const before = await rowsOfB();
    for (const r of owned) {
      const name = `${r.method} ${r.path}`;
      const path = withBsIds(r.path);
      const res = await request(r.method, path, { cookie: cookieA, body: BODIES[name] });
      const text = await res.text();
      if (r.path.includes(":")) expect([401, 403, 404], `${name}: ${text}`).toContain(res.status);
      else {
        // A's own resource: served (Garmin disconnect answers 404, A has no Garmin), never a 5xx.
        expect(res.status, `${name}: ${text}`).toBeLessThan(500);
        expect(res.status, `${name}: ${text}`).not.toBe(401);
      }
      for (const mark of marksNotIn(path, BODIES[name]))
        expect(text, `${name} answered B's ${mark}`).not.toContain(mark);
    }
    expect(await rowsOfB()).toBe(before);
  });
});

describe("pages", () => {
  it("refuse without a session and, as A with B's ids and a valid CSRF token, change nothing of B's", async () => {
    const pages = routes.filter((r) => accessOf(r.method, r.path) === "page");
    const before = await rowsOfB();
    for (const r of pages) {
      const name = `${r.method} ${r.path}`;
      const path = withBsIds(r.path);
      const anonymous = await request(r.method, path, r.method === "POST" ? { form: { _csrf: "x" } } : {});
      expect(anonymous.status, name).not.toBe(200);
      const res = await request(r.method, path, {
        cookie: cookieA,
        ...(r.method === "POST" ? { form: { _csrf: csrfA, ...PAGE_FORMS[name] } } : {}),
      });
      const text = await res.text();
      expect(res.status, `${name}: ${text.slice(0, 200)}`).toBeLessThan(500);
      for (const mark of marksNotIn(path)) expect(text, `${name} showed B's ${mark}`).not.toContain(mark);
    }
    expect(await rowsOfB()).toBe(before);
  });
});

describe("public routes", () => {
  it("show no athlete's data to a caller without a session, and a guessed calendar or mail token finds nothing", async () => {
    const before = await rowsOfB();
    for (const r of routes.filter((x) => accessOf(x.method, x.path) === "public")) {
      const path = r.path.replace(":file", `${"0".repeat(43)}.ics`);
      const res = await request(
        r.method,
        `${path}${path.startsWith("/email/") ? "?token=forged.token" : ""}`,
        {
          form: r.method === "POST" && path.startsWith("/email/") ? { token: "forged.token" } : undefined,
        },
      );
      const text = await res.text();
      expect(res.status, `${r.method} ${r.path}`).toBeLessThan(500);
      for (const mark of B_MARKS)
        expect(text, `${r.method} ${r.path} showed B's ${mark}`).not.toContain(mark);
    }
    expect((await app.request(`/calendar/${"0".repeat(43)}.ics`)).status).toBe(404);
    expect((await app.request(`/calendar/${b.calendarToken}.ics`)).status).toBe(200);
    expect((await app.request("/metrics")).status).toBe(401);
    expect(await rowsOfB()).toBe(before);
  });
});

describe("webhooks", () => {
  it("answer 404, as for no route, without their secret", async () => {
    for (const r of routes.filter((x) => accessOf(x.method, x.path) === "webhook")) {
      const path = r.path
        .replace(":secret", "not-the-secret-0123456789abcdef")
        .replace(":kind", "activities");
      const res = await request(r.method, path, r.method === "POST" ? { body: {} } : {});
      expect(res.status, `${r.method} ${r.path}`).toBe(404);
    }
  });
});

describe("the admin dashboard", () => {
  const admin = routes.filter((r) => accessOf(r.method, r.path) === "admin");

  it("refuses every one of its routes without ADMIN_TOKEN, or with another token", async () => {
    expect(admin.length).toBeGreaterThan(10);
    for (const r of admin) {
      const path = withBsIds(r.path);
      const attempts: Record<string, string>[] = [
        {},
        { authorization: `Bearer ${"x".repeat(ADMIN_TOKEN.length)}` },
        { authorization: `Basic ${Buffer.from(`admin:${ADMIN_TOKEN}`).toString("base64")}` },
      ];
      for (const headers of attempts) {
        const res = await request(r.method, path, {
          headers,
          body: r.method === "GET" || r.method === "ALL" ? undefined : {},
        });
        expect(res.status, `${r.method} ${path}`).toBe(401);
      }
    }
  });

  it("opens with the token", async () => {
    const res = await app.request(`${ADMIN_PREFIX}/api/queues`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(200);
  });
});
