// The one place that reads the environment. `loadConfig` is called once at start-up
// and the resulting object is passed down; nothing else reads process.env.
import { createECDH, randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { z } from "zod";

const port = z.coerce
  .number({ message: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be 0-65535 (0: any free port)")
  .max(65535, "must be 0-65535 (0: any free port)");

const url = (protocols: string[]) =>
  z.string().refine(
    (v) => {
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    },
    `must be a URL starting with ${protocols.map((p) => `${p}//`).join(" or ")}`,
  );

/** 32 random bytes, given as 64 hex characters or base64 (as `openssl rand -base64 32` prints). */
const key32 = z.string().transform((v, ctx) => {
  const buf = /^[0-9a-fA-F]{64}$/.test(v) ? Buffer.from(v, "hex") : Buffer.from(v, "base64");
  if (buf.length !== 32) {
    ctx.addIssue({
      code: "custom",
      message: "must be 32 bytes as 64 hex characters or base64 (openssl rand -base64 32)",
    });
    return z.NEVER;
  }
  return buf;
});

const secret = z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)");

const positiveMs = z.coerce.number({ message: "must be a number" }).int().min(0);

/** A VAPID key as `npx web-push generate-vapid-keys` prints it: base64url of `bytes` bytes. */
const vapidKey = (bytes: number) =>
  z
    .string()
    .refine(
      (v) => /^[A-Za-z0-9_-]+={0,2}$/.test(v) && Buffer.from(v, "base64url").length === bytes,
      `must be ${bytes} bytes in base64url, as npx web-push generate-vapid-keys prints it`,
    );

const envSchema = z.object({
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  PORT: port.default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  PUBLIC_URL: url(["http:", "https:"]).optional(),
  DATABASE_URL: url(["postgres:", "postgresql:"]).default("postgres://postgres@127.0.0.1:5432/runstrong"),
  REDIS_URL: url(["redis:", "rediss:"]).default("redis://127.0.0.1:6379"),
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]+$/, "may hold letters, digits, _ and - only")
    .default("runstrong"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  TOKEN_ENCRYPTION_KEY: key32.optional(),
  SESSION_SECRET: secret.optional(),
  ADMIN_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  /** bearer token for /metrics and the details of /readyz (ADMIN_TOKEN works too) */
  METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
  WORKER_CONCURRENCY: z.coerce.number({ message: "must be a number" }).int().min(1).max(64).default(4),
  SHUTDOWN_TIMEOUT_MS: positiveMs.default(10_000),
  /** how often stored Strava events still waiting are queued again (and how old they must be) */
  INBOX_SWEEP_EVERY_MS: z.coerce.number({ message: "must be a number" }).int().min(1_000).default(60_000),
  WEBHOOK_INBOX_RETENTION_DAYS: z.coerce.number({ message: "must be a number" }).int().min(1).default(30),
  SECRETS_FILE: z.string().default(".runstrong/secrets.json"),
  STRAVA_CLIENT_ID: z
    .string()
    .regex(/^\d+$/, "must be the numeric Client ID from strava.com/settings/api")
    .optional(),
  STRAVA_CLIENT_SECRET: z
    .string()
    .min(10, "must be the Client Secret from strava.com/settings/api")
    .optional(),
  STRAVA_VERIFY_TOKEN: z.string().min(8, "must be at least 8 characters").optional(),
  /** the last segment of the webhook's path: Strava signs nothing, so the address is the secret */
  STRAVA_WEBHOOK_SECRET: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{32,128}$/,
      "must be 32-128 letters, digits, _ or - (it goes into a URL path: openssl rand -hex 32)",
    )
    .optional(),
  /** pins the push subscription whose events we accept; otherwise the one `runstrong strava subscribe` stored */
  STRAVA_SUBSCRIPTION_ID: z.string().regex(/^\d+$/, "must be a number").optional(),
  STRAVA_API_BASE_URL: url(["http:", "https:"]).default("https://www.strava.com/api/v3"),
  STRAVA_OAUTH_BASE_URL: url(["http:", "https:"]).default("https://www.strava.com/oauth"),
  STRAVA_REQUEST_TIMEOUT_MS: positiveMs.default(15_000),
  STRAVA_RAW_RETENTION_DAYS: z.coerce
    .number({ message: "must be a number" })
    .int()
    .min(0)
    .max(7, "Strava's API agreement allows at most 7")
    .default(7),
  GARMIN_CLIENT_ID: z.string().min(1).optional(),
  GARMIN_CLIENT_SECRET: z.string().min(1).optional(),
  GARMIN_AUTHORIZE_URL: url(["http:", "https:"]).default("https://connect.garmin.com/oauth2Confirm"),
  GARMIN_TOKEN_URL: url(["http:", "https:"]).default(
    "https://diauth.garmin.com/di-oauth2-service/oauth/token",
  ),
  GARMIN_API_BASE_URL: url(["http:", "https:"]).default("https://apis.garmin.com"),
  /** the segment after /webhooks/garmin/ in the notification URLs: Garmin signs nothing either */
  GARMIN_WEBHOOK_SECRET: z
    .string()
    .regex(
      /^[A-Za-z0-9_-]{32,128}$/,
      "must be 32-128 letters, digits, _ or - (it goes into a URL path: openssl rand -hex 32)",
    )
    .optional(),
  REPLAN_DEBOUNCE_MS: positiveMs.default(30_000),
  /** how long a webhook waits for Postgres to store its event before answering 503 (the sender retries) */
  WEBHOOK_STORE_TIMEOUT_MS: z.coerce.number({ message: "must be a number" }).int().min(1).default(800),
  /** intervals.icu, a workout destination (its events API); a simulator or a test may stand in */
  INTERVALS_API_BASE_URL: url(["http:", "https:"]).default("https://intervals.icu"),
  /** how long one call to a workout destination (Garmin Training API, intervals.icu) may take */
  DESTINATION_REQUEST_TIMEOUT_MS: positiveMs.default(15_000),
  /** plan mail: smtp://user:pass@host:587 (STARTTLS when the server offers it) or smtps://...:465 */
  SMTP_URL: url(["smtp:", "smtps:"]).optional(),
  MAIL_FROM: z
    .string()
    .regex(
      /^[^<>@\s]+@[^<>@\s]+$|^[^<>]*<[^<>@\s]+@[^<>@\s]+>$/,
      "must be an address: plans@example.org or runstrong <plans@example.org>",
    )
    .optional(),
  VAPID_PUBLIC_KEY: vapidKey(65).optional(),
  VAPID_PRIVATE_KEY: vapidKey(32).optional(),
  /** who push services may contact about this server's pushes */
  VAPID_SUBJECT: url(["mailto:", "https:"]).optional(),
  /** plan changes within this window go out as one message */
  NOTIFY_COALESCE_MS: positiveMs.default(120_000),
  /** lets outbound requests (push endpoints, running-plan feeds) reach loopback and private addresses */
  OUTBOUND_ALLOW_PRIVATE: z
    .enum(["true", "false", "1", "0"], { message: "must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .default(false),
  /** rate limits (src/server/middleware/rate-limit.ts); 0 turns one off */
  RATE_LIMIT_OAUTH_START_PER_MINUTE: z.coerce
    .number({ message: "must be a number" })
    .int()
    .min(0)
    .default(20),
  RATE_LIMIT_WEBHOOK_PER_MINUTE: z.coerce.number({ message: "must be a number" }).int().min(0).default(1200),
  RATE_LIMIT_CONFIRM_MAIL_PER_HOUR: z.coerce.number({ message: "must be a number" }).int().min(0).default(3),
  /** the last X-Forwarded-For entry is the client's address (set only behind a proxy that appends it) */
  TRUST_PROXY: z
    .enum(["true", "false", "1", "0"], { message: "must be true or false" })
    .transform((v) => v === "true" || v === "1")
    .default(false),
});

export type Env = z.input<typeof envSchema>;

export interface Config {
  env: "development" | "test" | "production";
  http: { port: number; host: string; publicUrl: string };
  databaseUrl: string;
  redis: { url: string; prefix: string };
  logLevel: string;
  secrets: {
    tokenEncryptionKey: Buffer;
    sessionSecret: string;
    adminToken: string | null;
    metricsToken: string | null;
    generatedFile: string | null;
  };
  workers: { concurrency: number; shutdownTimeoutMs: number; inboxSweepEveryMs: number };
  retention: { webhookInboxDays: number };
  strava: {
    /** null when STRAVA_CLIENT_ID / STRAVA_CLIENT_SECRET are unset: Strava features are off and say so */
    clientId: string | null;
    clientSecret: string | null;
    verifyToken: string | null;
    /** null when Strava is not configured and none is set: the webhook routes are then not served */
    webhookSecret: string | null;
    subscriptionId: string | null;
    apiBaseUrl: string;
    oauthBaseUrl: string;
    requestTimeoutMs: number;
    rawRetentionDays: number;
  };
  replan: { debounceMs: number };
  webhooks: { storeTimeoutMs: number };
  /** workout destinations (src/workers/destinations); Garmin's API base URL is config.garmin's */
  destinations: { intervalsApiBaseUrl: string; requestTimeoutMs: number };
  /** plan mail; without SMTP_URL messages are written to outboxDir instead (development) */
  mail: { smtpUrl: string | null; from: string; outboxDir: string };
  /** Web Push (VAPID) */
  push: { vapidPublicKey: string; vapidPrivateKey: string; vapidSubject: string };
  notify: { coalesceMs: number };
  /** whether outbound requests to athlete-given addresses may reach loopback and private networks */
  outbound: { allowPrivate: boolean };
  /** requests allowed per window (0: no limit); trustProxy: read the client's address from X-Forwarded-For */
  rateLimits: {
    oauthStartPerMinute: number;
    webhookPerMinute: number;
    confirmMailPerHour: number;
    trustProxy: boolean;
  };
  garmin: {
    /** null when GARMIN_CLIENT_ID / GARMIN_CLIENT_SECRET are unset: Garmin features are off and say so */
    clientId: string | null;
    clientSecret: string | null;
    authorizeUrl: string;
    tokenUrl: string;
    apiBaseUrl: string;
    /** null when Garmin is not configured and none is set: the notification routes are then not served */
    webhookSecret: string | null;
    requestTimeoutMs: number;
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  ${p}`).join("\n")}`);
    this.problems = problems;
  }
}

/** Empty strings count as unset, as in most .env files and compose files. */
function withoutEmpty(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== "") out[k] = v;
  return out;
}

