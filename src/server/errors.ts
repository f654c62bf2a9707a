import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";

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
