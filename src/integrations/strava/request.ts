// The request function strava-v3 calls for every HTTP request (its
// `new strava.client(token, request)` hook). Here, and only here: the base URL
// (STRAVA_API_BASE_URL, so a simulator or proxy can stand in), the timeout, the
// shared rate budget (reserve before, record after, 429s included), exact big ids
// (parseStravaJson) and the mapping of statuses to error classes.
import type { Logger } from "../../observability/logger.ts";
import { parseStravaJson } from "./activity.ts";
import {
  StravaAuthError,
  StravaNotFoundError,
  StravaRateLimitedError,
  StravaUnavailableError,
} from "./errors.ts";
import { type BudgetLane, nextQuarterHour, type RateBudget } from "./rate-budget.ts";

/** strava-v3's request options, plus ours. */
export interface StravaRequestOptions {
  url: string;
  method?: string;
  body?: unknown;
  headers?: Record<string, string | null | undefined>;
  baseUrl?: string;
  responseType?: string;
  resolveWithFullResponse?: boolean;
  simple?: boolean;
  form?: Record<string, unknown>;
  /** false skips the rate budget: the token endpoint carries no rate headers and is not counted */
  budget?: boolean;
}

export interface StravaResponse {
  headers: Record<string, string>;
  body: unknown;
}

export interface StravaRequestSettings {
  apiBaseUrl: string;
  oauthBaseUrl: string;
  timeoutMs: number;
  budget: RateBudget | null;
  lane?: BudgetLane;
  logger?: Logger;
}

function target(o: StravaRequestOptions, apiBaseUrl: string): URL {
  if (/^https?:\/\//.test(o.url)) return new URL(o.url);
  const base = (o.baseUrl ?? apiBaseUrl).replace(/\/+$/, "");
  return new URL(`${base}/${o.url.replace(/^\/+/, "").replace(/\?$/, "")}`);
}

function requestBody(o: StravaRequestOptions): { body?: string; type?: string } {
  if (o.form && Object.keys(o.form).length > 0) {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(o.form))
      if (v !== undefined && v !== null) params.append(k, String(v));
    return { body: params.toString(), type: "application/x-www-form-urlencoded" };
  }
  if (typeof o.body === "string" && o.body.length > 0 && o.method && o.method !== "GET")
    return { body: o.body, type: "application/x-www-form-urlencoded" };
  if (o.body !== undefined && o.body !== null && typeof o.body === "object")
    return { body: JSON.stringify(o.body), type: "application/json" };
  return {};
}

/** Strava's error bodies come in several shapes; take whatever words they carry. */
function describeBody(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const parts = [j.message, j.errors]
      .map((p) =>
        typeof p === "string" ? p : Array.isArray(p) || (p && typeof p === "object") ? JSON.stringify(p) : "",
      )
      .filter(Boolean);
    return parts.join(": ").slice(0, 300);
  } catch {
    return text.replace(/\s+/g, " ").trim().slice(0, 120);
  }
}

/** The `errors[].resource` names of a Strava error body, when it has that shape. */
function blamedResources(text: string): string[] {
  try {
    const j = JSON.parse(text) as { errors?: unknown };
    if (!Array.isArray(j.errors)) return [];
    return j.errors.flatMap((e) =>
      e && typeof e === "object" && typeof (e as { resource?: unknown }).resource === "string"
        ? [(e as { resource: string }).resource]
        : [],
    );
  } catch {
    return [];
  }
}

export function createStravaRequest(
  settings: StravaRequestSettings,
): (o: StravaRequestOptions) => Promise<StravaResponse> {
  const lane = settings.lane ?? "live";
  return async (o) => {
    const url = target(o, settings.apiBaseUrl);
    const method = (o.method ?? "GET").toUpperCase();
    const isOauth = url.href.startsWith(settings.oauthBaseUrl);
    const counted = o.budget !== false && !isOauth && settings.budget !== null;
    // The log names the path only: push-subscription queries carry the client secret.
    const where = `${method} ${url.pathname}`;
    if (counted) await settings.budget?.reserve(lane, method === "GET" ? "read" : "write");

    const headers = new Headers({ Accept: "application/json" });
    for (const [k, v] of Object.entries(o.headers ?? {}))
      if (v !== null && v !== undefined) headers.set(k, v);
    const { body, type } = requestBody(o);
    if (type) headers.set("Content-Type", type);

    const started = performance.now();
    let res: Response;
    let text: string;
    try {
      res = await fetch(url, {
        method,
        headers,
        ...(body !== undefined ? { body } : {}),
        signal: AbortSignal.timeout(settings.timeoutMs),
        redirect: "error",
      });
      text = await res.text();
    } catch (err) {
      const e = err as Error;
      const why = e.name === "TimeoutError" ? `no answer within ${settings.timeoutMs} ms` : e.message;
      settings.logger?.warn({ strava: where, err: why }, "Strava call failed");
      throw new StravaUnavailableError(`${where}: ${why}`, null);
    }
    const ms = Math.round(performance.now() - started);
    const spent = counted ? await settings.budget?.record(res.headers, res.status) : null;
    settings.logger?.debug(
      { strava: where, status: res.status, ms, usage: res.headers.get("x-ratelimit-usage") },
      "Strava call",
    );

    if (res.ok) {
      return {
        headers: Object.fromEntries(res.headers),
        body: text.length > 0 ? parseStravaJson(text) : null,
      };
    }
    const detail = describeBody(text);
    const message = `${where} answered ${res.status}${detail ? ` (${detail})` : ""}`;
    if (res.status === 429) {
      const retryAt = spent?.retryAt ?? nextQuarterHour(Date.now()) + 1_000;
      throw new StravaRateLimitedError(message, retryAt, spent?.window ?? "15min", true);
    }
    if (res.status === 401 || res.status === 403 || (isOauth && res.status === 400))
      throw new StravaAuthError(message, res.status, blamedResources(text));
    if (res.status === 404) throw new StravaNotFoundError(message);
    throw new StravaUnavailableError(message, res.status);
  };
}
