import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig, redactUrl } from "../../src/config.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "runstrong-config-"));
const KEY = Buffer.alloc(32, 7).toString("base64");
const SECRET = "s".repeat(40);
/** Web Push keys as `npx web-push generate-vapid-keys` prints them (a fixed P-256 pair). */
const VAPID = {
  VAPID_PUBLIC_KEY: Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 1)]).toString("base64url"),
  VAPID_PRIVATE_KEY: Buffer.alloc(32, 2).toString("base64url"),
  VAPID_SUBJECT: "mailto:ops@example.org",
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env, tmp());
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe("configuration", () => {
  it("starts with nothing set, on local defaults", () => {
    const c = loadConfig({}, tmp());
    expect(c.http.port).toBe(3000);
    expect(c.databaseUrl).toBe("postgres://postgres@127.0.0.1:5432/runstrong");
    expect(c.redis.url).toBe("redis://127.0.0.1:6379");
    expect(c.http.publicUrl).toBe("http://localhost:3000");
    expect(c.secrets.tokenEncryptionKey).toHaveLength(32);
    expect(c.strava.clientId).toBeNull();
    expect(c.replan.debounceMs).toBe(30_000);
  });

  it("names each bad setting on a line of its own, with what was given", () => {
    const problems = problemsOf({ PORT: "abc", REDIS_URL: "localhost:6379", WORKER_CONCURRENCY: "0" });
    expect(problems).toHaveLength(3);
    expect(problems).toContain('PORT: must be a number (got "abc")');
    expect(problems.find((p) => p.startsWith("REDIS_URL:"))).toMatch(/redis:\/\//);
    expect(problems.find((p) => p.startsWith("WORKER_CONCURRENCY:"))).toBeDefined();
  });

  it("never echoes a secret it refuses", () => {
    const problems = problemsOf({ TOKEN_ENCRYPTION_KEY: "hunter2-too-short" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain("hunter2");
  });

  it("refuses to run production without explicit secrets and public URL", () => {
    const problems = problemsOf({ NODE_ENV: "production" });
    expect(problems.map((p) => p.split(":")[0])).toEqual([
      "TOKEN_ENCRYPTION_KEY",
      "SESSION_SECRET",
      "PUBLIC_URL",
      "VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY",
      "VAPID_SUBJECT",
    ]);
    const ok = loadConfig(
      {
        ...VAPID,
        NODE_ENV: "production",
        TOKEN_ENCRYPTION_KEY: KEY,
        SESSION_SECRET: SECRET,
        PUBLIC_URL: "https://rs.example.org/",
      },
      tmp(),
    );
    expect(ok.http.publicUrl).toBe("https://rs.example.org");
    expect(ok.secrets.generatedFile).toBeNull();
  });

  it("generates development secrets once into a private file and reuses them", () => {
    const dir = tmp();
    const first = loadConfig({}, dir);
    const second = loadConfig({}, dir);
    expect(first.secrets.generatedFile).toBe(join(dir, ".runstrong/secrets.json"));
    expect(second.secrets.tokenEncryptionKey.equals(first.secrets.tokenEncryptionKey)).toBe(true);
    expect(second.secrets.sessionSecret).toBe(first.secrets.sessionSecret);
    expect(statSync(first.secrets.generatedFile ?? "").mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(first.secrets.generatedFile ?? "", "utf8"))).toHaveProperty(
      "sessionSecret",
    );
  });

  it("accepts a hex or base64 encryption key of 32 bytes and treats empty values as unset", () => {
    const hex = loadConfig(
      { TOKEN_ENCRYPTION_KEY: "ab".repeat(32), SESSION_SECRET: SECRET, PORT: "" },
      tmp(),
    );
    expect(hex.secrets.tokenEncryptionKey.equals(Buffer.alloc(32, 0xab))).toBe(true);
    expect(hex.http.port).toBe(3000);
    expect(problemsOf({ TOKEN_ENCRYPTION_KEY: Buffer.alloc(16).toString("base64") })[0]).toMatch(/32 bytes/);
  });

  it("wants both Strava credentials or neither", () => {
    expect(problemsOf({ STRAVA_CLIENT_ID: "12345" })).toEqual([
      "STRAVA_CLIENT_ID and STRAVA_CLIENT_SECRET: set both or neither",
    ]);
    expect(problemsOf({ STRAVA_RAW_RETENTION_DAYS: "30" })[0]).toMatch(/at most 7/);
  });

  it("gives the Strava webhook a secret: generated in development, required in production, path-safe", () => {
    const strava = { STRAVA_CLIENT_ID: "12345", STRAVA_CLIENT_SECRET: "0123456789abcdef" };
    expect(loadConfig({}, tmp()).strava.webhookSecret).toBeNull();

    const dir = tmp();
    const first = loadConfig({ ...strava, TOKEN_ENCRYPTION_KEY: KEY, SESSION_SECRET: SECRET }, dir);
    expect(first.strava.webhookSecret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(loadConfig(strava, dir).strava.webhookSecret).toBe(first.strava.webhookSecret);
    expect(JSON.parse(readFileSync(join(dir, ".runstrong/secrets.json"), "utf8"))).toHaveProperty(
      "stravaWebhookSecret",
      first.strava.webhookSecret,
    );

    // A secrets file written before Strava was configured gains the secret and keeps the rest.
    const older = tmp();
    const before = loadConfig({}, older);
    const after = loadConfig(strava, older);
    expect(after.strava.webhookSecret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(after.secrets.tokenEncryptionKey.equals(before.secrets.tokenEncryptionKey)).toBe(true);
    expect(after.secrets.sessionSecret).toBe(before.secrets.sessionSecret);

    const production = {
      ...strava,
      ...VAPID,
      NODE_ENV: "production",
      TOKEN_ENCRYPTION_KEY: KEY,
      SESSION_SECRET: SECRET,
      PUBLIC_URL: "https://rs.example.org",
    };
    expect(problemsOf(production)).toEqual([
      "STRAVA_WEBHOOK_SECRET: required in production when Strava is configured (openssl rand -hex 32)",
    ]);
    const given = "a".repeat(64);
    expect(loadConfig({ ...production, STRAVA_WEBHOOK_SECRET: given }, tmp()).strava.webhookSecret).toBe(
      given,
    );
    const refused = problemsOf({ STRAVA_WEBHOOK_SECRET: `${"b".repeat(40)}/x` });
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatch(/^STRAVA_WEBHOOK_SECRET: must be 32-128 letters/);
    expect(refused[0]).not.toContain("bbbb");
    expect(loadConfig({}, tmp()).webhooks.storeTimeoutMs).toBe(800);
  });

  it("redacts passwords from URLs it prints", () => {
    expect(redactUrl("postgres://rs:s3cret@db:5432/runstrong")).toBe("postgres://rs:***@db:5432/runstrong");
  });
});

describe("configuration errors about URLs", () => {
  it("mask the password of a mistyped URL", () => {
    const problems = problemsOf({ DATABASE_URL: "postgress://app:s3cret@db/x" });
    expect(problems).toHaveLength(1);
    expect(problems[0]).not.toContain("s3cret");
    expect(problems[0]).toContain("postgress://app:***@db/x");
  });
});

describe("notification settings", () => {
  it("generate development VAPID keys once into the secrets file, require them in production, and refuse OUTBOUND_ALLOW_PRIVATE there", () => {
    const dir = tmp();
    const first = loadConfig({ TOKEN_ENCRYPTION_KEY: KEY, SESSION_SECRET: SECRET }, dir);
    expect(Buffer.from(first.push.vapidPublicKey, "base64url")).toHaveLength(65);
    expect(Buffer.from(first.push.vapidPrivateKey, "base64url")).toHaveLength(32);
    expect(loadConfig({}, dir).push.vapidPublicKey).toBe(first.push.vapidPublicKey);
    expect(JSON.parse(readFileSync(join(dir, ".runstrong/secrets.json"), "utf8"))).toHaveProperty(
      "vapidPrivateKey",
      first.push.vapidPrivateKey,
    );
    expect(first.notify.coalesceMs).toBe(120_000);
    expect(first.outbound.allowPrivate).toBe(false);
    expect(first.mail).toMatchObject({ smtpUrl: null, from: "runstrong <runstrong@localhost>" });
    expect(first.mail.outboxDir).toBe(join(dir, ".runstrong/outbox"));

    const production = {
      ...VAPID,
      NODE_ENV: "production",
      TOKEN_ENCRYPTION_KEY: KEY,
      SESSION_SECRET: SECRET,
      PUBLIC_URL: "https://rs.example.org",
    };
    expect(loadConfig(production, tmp()).push.vapidSubject).toBe("mailto:ops@example.org");
    expect(problemsOf({ ...production, OUTBOUND_ALLOW_PRIVATE: "true" })).toEqual([
      "OUTBOUND_ALLOW_PRIVATE: refused in production (it is for development and tests)",
    ]);
    expect(loadConfig({ OUTBOUND_ALLOW_PRIVATE: "true" }, tmp()).outbound.allowPrivate).toBe(true);
    const bad = problemsOf({
      VAPID_PRIVATE_KEY: "c2VjcmV0LXRvby1zaG9ydA",
      SMTP_URL: "http://mail.example.org",
    });
    expect(bad).toHaveLength(2);
    expect(bad.join("\n")).not.toContain("c2VjcmV0");
    expect(bad.find((p) => p.startsWith("SMTP_URL:"))).toMatch(/smtp:\/\//);
  });
});
