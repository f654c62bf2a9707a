import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { PlanError, type PlanErrorCode } from "../plan/errors.ts";

/** Error codes the API answers with; each maps to one HTTP status, here and nowhere else. */
const STATUS = {
  bad_request: 400,
  validation_failed: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rule_violation: 422,
  /** well-formed, but a value no true request carries (a webhook event dated 2^53) */
  unprocessable: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
} as const satisfies Record<string, ContentfulStatusCode>;

export type ErrorCode = keyof typeof STATUS;

export class AppError extends Error {
  override name = "AppError";
  readonly code: ErrorCode;
  readonly details: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

export function errorBody(c: Context, code: ErrorCode, message: string, details?: unknown) {
  return c.json(
    {
      error: {
        code,
        message,
        requestId: c.get("requestId") as string | undefined,
        ...(details ? { details } : {}),
      },
    },
    STATUS[code],
  );
}

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  return STATUS[code];
}

/** What each refusal of the application layer (src/plan) answers over HTTP. */
const FROM_PLAN = {
  not_found: "not_found",
  conflict: "conflict",
  invalid_input: "validation_failed",
  rule_violation: "rule_violation",
  unknown_athlete: "unauthorized",
  unavailable: "unavailable",
  rate_limited: "rate_limited",
} as const satisfies Record<PlanErrorCode, ErrorCode>;

/** An athlete signs in by connecting either provider, so the message names both and the page that offers them. */
export const SIGN_IN_FIRST = "sign in first: connect Strava or Garmin at /";

/** A coded error from anywhere below the edge as the API answers it; anything else is left as it is. */
export function asAppError(err: Error): Error {
  if (!(err instanceof PlanError)) return err;
  const code = FROM_PLAN[err.code];
  // The athlete went away mid-request: answered as a missing session is.
  return new AppError(code, err.code === "unknown_athlete" ? SIGN_IN_FIRST : err.message, err.details);
}
