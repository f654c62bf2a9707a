// Garmin's Training API and intervals.icu's events API as tests (msw) and the
// pipeline bench (node:http) stand in for them: stateful, so a test can read what
// a watch would show. Request shapes as the reference documents them (Training API
// V2: POST /workoutportal/workout/v2, PUT/DELETE /training-api/workout/v2/{id},
// POST /training-api/schedule/ {workoutId, date}, PUT/DELETE /training-api/schedule/{id};
// intervals.icu: POST /api/v1/athlete/{id}/events/bulk?upsert=true,
// PUT /api/v1/athlete/{id}/events/bulk-delete). Garmin's answers are not public:
// a created workout answers the workout with its workoutId (as V2's GET shows
// one), a schedule its id as a bare number; the client reads either defensively.

export interface FakeWorkout {
  workoutId: number;
  body: Record<string, unknown>;
}
export interface FakeSchedule {
  scheduleId: number;
  workoutId: number;
  date: string;
}
export interface FakeEvent {
  id: number;
  athleteId: string;
  body: Record<string, unknown>;
}

export type Failure = {
  status: number;
  times: number;
  /** only calls "METHOD /path" that start with this fail (all when absent) */
  match?: string;
  body?: string;
  headers?: Record<string, string>;
};

/** Garmin Training API V2 for every user; tokens are accepted unless listed in `revokedTokens`. */
export class FakeGarminTraining {
  workouts = new Map<number, FakeWorkout>();
  schedules = new Map<number, FakeSchedule>();
  calls: { method: string; path: string }[] = [];
  revokedTokens = new Set<string>();
  /** every workout created, with the token that created it (one athlete's calls) */
  created: { token: string; workoutId: number }[] = [];
  /** the next N calls answer this status */
  failNext: Failure | null = null;
  /** when a schedule was created, by workout id (bench: time to the watch) */
  scheduledAt = new Map<number, number>();
  latencyMs = 0;
  private nextId = 9_000_000_001;

  /** The schedule entries as a watch's calendar lists them: [date, workout name]. */
  calendar(): { date: string; name: string; workoutId: number }[] {
    return [...this.schedules.values()]
      .map((s) => ({
        date: s.date,
        workoutId: s.workoutId,
        name: String(this.workouts.get(s.workoutId)?.body.workoutName ?? "(missing workout)"),
      }))
      .sort((a, b) => a.date.localeCompare(b.date));
  }

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname;
    this.calls.push({ method: request.method, path });
    if (this.latencyMs > 0) await new Promise((r) => setTimeout(r, this.latencyMs));
    const token = (request.headers.get("authorization") ?? "").replace(/^Bearer /, "");
    if (!token || this.revokedTokens.has(token))
      return Response.json({ errorMessage: "Unauthorized" }, { status: 401 });
    const f = this.failNext;
    if (f && f.times > 0 && (!f.match || `${request.method} ${path}`.startsWith(f.match))) {
      f.times--;
      return new Response(f.body ?? JSON.stringify({ errorMessage: "Internal error" }), {
        status: f.status,
        headers: { "content-type": "application/json", ...f.headers },
      });
    }
    const body = request.method === "POST" || request.method === "PUT" ? await request.json() : null;
    const m = (re: RegExp) => re.exec(path);
    if (request.method === "POST" && path === "/workoutportal/workout/v2") {
      const workoutId = this.nextId++;
      this.workouts.set(workoutId, { workoutId, body: body as Record<string, unknown> });
      this.created.push({ token, workoutId });
      return Response.json({ ...(body as object), workoutId, ownerId: 42 });
    }
    let match = m(/^\/training-api\/workout\/v2\/(\d+)$/);
    if (match) {
      const id = Number(match[1]);
      if (!this.workouts.has(id)) return Response.json({ errorMessage: "Not found" }, { status: 404 });
      if (request.method === "PUT") {
        this.workouts.set(id, { workoutId: id, body: body as Record<string, unknown> });
        return new Response(null, { status: 204 });
      }
      if (request.method === "DELETE") {
        this.workouts.delete(id);
        for (const [sid, s] of this.schedules) if (s.workoutId === id) this.schedules.delete(sid);
        return new Response(null, { status: 204 });
      }
    }
    if (request.method === "POST" && path === "/training-api/schedule/") {
      const b = body as { workoutId: number; date: string };
      if (!this.workouts.has(b.workoutId))
        return Response.json({ errorMessage: "No workout" }, { status: 400 });
      const scheduleId = this.nextId++;
      this.schedules.set(scheduleId, { scheduleId, workoutId: b.workoutId, date: b.date });
      this.scheduledAt.set(b.workoutId, Date.now());
      return Response.json(scheduleId);
    }
    match = m(/^\/training-api\/schedule\/(\d+)$/);
    if (match) {
      const id = Number(match[1]);
      if (!this.schedules.has(id)) return Response.json({ errorMessage: "Not found" }, { status: 404 });
      if (request.method === "PUT") {
        const b = body as { workoutId: number; date: string };
        this.schedules.set(id, { scheduleId: id, workoutId: b.workoutId, date: b.date });
        this.scheduledAt.set(b.workoutId, Date.now());
        return new Response(null, { status: 204 });
      }
      if (request.method === "DELETE") {
        this.schedules.delete(id);
        return new Response(null, { status: 204 });
      }
    }
    return Response.json({ errorMessage: `no route ${request.method} ${path}` }, { status: 404 });
  }
}

