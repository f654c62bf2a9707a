// The athlete's pages over HTTP, without a browser: `/` and its redirect, the
// plan page with its <time> elements, its forms calling the plan's verbs (a
// refusal shown on the page in words), CSRF (token and Origin) on every form,
// the pages' security headers, and errors a person can read while the API keeps
// answering JSON.
import { describe, expect, it } from "vitest";
import { latestPlan, type StoredSession } from "../../src/db/repos/plans.ts";
import { isoWithOffset } from "../../src/domain/time.ts";
import { createApp } from "../../src/server/app.ts";
import { CSRF_FIELD, csrfTokenFor } from "../../src/server/middleware/csrf.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import { replanAthlete } from "../../src/workers/replan/replan-athlete.ts";
import { seedActivity, seedAthlete } from "../support/builders.ts";
import { jobContext, useTestEnv, workerDeps } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example.org";
const env = await useTestEnv({ REPLAN_DEBOUNCE_MS: "0", PUBLIC_URL });
let now = new Date("2026-12-07T04:00:00Z");
const deps = workerDeps(env, () => now);
const app = createApp({ ...deps, metrics: env.metrics, readiness: [] });
app.get("/boom", () => {
  throw new Error("a bug");
});

const HTML = { accept: "text/html,application/xhtml+xml" };

function signedIn(athleteId: number) {
  const token = sessionToken(athleteId, env.config, now.getTime());
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfTokenFor(token, env.config) };
}

