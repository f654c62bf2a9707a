// Garmin as msw stands in for it: the OAuth 2.0 token endpoint (PKCE checked),
// the Wellness API's user id, permissions and registration, and a ping's
// callback, answering with the documented shapes of test/fixtures/garmin. State
// is plain and mutable so a test can say "this user revoked runstrong" or "the
// callback answers these summaries", and every request is recorded.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { type HttpHandler, HttpResponse, http } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { connectAthlete } from "../../src/db/repos/connections.ts";
import { webhookPath } from "../../src/server/webhook-path.ts";
import type { TestEnv } from "./test-env.ts";

const FIXTURES = new URL("../fixtures/garmin/", import.meta.url);

export function garminFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(fileURLToPath(new URL(name, FIXTURES)), "utf8")) as T;
}

export const GARMIN_API = "https://apis.garmin.test";
export const GARMIN_TOKEN_URL = "https://diauth.garmin.test/di-oauth2-service/oauth/token";
export const GARMIN_AUTHORIZE_URL = "https://connect.garmin.test/oauth2Confirm";

/** Settings a test environment needs for Garmin (pass to useTestEnv). */
export const GARMIN_TEST_ENV = {
  GARMIN_CLIENT_ID: "600a2456-ab5f-4b1f-8eb3-8cc8dc86264d",
  GARMIN_CLIENT_SECRET: "garmin-client-secret-for-tests",
  GARMIN_AUTHORIZE_URL,
  GARMIN_TOKEN_URL,
  GARMIN_API_BASE_URL: GARMIN_API,
  GARMIN_WEBHOOK_SECRET: "garmin-webhook-secret-for-tests-0123456789",
} as const;

/** Where the test app takes Garmin's notifications of one kind. */
export function garminWebhook(kind: "activities" | "deregistrations" | "permissions"): string {
  return `${webhookPath("garmin", GARMIN_TEST_ENV.GARMIN_WEBHOOK_SECRET)}/${kind}`;
}

export interface GarminRequest {
  method: string;
  url: string;
  token: string | null;
  form?: URLSearchParams;
}

export interface GarminFake {
  requests: GarminRequest[];
  /** access token -> Garmin user id: the tokens the API accepts */
  accessTokens: Map<string, string>;
  /** refresh token -> Garmin user id */
  refreshTokens: Map<string, string>;
  /** authorization code -> the challenge it was issued for and its user */
  codes: Map<string, { challenge: string; userId: string }>;
  permissions: Map<string, string[]>;
  /** users who withdrew runstrong on Garmin Connect: their tokens are refused */
  revoked: Set<string>;
  /** what GET /wellness-api/rest/activities answers */
  pulled: unknown[];
  issued: number;
  /** the user consents on Garmin's page: a code bound to the challenge the authorize URL carried */
  consent(challenge: string, userId: string): string;
  handlers: HttpHandler[];
  reset(): void;
}

