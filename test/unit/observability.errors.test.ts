import { DrizzleQueryError } from "drizzle-orm/errors";
import { describe, expect, it } from "vitest";
import { loggableError } from "../../src/observability/errors.ts";

describe("errors fit to log", () => {
  it("keep a failed query's database code and message but never its parameters", () => {
    const cause = Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" });
    const err = new DrizzleQueryError(
      "select id from athletes where calendar_token = $1",
      ["s3cret-feed-token"],
      cause,
    );
    expect(err.message).toContain("s3cret-feed-token");
    const safe = loggableError(err);
    expect(safe.message).toBe("database error 57014: canceling statement due to statement timeout");
    expect(JSON.stringify({ message: safe.message, stack: safe.stack })).not.toContain("s3cret-feed-token");
  });

  it("leave other errors as they are", () => {
    const plain = new TypeError("boom");
    expect(loggableError(plain)).toBe(plain);
    expect(loggableError("text").message).toBe("text");
  });
});
