import { createHash, timingSafeEqual } from "node:crypto";

const digest = (value: string) => createHash("sha256").update(value, "utf8").digest();

/**
 * Whether a secret someone sent equals the one we hold, in time that tells them
 * nothing: both are hashed first, so timingSafeEqual always compares two 32-byte
 * digests and neither the content nor the length of `expected` leaks. The one
 * compare for every secret runstrong checks (webhook paths and verify tokens,
 * operator bearer tokens, OAuth nonces, token signatures).
 */
export function secretsEqual(given: string, expected: string): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
