// Garmin's settings: its outside URLs default to Garmin's own and can point at a
// simulator; its notifications' secret path is generated in development (kept in
// the secrets file, beside Strava's) and required in production with Garmin.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";

const tmp = () => mkdtempSync(join(tmpdir(), "runstrong-config-garmin-"));
const KEY = Buffer.alloc(32, 7).toString("base64");
const SECRET = "s".repeat(40);
const GARMIN = {
  GARMIN_CLIENT_ID: "600a2456-ab5f-4b1f-8eb3-8cc8dc86264d",
  GARMIN_CLIENT_SECRET: "garmin-secret",
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

describe("Garmin configuration", () => {
  it("is off by default, on Garmin's own URLs", () => {
    const { garmin } = loadConfig({}, tmp());
    expect(garmin).toMatchObject({
      clientId: null,
      clientSecret: null,
      webhookSecret: null,
      authorizeUrl: "https://connect.garmin.com/oauth2Confirm",
      tokenUrl: "https://diauth.garmin.com/di-oauth2-service/oauth/token",
      apiBaseUrl: "https://apis.garmin.com",
    });
    expect(loadConfig({ GARMIN_API_BASE_URL: "http://127.0.0.1:9999/" }, tmp()).garmin.apiBaseUrl).toBe(
      "http://127.0.0.1:9999",
    );
  });

  it("generates the notifications' secret once in development, beside Strava's, and keeps the other secrets", () => {
    const dir = tmp();
    const before = loadConfig({ STRAVA_CLIENT_ID: "12345", STRAVA_CLIENT_SECRET: "0123456789abcdef" }, dir);
    const first = loadConfig(
      { ...GARMIN, STRAVA_CLIENT_ID: "12345", STRAVA_CLIENT_SECRET: "0123456789abcdef" },
      dir,
    );
    expect(first.garmin.webhookSecret).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(first.strava.webhookSecret).toBe(before.strava.webhookSecret);
    expect(first.secrets.sessionSecret).toBe(before.secrets.sessionSecret);
    expect(loadConfig(GARMIN, dir).garmin.webhookSecret).toBe(first.garmin.webhookSecret);
    expect(JSON.parse(readFileSync(join(dir, ".runstrong/secrets.json"), "utf8"))).toHaveProperty(
      "garminWebhookSecret",
      first.garmin.webhookSecret,
    );
    expect(
      loadConfig({ ...GARMIN, TOKEN_ENCRYPTION_KEY: KEY, SESSION_SECRET: SECRET }, tmp()).garmin
        .webhookSecret,
    ).toMatch(/^[A-Za-z0-9_-]{32,}$/);
  });

  it("requires the secret in production when Garmin is configured, and both credentials or neither", () => {
    const production = {
      NODE_ENV: "production",
      TOKEN_ENCRYPTION_KEY: KEY,
      SESSION_SECRET: SECRET,
      PUBLIC_URL: "https://rs.example.org",
    };
    const without = problemsOf({ ...production, ...GARMIN });
    expect(without).toContain(
      "GARMIN_WEBHOOK_SECRET: required in production when Garmin is configured (openssl rand -hex 32)",
    );
    expect(
      problemsOf({ ...production, ...GARMIN, GARMIN_WEBHOOK_SECRET: "g".repeat(64) }),
    ).not.toContainEqual(expect.stringMatching(/^GARMIN/));
    expect(problemsOf({ GARMIN_CLIENT_ID: "x" })).toEqual([
      "GARMIN_CLIENT_ID and GARMIN_CLIENT_SECRET: set both or neither",
    ]);
    const refused = problemsOf({ GARMIN_WEBHOOK_SECRET: `${"b".repeat(40)}/x` });
    expect(refused[0]).toMatch(/^GARMIN_WEBHOOK_SECRET: must be 32-128 letters/);
    expect(refused[0]).not.toContain("bbbb");
  });
});
