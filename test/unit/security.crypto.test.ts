import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  DecryptError,
  decryptSecret,
  encryptSecret,
  randomToken,
  signToken,
  verifyToken,
} from "../../src/security/crypto.ts";

const key = randomBytes(32);
const secret = randomBytes(32).toString("base64url");

describe("token encryption at rest", () => {
  it("round-trips and never stores the plain value", () => {
    const sealed = encryptSecret("a1b2c3-refresh", key);
    expect(sealed).not.toContain("a1b2c3");
    expect(sealed.startsWith("v1.")).toBe(true);
    expect(decryptSecret(sealed, key)).toBe("a1b2c3-refresh");
  });

  it("uses a fresh IV each time", () => {
    expect(encryptSecret("same", key)).not.toBe(encryptSecret("same", key));
  });

  it("refuses a wrong key and a tampered value", () => {
    const sealed = encryptSecret("token", key);
    expect(() => decryptSecret(sealed, randomBytes(32))).toThrow(DecryptError);
    const parts = sealed.split(".");
    parts[3] = Buffer.from("forged").toString("base64url");
    expect(() => decryptSecret(parts.join("."), key)).toThrow(DecryptError);
    expect(() => decryptSecret("plain-token", key)).toThrow(DecryptError);
  });
});

describe("signed tokens (OAuth state, session cookie)", () => {
  const now = 1_800_000_000_000;
  it("verifies its own payload before expiry", () => {
    const t = signToken({ athleteId: 7 }, "session", secret, now + 1000);
    expect(verifyToken(t, "session", secret, now)).toMatchObject({ athleteId: 7 });
  });

  it("refuses expired, re-purposed, forged and foreign tokens", () => {
    const t = signToken({ athleteId: 7 }, "session", secret, now + 1000);
    expect(verifyToken(t, "session", secret, now + 1001)).toBeNull();
    expect(verifyToken(t, "oauth-state", secret, now)).toBeNull();
    expect(verifyToken(t, "session", "another-secret-another-secret-xx", now)).toBeNull();
    const [body] = t.split(".");
    const forged = Buffer.from(JSON.stringify({ athleteId: 8, p: "session", exp: now + 1000 })).toString(
      "base64url",
    );
    expect(verifyToken(t.replace(body ?? "", forged), "session", secret, now)).toBeNull();
    expect(verifyToken("garbage", "session", secret, now)).toBeNull();
  });

  it("makes unguessable URL-safe tokens", () => {
    const a = randomToken();
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(randomToken()).not.toBe(a);
  });
});
