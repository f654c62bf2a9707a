// A stand-in push service: a local HTTP server that records each request and
// answers with the status a test sets, and a browser's side of a subscription
// (its P-256 key pair and auth secret) that decrypts what arrives, per RFC 8291
// (Web Push message encryption) over RFC 8188 (aes128gcm), with node:crypto only.
import { createDecipheriv, createECDH, createPublicKey, hkdfSync, randomBytes, verify } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";

export interface PushRequest {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface PushEndpoint {
  /** the origin, e.g. http://127.0.0.1:40123 */
  origin: string;
  requests: PushRequest[];
  /** the status the next requests get (201 by default, as push services answer) */
  status: number;
  close(): Promise<void>;
}

export async function startPushEndpoint(): Promise<PushEndpoint> {
  const endpoint: PushEndpoint = {
    origin: "",
    requests: [],
    status: 201,
    close: async () => {},
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      endpoint.requests.push({ path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) });
      res.writeHead(endpoint.status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("push endpoint has no port");
  endpoint.origin = `http://127.0.0.1:${address.port}`;
  endpoint.close = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return endpoint;
}

/** A browser's subscription keys, and the decryption only that browser can do. */
export function browserKeys() {
  const ecdh = createECDH("prime256v1");
  const publicKey = ecdh.generateKeys();
  const auth = randomBytes(16);
  return {
    p256dh: publicKey.toString("base64url"),
    auth: auth.toString("base64url"),
    /** RFC 8188 header (salt, rs, keyid = the sender's key), then one record; RFC 8291 keys */
    decrypt(body: Buffer): string {
      const salt = body.subarray(0, 16);
      const idlen = body.readUInt8(20);
      const senderPublic = body.subarray(21, 21 + idlen);
      const record = body.subarray(21 + idlen);
      const ecdhSecret = ecdh.computeSecret(senderPublic);
      const keyInfo = Buffer.concat([Buffer.from("WebPush: info\0"), publicKey, senderPublic]);
      const ikm = Buffer.from(hkdfSync("sha256", ecdhSecret, auth, keyInfo, 32));
      const cek = Buffer.from(
        hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: aes128gcm\0"), 16),
      );
      const nonce = Buffer.from(hkdfSync("sha256", ikm, salt, Buffer.from("Content-Encoding: nonce\0"), 12));
      const decipher = createDecipheriv("aes-128-gcm", cek, nonce);
      decipher.setAuthTag(record.subarray(record.length - 16));
      const padded = Buffer.concat([
        decipher.update(record.subarray(0, record.length - 16)),
        decipher.final(),
      ]);
      // The last record ends with the delimiter 0x02, then zero padding.
      let end = padded.length - 1;
      while (end >= 0 && padded[end] === 0) end--;
      if (padded[end] !== 2) throw new Error("no last-record delimiter");
      return padded.subarray(0, end).toString("utf8");
    },
  };
}

/**
 * Checks a VAPID Authorization header (RFC 8292): `vapid t=<JWT>, k=<key>`, the
 * JWT signed ES256 by that key, for the endpoint's origin. Answers its claims.
 */
export function verifyVapid(header: string | undefined, publicKey: string): Record<string, unknown> {
  const match = /^vapid t=([^,\s]+),\s*k=([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!match?.[1] || match[2] !== publicKey) throw new Error(`not a VAPID header for this key: ${header}`);
  const [head, claims, signature] = match[1].split(".");
  const raw = Buffer.from(publicKey, "base64url");
  const key = createPublicKey({
    key: {
      kty: "EC",
      crv: "P-256",
      x: raw.subarray(1, 33).toString("base64url"),
      y: raw.subarray(33, 65).toString("base64url"),
    },
    format: "jwk",
  });
  const ok = verify(
    "sha256",
    Buffer.from(`${head}.${claims}`),
    { key, dsaEncoding: "ieee-p1363" },
    Buffer.from(signature ?? "", "base64url"),
  );
  if (!ok) throw new Error("VAPID signature does not verify");
  return JSON.parse(Buffer.from(claims ?? "", "base64url").toString("utf8"));
}
