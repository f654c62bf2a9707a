// The athlete's pages over HTTP, without a browser: `/` and its redirect, the
// plan page with its <time> elements, its forms calling the plan's verbs (a
// refusal shown on the page in words), the "Done — record sets" form storing
// exactly what the strength-log API stores, CSRF (token and Origin) on every
// form, the pages' security headers, and errors a person can read while the API
// keeps answering JSON.
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { latestPlan, type StoredSession } from "../../src/db/repos/plans.ts";
import { strengthLogs } from "../../src/db/schema/index.ts";
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
async function planned(settings?: Record<string, unknown>) {
  const athlete = await seedAthlete(env.pool.db, settings ? { settings } : {});
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

/** The stored log rows of an athlete as the strength log keeps them, without ids and times. */
async function storedLogs(athleteId: number) {
  const rows = await env.pool.db.select().from(strengthLogs).where(eq(strengthLogs.athleteId, athleteId));
  return rows.map((r) => ({ date: r.date, session: r.session, source: r.source, exercises: r.exercises }));
}

const fromHtml = (s: string) =>
  s
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&amp;/g, "&");

/** The fields of a session's log form as /plan draws them, in page order. */
async function logFormOf(cookie: string, key: string): Promise<Map<string, string>> {
  const page = await (await app.request("/plan", { headers: { ...HTML, cookie } })).text();
  const start = page.indexOf(`action="/plan/sessions/${key}/log"`);
  expect(start, "the session has a log form").toBeGreaterThan(-1);
  const form = page.slice(start, page.indexOf("</form>", start));
  const fields = new Map<string, string>();
  for (const m of form.matchAll(/<input [^>]*name="([^"]+)"[^>]*value="([^"]*)"/g))
    if (m[1]?.startsWith("ex-")) fields.set(m[1], fromHtml(m[2] ?? ""));
  return fields;
}

/** Form fields as the API's body: what POST /api/sessions/:key/log takes for the same sets. */
function apiBodyOf(fields: Map<string, string>, units: "kg" | "lb") {
  const exercises: { name: string; sets: Record<string, number>[] }[] = [];
  for (const [name, value] of fields) {
    const m = /^ex-(\d+)-(?:name|set-(\d+)-(reps|load))$/.exec(name);
    if (!m) continue;
    const i = Number(m[1]);
    exercises[i] ??= { name: "", sets: [] };
    const e = exercises[i];
    if (m[2] === undefined) e.name = value;
    else {
      const set = e.sets[Number(m[2])] ?? {};
      e.sets[Number(m[2])] = set;
      set[m[3] === "reps" ? "reps" : units === "lb" ? "weightLb" : "weightKg"] = Number(value);
    }
  }
  return { exercises };
}

