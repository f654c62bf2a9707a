// The athlete's JSON API as the tests call it, and the re-plans a call queued.
import type { Config } from "../../src/config.ts";
import { SESSION_COOKIE, sessionToken } from "../../src/server/session.ts";
import type { Queues } from "../../src/workers/queues.ts";

interface RequestsApp {
  request: (path: string, init?: RequestInit) => Response | Promise<Response>;
}

/**
 * `call(athleteId, method, path, body?)` against `app`: signed in as the athlete
 * (null: no session) at the clock `now`; a body is sent as JSON, a string as it is
 * (to send what is not JSON). Answers the status and the parsed JSON body.
 */
export function apiCaller(app: RequestsApp, config: Config, now: () => Date) {
  return async (athleteId: number | null, method: string, path: string, body?: unknown) => {
    const headers: Record<string, string> = { "content-type": "application/json" };
    if (athleteId !== null) headers.cookie = sessionCookie(config, athleteId, now());
    const res = await app.request(path, {
      method,
      headers,
      ...(body !== undefined ? { body: typeof body === "string" ? body : JSON.stringify(body) } : {}),
    });
    // biome-ignore lint/suspicious/noExplicitAny: the tests read JSON answers by path
    return { status: res.status, body: (await res.json()) as Record<string, any> };
  };
}

export function sessionCookie(config: Config, athleteId: number, at: Date): string {
  return `${SESSION_COOKIE}=${sessionToken(athleteId, config, at.getTime())}`;
}

/**
 * `replanCauses(athleteId)`: the causes of the re-plans queued for the athlete,
 * oldest first (not the daily roll-forward's next run).
 */
export function replanCausesOf(queues: Queues) {
  // The causes come back untyped, as the job data does: tests read them by path.
  return async (athleteId: number) => {
    const jobs = await queues.replan.getJobs(["waiting", "delayed", "prioritized"]);
    return jobs
      .filter((j) => j.name === "replan-athlete" && j.data.athleteId === athleteId && !j.repeatJobKey)
      .sort((a, b) => a.timestamp - b.timestamp)
      .map((j) => j.data.cause);
  };
}
