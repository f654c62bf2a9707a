// One constant-time compare for every secret runstrong checks, hashing both sides
// first so that not even the expected secret's length shows in the timing.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { secretsEqual } from "../../src/security/compare.ts";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("secretsEqual", () => {
  it("is true for the same secret and false for any other, whatever the lengths", () => {
    expect(secretsEqual("s3cret-token", "s3cret-token")).toBe(true);
    expect(secretsEqual("", "")).toBe(true);
    expect(secretsEqual("åäö-ünïcode", "åäö-ünïcode")).toBe(true);
    expect(secretsEqual("s3cret-tokem", "s3cret-token")).toBe(false);
    expect(secretsEqual("s3cret", "s3cret-token")).toBe(false);
    expect(secretsEqual("s3cret-token-and-more", "s3cret-token")).toBe(false);
    expect(secretsEqual("", "s3cret-token")).toBe(false);
  });

  it("is what the webhook path, bearer tokens, OAuth nonce, verify token and signatures use: none keeps a copy", () => {
    const former = [
      "src/server/webhook-path.ts",
      "src/server/middleware/bearer-token.ts",
      "src/server/routes/auth-strava.ts",
      "src/server/routes/strava-webhook.ts",
      "src/security/crypto.ts",
    ];
    const own = former.filter((f) => /timingSafeEqual\(/.test(readFileSync(join(ROOT, f), "utf8")));
    expect(own).toEqual([]);
  });

  it("is the only constant-time compare: no file outside src/security calls timingSafeEqual", () => {
    const own = readdirSync(join(ROOT, "src"), { recursive: true, encoding: "utf8" })
      .filter((f) => /\.tsx?$/.test(f) && !f.startsWith("security/"))
      .filter((f) => /timingSafeEqual/.test(readFileSync(join(ROOT, "src", f), "utf8")));
    expect(own).toEqual([]);
  });
});