describe("Done with the sets", () => {
  for (const units of ["kg", "lb"] as const) {
    it(`stores exactly what POST /api/sessions/:key/log stores for the same sets (${units})`, async () => {
      const viaForm = await planned({ units });
      const fields = await logFormOf(viaForm.cookie, viaForm.first.sessionKey);
      // Prefilled with the plan: every planned set, with reps and a load (0 with none prescribed).
      const planned0 = viaForm.first.exercises[0];
      expect(fields.get("ex-0-name")).toBe(planned0?.name);
      expect([...fields.keys()].filter((k) => /^ex-0-set-\d+-reps$/.test(k))).toHaveLength(
        planned0?.sets ?? -1,
      );
      expect(fields.get("ex-0-set-0-reps")).toMatch(/^\d+$/);
      // The athlete did fewer reps at a heavier load in the first exercise's second set.
      const load = units === "lb" ? "185" : "82.5";
      fields.set("ex-0-set-1-reps", "4");
      fields.set("ex-0-set-1-load", load);
      const res = await postForm(`/plan/sessions/${viaForm.first.sessionKey}/log`, viaForm.cookie, {
        [CSRF_FIELD]: viaForm.csrf,
        ...Object.fromEntries(fields),
      });
      expect(res.status).toBe(303);
      expect(res.headers.get("location")).toMatch(/^\/plan\?updated=\d+$/);
      const shown = await (
        await app.request(res.headers.get("location") ?? "", { headers: { ...HTML, cookie: viaForm.cookie } })
      ).text();
      expect(shown).toMatch(/role="status">Saved\. Strength . on .* done: you logged its sets/);
      expect(shown).toContain("What you lifted");
      expect(shown).toContain(`4 × ${load} ${units}`);
      expect(
        (await latestPlan(env.pool.db, viaForm.athlete.id))?.sessions.find(
          (s) => s.sessionKey === viaForm.first.sessionKey,
        )?.status,
      ).toBe("done");

      const viaApi = await planned({ units });
      const api = await app.request(`/api/sessions/${viaApi.first.sessionKey}/log`, {
        method: "POST",
        headers: { cookie: viaApi.cookie, origin: PUBLIC_URL, "content-type": "application/json" },
        body: JSON.stringify(apiBodyOf(fields, units)),
      });
      expect(api.status, await api.clone().text()).toBe(200);
      const formRows = await storedLogs(viaForm.athlete.id);
      expect(formRows).toHaveLength(1);
      expect(formRows[0]?.exercises[0]?.sets[1]?.reps).toBe(4);
      expect(formRows).toEqual(await storedLogs(viaApi.athlete.id));
    });
  }

  it("with no change records the plan as done; logging it again replaces the sets and says so", async () => {
    const { athlete, first, cookie, csrf } = await planned();
    const fields = await logFormOf(cookie, first.sessionKey);
    const res = await postForm(`/plan/sessions/${first.sessionKey}/log`, cookie, {
      [CSRF_FIELD]: csrf,
      ...Object.fromEntries(fields),
    });
    expect(res.status).toBe(303);
    const [row] = await storedLogs(athlete.id);
    expect(row?.exercises.map((e) => [e.name, e.sets.length])).toEqual(
      first.exercises.map((e) => [e.name, e.sets]),
    );
    expect(row?.exercises[0]?.sets[0]?.reps).toBe(Number(/\d+/.exec(first.exercises[0]?.reps ?? "")?.[0]));

    // Done already: the form is there to change the sets, prefilled with what was logged.
    const again = await logFormOf(cookie, first.sessionKey);
    expect(again).toEqual(fields);
    again.set("ex-0-set-0-reps", "3");
    const changed = await postForm(`/plan/sessions/${first.sessionKey}/log`, cookie, {
      [CSRF_FIELD]: csrf,
      ...Object.fromEntries(again),
    });
    expect(changed.status).toBe(303);
    expect(changed.headers.get("location")).toBe("/plan?notice=logged");
    const page = await (await app.request("/plan?notice=logged", { headers: { ...HTML, cookie } })).text();
    expect(page).toContain("Your sets are stored");
    expect((await storedLogs(athlete.id))[0]?.exercises[0]?.sets[0]?.reps).toBe(3);
  });

  it("refuses bad reps, a negative load and control characters with the API's 400, the words next to the field, nothing stored", async () => {
    const { athlete, first, cookie, csrf } = await planned();
    const fields = await logFormOf(cookie, first.sessionKey);
    // The API's status for the same refused sets: the form answers with it.
    const api = await app.request(`/api/sessions/${first.sessionKey}/log`, {
      method: "POST",
      headers: { cookie, origin: PUBLIC_URL, "content-type": "application/json" },
      body: JSON.stringify(apiBodyOf(new Map([...fields, ["ex-0-set-0-reps", "8.5"]]), "kg")),
    });
    expect(api.status, await api.clone().text()).toBe(400);
    for (const [field, value, words] of [
      ["ex-0-set-0-reps", "8.5", "expected int"],
      ["ex-0-set-0-reps", "-1", "Too small: expected number to be &gt;=0"],
      ["ex-0-set-0-reps", "eight", "give the reps as a whole number"],
      ["ex-0-set-0-reps", "8\u0000", "give the reps as a whole number"],
      ["ex-0-set-1-load", "-5", "Too small: expected number to be &gt;=0"],
      ["ex-0-name", "Back squat\u0000", "must not contain control characters"],
    ] as const) {
      const res = await postForm(`/plan/sessions/${first.sessionKey}/log`, cookie, {
        [CSRF_FIELD]: csrf,
        ...Object.fromEntries(fields),
        [field]: value,
      });
      expect(res.status, `${field}=${value}`).toBe(api.status);
      const page = await res.text();
      expect(page).toMatch(/role="alert">Not changed: .+/);
      expect(page).not.toContain("\u0000");
      // The form is shown open, with the refusal tied to the field (or the exercise) it is about.
      expect(page).toMatch(/<details class="log" open/);
      const m = /^ex-(\d+)-(?:name|set-(\d+)-(reps|load))$/.exec(field);
      const id =
        m?.[2] === undefined
          ? `s-${first.sessionKey}-e${m?.[1]}-error`
          : `s-${first.sessionKey}-e${m[1]}-s${m[2]}-${m[3]}-error`;
      expect(page).toMatch(new RegExp(`<p class="field-error" id="${id}">[^<]*${words}`));
      expect(page).toContain(`aria-describedby="${id}"`);
      if (m?.[2] !== undefined)
        expect(page).toMatch(new RegExp(`aria-invalid="true" aria-describedby="${id}"`));
    }
    expect(await storedLogs(athlete.id)).toEqual([]);
    expect(
      (await latestPlan(env.pool.db, athlete.id))?.sessions.find((s) => s.sessionKey === first.sessionKey)
        ?.status,
    ).toBe("planned");
  });

  it("has no log form for a session still ahead, and refuses one posted anyway in the verb's words", async () => {
    const { athlete, first, second, cookie, csrf } = await planned();
    const page = await (await app.request("/plan", { headers: { ...HTML, cookie } })).text();
    expect(page).not.toContain(`action="/plan/sessions/${second.sessionKey}/log"`);
    const fields = await logFormOf(cookie, first.sessionKey);
    const res = await postForm(`/plan/sessions/${second.sessionKey}/log`, cookie, {
      [CSRF_FIELD]: csrf,
      ...Object.fromEntries(fields),
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("is still ahead; log it once you have done it");
    expect(await storedLogs(athlete.id)).toEqual([]);
  });

  it("refuses the log form without the token, with a wrong one, or from another origin (403); B's key from A is a 404 page", async () => {
    const { athlete, first, cookie, csrf } = await planned();
    const fields = Object.fromEntries(await logFormOf(cookie, first.sessionKey));
    const path = `/plan/sessions/${first.sessionKey}/log`;
    for (const res of [
      await postForm(path, cookie, fields),
      await postForm(path, cookie, { ...fields, [CSRF_FIELD]: csrfTokenFor("another-session", env.config) }),
      await postForm(path, cookie, { ...fields, [CSRF_FIELD]: csrf }, "http://127.0.0.1:9"),
    ]) {
      expect(res.status).toBe(403);
      expect(await res.text()).toContain("Nothing was changed");
    }
    expect(await storedLogs(athlete.id)).toEqual([]);

    const other = await planned();
    const before = {
      logs: await storedLogs(other.athlete.id),
      plan: await latestPlan(env.pool.db, other.athlete.id),
    };
    const res = await postForm(`/plan/sessions/${other.first.sessionKey}/log`, cookie, {
      ...fields,
      [CSRF_FIELD]: csrf,
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toMatch(/role="alert">Not changed: .+/);
    expect(await storedLogs(other.athlete.id)).toEqual(before.logs);
    expect(await latestPlan(env.pool.db, other.athlete.id)).toEqual(before.plan);
    expect(await storedLogs(athlete.id)).toEqual([]);
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
    const missingPage = await missing.text();
    expect(missingPage).toContain("Page not found");
    expect(missingPage).not.toContain('action="/sign-out"');
    // Signed in, the error page keeps the nav and its sign-out form with the session's token.
    const athlete = await seedAthlete(env.pool.db);
    const { cookie, csrf } = signedIn(athlete.id);
    const theirs = await (await app.request("/nowhere", { headers: { ...HTML, cookie } })).text();
    expect(theirs).toMatch(
      new RegExp(`action="/sign-out"><input type="hidden" name="${CSRF_FIELD}" value="${csrf}"/>`),
    );
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