interface GeneratedSecrets {
  tokenEncryptionKey: string;
  sessionSecret: string;
  /** added to files written before it existed, the first time Strava is configured */
  stravaWebhookSecret?: string | undefined;
  /** added the first time Garmin is configured */
  garminWebhookSecret?: string | undefined;
  /** Web Push keys, added to files written before they existed */
  vapidPublicKey?: string | undefined;
  vapidPrivateKey?: string | undefined;
}

/**
 * Outside production a fresh install must start with nothing set, yet tokens
 * encrypted today must decrypt tomorrow: generate the secrets once into a
 * git-ignored file and reuse them.
 */
function developmentSecrets(
  file: string,
  o: { webhookSecret: boolean; garminWebhookSecret?: boolean; vapid?: boolean },
): GeneratedSecrets {
  if (existsSync(file)) {
    const parsed = z
      .object({
        tokenEncryptionKey: z.string(),
        sessionSecret: z.string(),
        stravaWebhookSecret: z.string().optional(),
        garminWebhookSecret: z.string().optional(),
        vapidPublicKey: z.string().optional(),
        vapidPrivateKey: z.string().optional(),
      })
      .safeParse(JSON.parse(readFileSync(file, "utf8")));
    if (!parsed.success)
      throw new ConfigError([`${file}: not a runstrong secrets file; delete it to generate a new one`]);
    const addStrava = o.webhookSecret && !parsed.data.stravaWebhookSecret;
    const addGarmin = o.garminWebhookSecret === true && !parsed.data.garminWebhookSecret;
    const addVapid = o.vapid === true && !parsed.data.vapidPublicKey;
    if (!addStrava && !addGarmin && !addVapid) return parsed.data;
    return writeSecrets(file, {
      ...parsed.data,
      ...(addVapid ? vapidKeyPair() : {}),
      ...(addStrava ? { stravaWebhookSecret: randomBytes(32).toString("base64url") } : {}),
      ...(addGarmin ? { garminWebhookSecret: randomBytes(32).toString("base64url") } : {}),
    });
  }
  return writeSecrets(file, {
    tokenEncryptionKey: randomBytes(32).toString("base64"),
    sessionSecret: randomBytes(32).toString("base64url"),
    ...(o.webhookSecret ? { stravaWebhookSecret: randomBytes(32).toString("base64url") } : {}),
    ...(o.garminWebhookSecret ? { garminWebhookSecret: randomBytes(32).toString("base64url") } : {}),
    ...(o.vapid ? vapidKeyPair() : {}),
  });
}

