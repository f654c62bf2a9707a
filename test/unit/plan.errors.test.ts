// The HTTP edge maps each code of the application layer's errors once.
import { describe, expect, it } from "vitest";
import { PlanError } from "../../src/plan/errors.ts";
import { AppError, asAppError, SIGN_IN_FIRST, statusOf } from "../../src/server/errors.ts";

describe("PlanError at the HTTP edge", () => {
  it("answers each code with its status, keeping the message and details", () => {
    const cases = [
      ["not_found", 404],
      ["conflict", 409],
      ["invalid_input", 400],
      ["rule_violation", 422],
    ] as const;
    for (const [code, status] of cases) {
      const mapped = asAppError(new PlanError(code, `refused: ${code}`, { fields: [] }));
      expect(mapped).toBeInstanceOf(AppError);
      expect(mapped).toMatchObject({ message: `refused: ${code}`, details: { fields: [] } });
      expect(statusOf((mapped as AppError).code)).toBe(status);
    }
  });

  it("answers an athlete gone mid-request as a missing session, and leaves other errors alone", () => {
    expect(asAppError(new PlanError("unknown_athlete", "athlete 7 no longer exists"))).toMatchObject({
      code: "unauthorized",
      message: SIGN_IN_FIRST,
    });
    const other = new Error("boom");
    expect(asAppError(other)).toBe(other);
  });
});