function postForm(path: string, cookie: string, fields: Record<string, string>, origin = PUBLIC_URL) {
  return app.request(path, {
    method: "POST",
    headers: { ...HTML, cookie, origin, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(fields).toString(),
  });
}

/** An athlete with a stored plan, the clock on the day of its first session. */
async function planned() {
  const athlete = await seedAthlete(env.pool.db);
  now = new Date("2026-12-07T04:00:00Z");
  await replanAthlete(
    { athleteId: athlete.id, cause: { type: "connect", provider: "strava" } },
    deps,
    jobContext(env),
  );
  const plan = await latestPlan(env.pool.db, athlete.id);
  const first = plan?.sessions[0];
  const second = plan?.sessions[1];
  if (!first || !second) throw new Error("no sessions planned");
  now = new Date(first.startAt.getTime() + 3_600_000);
  return { athlete, first, second, ...signedIn(athlete.id) };
}

describe("/ and the plan page", () => {
  it("/ says what runstrong does with both ways to connect; signed in, it goes to /plan", async () => {
    const res = await app.request("/", { headers: HTML });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toMatch(/<a class="strava" href="\/auth\/strava">Connect with Strava<\/a>/);
    expect(page).toMatch(/href="\/auth\/garmin">Connect Garmin</);
    const athlete = await seedAthlete(env.pool.db);
    const again = await app.request("/", { headers: { ...HTML, cookie: signedIn(athlete.id).cookie } });
    expect(again.status).toBe(303);
    expect(again.headers.get("location")).toBe("/plan");
  });

  it("/plan shows the days, each session with exercises and reasons in <time> elements, and forms carrying the token", async () => {
    const { first, cookie, csrf } = await planned();
    const res = await app.request("/plan", { headers: { ...HTML, cookie } });
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain("This week");
    expect(page).toContain("Next week");
    expect(page).toContain(`<time datetime="${first.startAt.toISOString().slice(0, 10)}`.slice(0, 20));
    expect(page).toMatch(/<time datetime="\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}">/);
    expect(page).toContain(`action="/plan/sessions/${first.sessionKey}/done"`);
    expect(page).toContain(`action="/plan/sessions/${first.sessionKey}/move"`);
    expect(page).toContain(`name="${CSRF_FIELD}" value="${csrf}"`);
    expect(page).toContain("Why it sits here");
    expect(page).toContain("Recent changes");
  });

  it("Done marks the session through markSession and shows its sentence; a refused move shows the rule in words", async () => {
    const { athlete, first, second, cookie, csrf } = await planned();
    const done = await postForm(`/plan/sessions/${first.sessionKey}/done`, cookie, { [CSRF_FIELD]: csrf });
    expect(done.status).toBe(303);
    const after = await latestPlan(env.pool.db, athlete.id);
    expect(after?.sessions.find((s) => s.sessionKey === first.sessionKey)?.status).toBe("done");
    const shown = await app.request(done.headers.get("location") ?? "", { headers: { ...HTML, cookie } });
    expect(await shown.text()).toMatch(/Saved\. Strength . on .* done: you marked it so/);

    // The second session onto the first one's day: the planner's own rule refuses it.
    const target = `${first.startAt.toISOString().slice(0, 10)}T20:00`;
    const moved = await postForm(`/plan/sessions/${second.sessionKey}/move`, cookie, {
      [CSRF_FIELD]: csrf,
      start: target,
    });
    expect(moved.status).toBeGreaterThanOrEqual(409);
    expect(await moved.text()).toMatch(/role="alert">Not changed: .+/);
    const still = await latestPlan(env.pool.db, athlete.id);
    expect(still?.sessions.find((s) => s.sessionKey === second.sessionKey)?.startAt).toEqual(second.startAt);
  });

  it("Move takes the form's local date and time in the athlete's zone and moves the session there", async () => {
    const { athlete, second, cookie, csrf } = await planned();
    const tz = athlete.timezone;
    // The nearest slot the rules allow, as the athlete would try: a refusal changes nothing.
    let moved: StoredSession | undefined;
    for (const hours of [-1, 1, -2, 2, 24, -24, 48]) {
      const start = second.startAt.getTime() + hours * 3_600_000;
      const res = await postForm(`/plan/sessions/${second.sessionKey}/move`, cookie, {
        [CSRF_FIELD]: csrf,
        start: isoWithOffset(start, tz).slice(0, 16),
      });
      if (res.status === 303) {
        expect(res.headers.get("location")).toMatch(/^\/plan\?updated=\d+$/);
        moved = (await latestPlan(env.pool.db, athlete.id))?.sessions.find(
          (s) => s.sessionKey === second.sessionKey,
        );
        expect(moved?.startAt.getTime()).toBe(start);
        break;
      }
      expect(await res.text()).toContain("Not changed:");
    }
    expect(moved?.pinned).toBe(true);
    const bad = await postForm(`/plan/sessions/${second.sessionKey}/move`, cookie, {
      [CSRF_FIELD]: csrf,
      start: "Thursday evening",
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain("give a date and a time");
  });

  it("a run is marked easy or quality from the page", async () => {
    const { athlete, first, cookie, csrf } = await planned();
    const run = await seedActivity(env.pool.db, athlete.id, {
      start: new Date(first.startAt.getTime() - 2 * 3_600_000).toISOString(),
      minutes: 40,
      name: "Lunch run",
      kind: "easy",
    });
    const page = await (await app.request("/plan", { headers: { ...HTML, cookie } })).text();
    expect(page).toContain(`action="/plan/runs/${run.id}/kind"`);
    const res = await postForm(`/plan/runs/${run.id}/kind`, cookie, { [CSRF_FIELD]: csrf, kind: "quality" });
    expect(res.status).toBe(303);
    const again = await (await app.request("/plan", { headers: { ...HTML, cookie } })).text();
    expect(again).toContain("you marked it quality");
  });
});

describe("forms refuse what another site sends", () => {
  it("refuses a form post without the token, with a wrong token, or from another origin, with a 403 page", async () => {
    const { athlete, first, cookie, csrf } = await planned();
    const path = `/plan/sessions/${first.sessionKey}/skip`;
    for (const res of [
      await postForm(path, cookie, {}),
      await postForm(path, cookie, { [CSRF_FIELD]: csrfTokenFor("another-session", env.config) }),
      await postForm(path, cookie, { [CSRF_FIELD]: csrf }, "http://127.0.0.1:9"),
    ]) {
      expect(res.status).toBe(403);
      expect(res.headers.get("content-type")).toMatch(/text\/html/);
      expect(await res.text()).toContain("Nothing was changed");
    }
    const plan = await latestPlan(env.pool.db, athlete.id);
    expect(plan?.sessions.find((s) => s.sessionKey === first.sessionKey)?.status).toBe("planned");
  });

  it("keeps the JSON API JSON-only: a form body to /api is still refused", async () => {
    const { first, cookie, csrf } = await planned();
    const res = await postForm(`/api/sessions/${first.sessionKey}/done`, cookie, { [CSRF_FIELD]: csrf });
    expect(res.status).toBe(415);
  });

  it("signs out with the form (token checked), not without it", async () => {
    const { cookie, csrf } = await planned();
    expect((await postForm("/sign-out", cookie, {})).status).toBe(403);
    const res = await postForm("/sign-out", cookie, { [CSRF_FIELD]: csrf });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?notice=signed-out");
    expect(res.headers.getSetCookie().join(";")).toMatch(new RegExp(`${SESSION_COOKIE}=;`));
  });
});

describe("headers and errors a person can read", () => {
  it("pages carry a CSP without inline script, refuse framing, send no referrer to other sites; everything is nosniff", async () => {
    const res = await app.request("/", { headers: HTML });
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain("unsafe-inline");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    const api = await app.request("/api/plan");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("an expired session goes to / with a message", async () => {
    const athlete = await seedAthlete(env.pool.db);
    const old = sessionToken(athlete.id, env.config, now.getTime() - 31 * 86_400_000);
    const res = await app.request("/plan", { headers: { ...HTML, cookie: `${SESSION_COOKIE}=${old}` } });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/?notice=expired");
    const home = await (await app.request("/?notice=expired", { headers: HTML })).text();
    expect(home).toContain("Your session has ended");
    const none = await app.request("/plan", { headers: HTML });
    expect(none.headers.get("location")).toBe("/");
  });

  it("answers a browser a 404 page and a 500 page with the request id; the API stays JSON", async () => {
    const missing = await app.request("/nowhere", { headers: HTML });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain("Page not found");
    const apiMissing = await app.request("/api/nowhere", { headers: HTML });
    expect(apiMissing.headers.get("content-type")).toMatch(/application\/json/);

    const boom = await app.request("/boom", { headers: { ...HTML, "x-request-id": "req-abc-123" } });
    expect(boom.status).toBe(500);
    const page = await boom.text();
    expect(page).toContain("Something went wrong");
    expect(page).toContain("req-abc-123");
    // A coded refusal reads as a page too: Strava unconfigured here (503).
    const refused = await app.request("/auth/strava", { headers: HTML });
    expect(refused.status).toBe(503);
    expect(await refused.text()).toContain("STRAVA_CLIENT_ID");
    const json = await app.request("/boom", { headers: { "x-request-id": "req-abc-124" } });
    expect(((await json.json()) as { error: { requestId: string } }).error.requestId).toBe("req-abc-124");
  });
});
