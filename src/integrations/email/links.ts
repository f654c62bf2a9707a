// The signed links in runstrong's mail. A confirmation link names the athlete and
// a hash of the address it confirms (an address changed since no longer
// matches), and lapses after two days. An unsubscribe link (List-Unsubscribe,
// RFC 8058) works without signing in, so it is signed and names its purpose.
import { createHash } from "node:crypto";
import { signToken, verifyToken } from "../../security/crypto.ts";

const CONFIRM = "email-confirm";
const UNSUBSCRIBE = "plan-mail-unsubscribe";
export const CONFIRM_LINK_TTL_MS = 2 * 86_400_000;
/** Long enough for an old mail's link still to work; the athlete can always turn mail off in settings. */
export const UNSUBSCRIBE_LINK_TTL_MS = 365 * 86_400_000;

function addressHash(email: string): string {
  return createHash("sha256").update(email.toLowerCase()).digest("base64url").slice(0, 22);
}

export function confirmLink(
  publicUrl: string,
  secret: string,
  athleteId: number,
  email: string,
  nowMs: number,
) {
  const token = signToken(
    { a: athleteId, h: addressHash(email) },
    CONFIRM,
    secret,
    nowMs + CONFIRM_LINK_TTL_MS,
  );
  return `${publicUrl}/email/confirm?token=${encodeURIComponent(token)}`;
}

/** The athlete and address hash a confirmation token names, or null when it is forged or lapsed. */
export function readConfirmToken(
  token: string,
  secret: string,
  nowMs: number,
): { athleteId: number; matches: (email: string) => boolean } | null {
  const payload = verifyToken<{ a?: unknown; h?: unknown }>(token, CONFIRM, secret, nowMs);
  if (!payload || typeof payload.a !== "number" || typeof payload.h !== "string") return null;
  const hash = payload.h;
  return { athleteId: payload.a, matches: (email) => addressHash(email) === hash };
}

export function unsubscribeLink(publicUrl: string, secret: string, athleteId: number, nowMs: number) {
  const token = signToken({ a: athleteId }, UNSUBSCRIBE, secret, nowMs + UNSUBSCRIBE_LINK_TTL_MS);
  return `${publicUrl}/email/unsubscribe?token=${encodeURIComponent(token)}`;
}

export function readUnsubscribeToken(token: string, secret: string, nowMs: number): number | null {
  const payload = verifyToken<{ a?: unknown }>(token, UNSUBSCRIBE, secret, nowMs);
  return payload && typeof payload.a === "number" ? payload.a : null;
}