/** intervals.icu's events API; basic auth API_KEY:<key> checked against `keys` (athlete id → key). */
export class FakeIntervals {
  events = new Map<string, FakeEvent>();
  keys = new Map<string, string>();
  calls: { method: string; path: string; body: unknown }[] = [];
  failNext: Failure | null = null;
  private nextId = 71_000_001;

  async handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const body = request.method === "GET" ? null : await request.json().catch(() => null);
    this.calls.push({ method: request.method, path: `${url.pathname}${url.search}`, body });
    const m = /^\/api\/v1\/athlete\/([^/]+)\/events\/(bulk|bulk-delete)$/.exec(url.pathname);
    if (!m) return Response.json({ error: "not found" }, { status: 404 });
    const athleteId = decodeURIComponent(m[1] ?? "");
    const auth = request.headers.get("authorization") ?? "";
    const expected = `Basic ${Buffer.from(`API_KEY:${this.keys.get(athleteId) ?? ""}`).toString("base64")}`;
    if (!this.keys.has(athleteId) || auth !== expected)
      return Response.json({ status: 403, error: "Access denied" }, { status: 403 });
    const f = this.failNext;
    if (f && f.times > 0 && (!f.match || `${request.method} ${url.pathname}`.startsWith(f.match))) {
      f.times--;
      return Response.json({ error: "oops" }, { status: f.status, headers: f.headers });
    }
    const list = (body ?? []) as Record<string, unknown>[];
    if (m[2] === "bulk" && request.method === "POST" && url.searchParams.get("upsert") === "true") {
      const out = list.map((e) => {
        const key = `${athleteId}:${String(e.external_id)}`;
        const id = this.events.get(key)?.id ?? this.nextId++;
        this.events.set(key, { id, athleteId, body: e });
        return { id, ...e, athlete_id: athleteId };
      });
      return Response.json(out);
    }
    if (m[2] === "bulk-delete" && request.method === "PUT") {
      let n = 0;
      for (const e of list) if (this.events.delete(`${athleteId}:${String(e.external_id)}`)) n++;
      return Response.json({ eventsDeleted: n });
    }
    return Response.json({ error: "not found" }, { status: 404 });
  }

  of(athleteId: string): Record<string, unknown>[] {
    return [...this.events.values()].filter((e) => e.athleteId === athleteId).map((e) => e.body);
  }
}