/** A fresh P-256 key pair in the form VAPID_PUBLIC_KEY / VAPID_PRIVATE_KEY take. */
function vapidKeyPair(): { vapidPublicKey: string; vapidPrivateKey: string } {
  const ecdh = createECDH("prime256v1");
  ecdh.generateKeys();
  return {
    vapidPublicKey: ecdh.getPublicKey().toString("base64url"),
    // getPrivateKey() drops leading zero bytes; the key is always 32.
    vapidPrivateKey: Buffer.from(ecdh.getPrivateKey("hex").padStart(64, "0"), "hex").toString("base64url"),
  };
}

function writeSecrets(file: string, secrets: GeneratedSecrets): GeneratedSecrets {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(secrets, null, 2)}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return secrets;
}

export function loadConfig(env: NodeJS.ProcessEnv, cwd: string = process.cwd()): Config {
  const parsed = envSchema.safeParse(withoutEmpty(env));
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join(".");
        const given = env[name];
        // Never echo a secret; URLs (which may hold a password) only with the password masked.
        const shown =
          given === undefined || /SECRET|KEY|TOKEN/.test(name)
            ? null
            : name.endsWith("_URL")
              ? redactUrl(given)
              : given;
        return `${name}: ${i.message}${shown !== null ? ` (got "${shown}")` : ""}`;
      }),
    );
  }
  const e = parsed.data;
  const problems: string[] = [];
  let tokenEncryptionKey = e.TOKEN_ENCRYPTION_KEY;
  let sessionSecret = e.SESSION_SECRET;
  let stravaWebhookSecret = e.STRAVA_WEBHOOK_SECRET;
  const generateWebhookSecret = e.STRAVA_CLIENT_ID !== undefined && !stravaWebhookSecret;
  let garminWebhookSecret = e.GARMIN_WEBHOOK_SECRET;
  const generateGarminSecret = e.GARMIN_CLIENT_ID !== undefined && !garminWebhookSecret;
  let vapidPublicKey = e.VAPID_PUBLIC_KEY;
  let vapidPrivateKey = e.VAPID_PRIVATE_KEY;
  const vapidUnset = vapidPublicKey === undefined && vapidPrivateKey === undefined;
  // Development keeps its keys (browsers' subscriptions are bound to them); a test run makes its own.
  const generateVapid = e.NODE_ENV === "development" && vapidUnset;
  if (e.NODE_ENV === "test" && vapidUnset) ({ vapidPublicKey, vapidPrivateKey } = vapidKeyPair());
  let generatedFile: string | null = null;
  if (e.NODE_ENV === "production") {
    if (!tokenEncryptionKey)
      problems.push("TOKEN_ENCRYPTION_KEY: required in production (openssl rand -base64 32)");
    if (!sessionSecret) problems.push("SESSION_SECRET: required in production (openssl rand -base64 32)");
    if (!e.PUBLIC_URL)
      problems.push(
        "PUBLIC_URL: required in production (the address athletes and Strava reach, https://...)",
      );
    if (generateWebhookSecret)
      problems.push(
        "STRAVA_WEBHOOK_SECRET: required in production when Strava is configured (openssl rand -hex 32)",
      );
    if (generateGarminSecret)
      problems.push(
        "GARMIN_WEBHOOK_SECRET: required in production when Garmin is configured (openssl rand -hex 32)",
      );
    if (vapidUnset)
      problems.push(
        "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: required in production (npx web-push generate-vapid-keys)",
      );
    if (!e.VAPID_SUBJECT)
      problems.push("VAPID_SUBJECT: required in production (mailto:you@example.org or https://...)");
    if (e.OUTBOUND_ALLOW_PRIVATE)
      problems.push("OUTBOUND_ALLOW_PRIVATE: refused in production (it is for development and tests)");
  } else if (
    !tokenEncryptionKey ||
    !sessionSecret ||
    generateWebhookSecret ||
    generateGarminSecret ||
    generateVapid
  ) {
    generatedFile = resolve(cwd, e.SECRETS_FILE);
    const generated = developmentSecrets(generatedFile, {
      webhookSecret: generateWebhookSecret,
      garminWebhookSecret: generateGarminSecret,
      vapid: generateVapid,
    });
    tokenEncryptionKey ??= Buffer.from(generated.tokenEncryptionKey, "base64");
    sessionSecret ??= generated.sessionSecret;
    stravaWebhookSecret ??= generated.stravaWebhookSecret;
    garminWebhookSecret ??= generated.garminWebhookSecret;
    if (vapidUnset) {
      vapidPublicKey = generated.vapidPublicKey;
      vapidPrivateKey = generated.vapidPrivateKey;
    }
  }
  if ((e.STRAVA_CLIENT_ID === undefined) !== (e.STRAVA_CLIENT_SECRET === undefined)) {
    problems.push("STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET: set both or neither");
  }
  if ((e.GARMIN_CLIENT_ID === undefined) !== (e.GARMIN_CLIENT_SECRET === undefined)) {
    problems.push("GARMIN_CLIENT_ID and GARMIN_CLIENT_SECRET: set both or neither");
  }
  if (!vapidUnset && (vapidPublicKey === undefined) !== (vapidPrivateKey === undefined)) {
    problems.push("VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY: set both or neither");
  }
  if (problems.length > 0 || !tokenEncryptionKey || !sessionSecret) throw new ConfigError(problems);
  const publicUrl = (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, "");
  const mailFrom = e.MAIL_FROM ?? `runstrong <runstrong@${new URL(publicUrl).hostname}>`;
  return {
    env: e.NODE_ENV,
    http: {
      port: e.PORT,
      host: e.HOST,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/+$/, ""),
    },
    databaseUrl: e.DATABASE_URL,
    redis: { url: e.REDIS_URL, prefix: e.REDIS_PREFIX },
    logLevel: e.LOG_LEVEL,
    secrets: {
      tokenEncryptionKey,
      sessionSecret,
      adminToken: e.ADMIN_TOKEN ?? null,
      metricsToken: e.METRICS_TOKEN ?? null,
      generatedFile,
    },
    workers: {
      concurrency: e.WORKER_CONCURRENCY,
      shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
      inboxSweepEveryMs: e.INBOX_SWEEP_EVERY_MS,
    },
    retention: { webhookInboxDays: e.WEBHOOK_INBOX_RETENTION_DAYS },
    strava: {
      clientId: e.STRAVA_CLIENT_ID ?? null,
      clientSecret: e.STRAVA_CLIENT_SECRET ?? null,
      verifyToken: e.STRAVA_VERIFY_TOKEN ?? null,
      webhookSecret: stravaWebhookSecret ?? null,
      subscriptionId: e.STRAVA_SUBSCRIPTION_ID ?? null,
      apiBaseUrl: e.STRAVA_API_BASE_URL.replace(/\/+$/, ""),
      oauthBaseUrl: e.STRAVA_OAUTH_BASE_URL.replace(/\/+$/, ""),
      requestTimeoutMs: e.STRAVA_REQUEST_TIMEOUT_MS,
      rawRetentionDays: e.STRAVA_RAW_RETENTION_DAYS,
    },
    replan: { debounceMs: e.REPLAN_DEBOUNCE_MS },
    webhooks: { storeTimeoutMs: e.WEBHOOK_STORE_TIMEOUT_MS },
    destinations: {
      intervalsApiBaseUrl: e.INTERVALS_API_BASE_URL.replace(/\/+$/, ""),
      requestTimeoutMs: e.DESTINATION_REQUEST_TIMEOUT_MS,
    },
    garmin: {
      clientId: e.GARMIN_CLIENT_ID ?? null,
      clientSecret: e.GARMIN_CLIENT_SECRET ?? null,
      authorizeUrl: e.GARMIN_AUTHORIZE_URL,
      tokenUrl: e.GARMIN_TOKEN_URL,
      apiBaseUrl: e.GARMIN_API_BASE_URL.replace(/\/+$/, ""),
      webhookSecret: garminWebhookSecret ?? null,
      requestTimeoutMs: e.STRAVA_REQUEST_TIMEOUT_MS,
    },
    mail: {
      smtpUrl: e.SMTP_URL ?? null,
      from: mailFrom,
      outboxDir: resolve(cwd, dirname(e.SECRETS_FILE), "outbox"),
    },
    push: {
      vapidPublicKey: vapidPublicKey ?? "",
      vapidPrivateKey: vapidPrivateKey ?? "",
      vapidSubject: e.VAPID_SUBJECT ?? `mailto:${/<([^>]+)>/.exec(mailFrom)?.[1] ?? mailFrom}`,
    },
    notify: { coalesceMs: e.NOTIFY_COALESCE_MS },
    outbound: { allowPrivate: e.OUTBOUND_ALLOW_PRIVATE },
    rateLimits: {
      oauthStartPerMinute: e.RATE_LIMIT_OAUTH_START_PER_MINUTE,
      webhookPerMinute: e.RATE_LIMIT_WEBHOOK_PER_MINUTE,
      confirmMailPerHour: e.RATE_LIMIT_CONFIRM_MAIL_PER_HOUR,
      trustProxy: e.TRUST_PROXY,
    },
  };
}

/** Where a URL points, without its password, for messages and logs. */
export function redactUrl(value: string): string {
  try {
    const u = new URL(value);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable URL)";
  }
}