export function createGarminFake(): GarminFake {
  const fresh = () => ({
    accessTokens: new Map<string, string>(),
    refreshTokens: new Map<string, string>(),
    codes: new Map<string, { challenge: string; userId: string }>(),
    permissions: new Map<string, string[]>(),
    revoked: new Set<string>(),
    pulled: [] as unknown[],
    issued: 0,
  });
  const fake = {
    requests: [] as GarminRequest[],
    ...fresh(),
    consent(challenge: string, userId: string) {
      const code = `code-${fake.codes.size + 1}-${userId}`;
      fake.codes.set(code, { challenge, userId });
      return code;
    },
    reset() {
      fake.requests.length = 0;
      Object.assign(fake, fresh());
    },
  } as GarminFake;

  const record = (request: Request, form?: URLSearchParams) => {
    fake.requests.push({
      method: request.method,
      url: request.url,
      token: request.headers.get("authorization")?.replace(/^Bearer /, "") ?? null,
      ...(form ? { form } : {}),
    });
  };
  const grant = (userId: string) => {
    fake.issued++;
    const access = `garmin-access-${fake.issued}`;
    const refresh = `garmin-refresh-${fake.issued}`;
    fake.accessTokens.set(access, userId);
    fake.refreshTokens.set(refresh, userId);
    return HttpResponse.json({
      ...garminFixture<Record<string, unknown>>("oauth2-token.json"),
      access_token: access,
      refresh_token: refresh,
    });
  };
  const invalidGrant = () =>
    HttpResponse.json({ error: "invalid_grant", error_description: "refused" }, { status: 400 });
  /** The user a request's bearer token stands for, or null (401). */
  const user = (request: Request): string | null => {
    const token = request.headers.get("authorization")?.replace(/^Bearer /, "") ?? "";
    const id = fake.accessTokens.get(token);
    return id === undefined || fake.revoked.has(id) ? null : id;
  };
  const unauthorized = () => HttpResponse.json({ errorMessage: "Unauthorized" }, { status: 401 });

  fake.handlers = [
    http.post(GARMIN_TOKEN_URL, async ({ request }) => {
      const form = new URLSearchParams(await request.text());
      record(request, form);
      if (form.get("client_secret") !== GARMIN_TEST_ENV.GARMIN_CLIENT_SECRET) return invalidGrant();
      if (form.get("grant_type") === "authorization_code") {
        const code = fake.codes.get(form.get("code") ?? "");
        const verifier = form.get("code_verifier") ?? "";
        if (!code) return invalidGrant();
        fake.codes.delete(form.get("code") ?? "");
        // PKCE S256: the verifier must hash to the challenge the authorize URL carried.
        if (createHash("sha256").update(verifier).digest("base64url") !== code.challenge)
          return invalidGrant();
        return grant(code.userId);
      }
      if (form.get("grant_type") === "refresh_token") {
        const refresh = form.get("refresh_token") ?? "";
        const userId = fake.refreshTokens.get(refresh);
        if (userId === undefined || fake.revoked.has(userId)) return invalidGrant();
        // A new refresh token comes with every refresh; the old one is retired.
        fake.refreshTokens.delete(refresh);
        return grant(userId);
      }
      return invalidGrant();
    }),
    http.get(`${GARMIN_API}/wellness-api/rest/user/id`, ({ request }) => {
      record(request);
      const id = user(request);
      return id === null ? unauthorized() : HttpResponse.json({ userId: id });
    }),
    http.get(`${GARMIN_API}/wellness-api/rest/user/permissions`, ({ request }) => {
      record(request);
      const id = user(request);
      if (id === null) return unauthorized();
      return HttpResponse.json(
        fake.permissions.get(id) ?? garminFixture<string[]>("wellness-user-permissions.json"),
      );
    }),
    http.delete(`${GARMIN_API}/wellness-api/rest/user/registration`, ({ request }) => {
      record(request);
      const id = user(request);
      if (id === null) return unauthorized();
      fake.revoked.add(id);
      return new HttpResponse(null, { status: 204 });
    }),
    http.get(`${GARMIN_API}/wellness-api/rest/activities`, ({ request }) => {
      record(request);
      return user(request) === null ? unauthorized() : HttpResponse.json(fake.pulled);
    }),
  ];
  return fake;
}

/** Starts msw for Garmin alone in this file (closed when it ends); state resets after each test. */
export function useGarminFake(): GarminFake {
  const fake = createGarminFake();
  const server = setupServer(...fake.handlers);
  beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
  afterEach(() => fake.reset());
  afterAll(() => server.close());
  return fake;
}

/** An athlete connected to Garmin as the callback would leave them, with tokens the fake accepts. */
export async function seedGarminAthlete(
  env: TestEnv,
  fake: GarminFake,
  o: { userId: string; signedInAthleteId?: number; permissions?: string[] },
) {
  const access = `seed-garmin-access-${o.userId}`;
  const refresh = `seed-garmin-refresh-${o.userId}`;
  fake.accessTokens.set(access, o.userId);
  fake.refreshTokens.set(refresh, o.userId);
  const permissions = o.permissions ?? garminFixture<string[]>("wellness-user-permissions.json");
  fake.permissions.set(o.userId, permissions);
  return connectAthlete(env.pool.db as Database, env.config.secrets.tokenEncryptionKey, {
    provider: "garmin",
    externalAthleteId: o.userId,
    displayName: null,
    tokens: { accessToken: access, refreshToken: refresh, expiresAt: new Date(Date.now() + 86_400_000) },
    scopes: permissions,
    signedInAthleteId: o.signedInAthleteId ?? null,
  });
}
