// Secrets at rest and in flight: OAuth tokens encrypted with AES-256-GCM under
// TOKEN_ENCRYPTION_KEY; OAuth state and session cookies signed with HMAC-SHA256
// under SESSION_SECRET. Built on node:crypto only.
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from "node:crypto";
import { secretsEqual } from "./compare.ts";

const VERSION = "v1";

/** "v1.<iv>.<tag>.<ciphertext>", base64url parts; a fresh 96-bit IV per value. */
export function encryptSecret(plain: string, key: Buffer): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  const data = Buffer.concat([cipher.update(plain, "utf8"), cipher.final()]);
  return [
    VERSION,
    iv.toString("base64url"),
    cipher.getAuthTag().toString("base64url"),
    data.toString("base64url"),
  ].join(".");
}

export class DecryptError extends Error {
  override name = "DecryptError";
}

export function decryptSecret(sealed: string, key: Buffer): string {
  const [version, iv, tag, data] = sealed.split(".");
  if (version !== VERSION || !iv || !tag || data === undefined)
    throw new DecryptError("not an encrypted secret");
  try {
    const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64url"));
    decipher.setAuthTag(Buffer.from(tag, "base64url"));
    return Buffer.concat([decipher.update(Buffer.from(data, "base64url")), decipher.final()]).toString(
      "utf8",
    );
  } catch {
    // Wrong key (TOKEN_ENCRYPTION_KEY changed) or tampered value: never echo the value.
    throw new DecryptError("cannot decrypt: wrong TOKEN_ENCRYPTION_KEY or a tampered value");
  }
}

function mac(payload: string, secret: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/**
 * A signed, expiring token carrying a small JSON payload: `<payload>.<mac>`.
 * Used for OAuth state (minutes) and session cookies (weeks). `purpose` is mixed
 * into the MAC so a state can never pass as a session or the other way round.
 */
export function signToken(
  payload: Record<string, unknown>,
  purpose: string,
  secret: string,
  expiresAtMs: number,
): string {
  const body = Buffer.from(JSON.stringify({ ...payload, p: purpose, exp: expiresAtMs })).toString(
    "base64url",
  );
  return `${body}.${mac(`${purpose}.${body}`, secret)}`;
}

export function verifyToken<T extends Record<string, unknown>>(
  token: string,
  purpose: string,
  secret: string,
  nowMs: number,
): T | null {
  const dot = token.lastIndexOf(".");
  if (dot <= 0) return null;
  const body = token.slice(0, dot);
  if (!secretsEqual(token.slice(dot + 1), mac(`${purpose}.${body}`, secret))) return null;
  try {
    const parsed = JSON.parse(Buffer.from(body, "base64url").toString("utf8")) as T & {
      p?: string;
      exp?: number;
    };
    if (parsed.p !== purpose || typeof parsed.exp !== "number" || parsed.exp < nowMs) return null;
    return parsed;
  } catch {
    return null;
  }
}

/** An unguessable URL-safe token (e.g. the calendar feed's), 256 bits. */
export function randomToken(bytes = 32): string {
  return randomBytes(bytes).toString("base64url");
}
