// How a call to a workout destination (Garmin Training API, intervals.icu) failed,
// in the terms the push job acts on: retry later, stop and mark the link, or give up.

export type DestinationErrorCode =
  /** 5xx, a timeout, a dropped connection: retry with backoff */
  | "unavailable"
  /** 429: retry after the window */
  | "rate_limited"
  /** 401/403: the athlete revoked access or the key is wrong; retrying cannot help */
  | "revoked"
  /** Garmin's 412: the athlete did not grant WORKOUT_IMPORT */
  | "permission_missing"
  /** 404: the thing is gone there (deleted by the athlete) */
  | "not_found"
  /** another 4xx, or an answer we cannot read: our request or their shape is wrong */
  | "rejected";

export class DestinationError extends Error {
  override name = "DestinationError";
  readonly code: DestinationErrorCode;
  /** for rate_limited: epoch ms to wait until, when the answer said */
  readonly retryAtMs: number | null;
  /** the HTTP status answered, when one was */
  readonly status: number | null;
  constructor(
    code: DestinationErrorCode,
    message: string,
    retryAtMs: number | null = null,
    status: number | null = null,
  ) {
    super(message);
    this.code = code;
    this.retryAtMs = retryAtMs;
    this.status = status;
  }
}

/** The code of an HTTP status a destination answered. */
export function codeOfStatus(status: number): DestinationErrorCode {
  if (status === 429) return "rate_limited";
  if (status === 401 || status === 403) return "revoked";
  if (status === 412) return "permission_missing";
  if (status === 404) return "not_found";
  if (status >= 500) return "unavailable";
  return "rejected";
}

/**
 * fetch with a deadline; every failure becomes a DestinationError. The body of an
 * error answer is cut short and never holds our credentials, so it may be shown.
 */
export async function destinationFetch(
  what: string,
  url: string,
  init: RequestInit & { timeoutMs: number; nowMs: number },
): Promise<Response> {
  const { timeoutMs, nowMs, ...rest } = init;
  let res: Response;
  try {
    res = await fetch(url, { ...rest, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
    throw new DestinationError(
      "unavailable",
      timedOut ? `${what}: no answer within ${timeoutMs} ms` : `${what}: ${(err as Error).message}`,
    );
  }
  if (res.ok) return res;
  const text = (await res.text().catch(() => "")).slice(0, 200);
  const code = codeOfStatus(res.status);
  let retryAtMs: number | null = null;
  if (code === "rate_limited") {
    const after = Number(res.headers.get("retry-after"));
    retryAtMs = Number.isFinite(after) && after > 0 ? nowMs + after * 1000 : null;
  }
  throw new DestinationError(
    code,
    `${what}: HTTP ${res.status}${text ? ` ${text}` : ""}`,
    retryAtMs,
    res.status,
  );
}
