// Garmin's OAuth 2.0 token endpoint and the few Wellness API calls runstrong makes
// as one athlete. Shapes (OAuth2 PKCE specification and Health/Activity API
// documents, as published in github.com/benjdour/adapt2life docs/):
//  - token: {access_token, expires_in: 86400, token_type, refresh_token, scope,
//    jti, refresh_token_expires_in}; a new refresh token comes with every refresh;
//  - GET /wellness-api/rest/user/id -> {"userId": "…"};
//  - GET /wellness-api/rest/user/permissions -> ["ACTIVITY_EXPORT", …] (the
//    specification prints it as `{[…]}`, which is no JSON; the Health API document
//    shows a plain array; an object holding `permissions` is accepted too);
//  - DELETE /wellness-api/rest/user/registration -> 204;
//  - a ping's callbackURL -> an array of activity summaries.
// Every URL is configurable (config.garmin), so a simulator or msw can stand in.
import { createHash } from "node:crypto";
import { z } from "zod";
import type { Config } from "../../config.ts";
import {
  GarminAuthError,
  GarminError,
  GarminPermissionError,
  GarminResponseError,
  GarminUnavailableError,
} from "./errors.ts";

export interface GarminApiOptions {
  clientId: string;
  clientSecret: string;
  tokenUrl: string;
  apiBaseUrl: string;
  timeoutMs: number;
  now: () => Date;
}

export interface GarminGrant {
  accessToken: string;
  refreshToken: string;
  expiresAt: Date;
}

/** The options for Garmin when it is configured, else null (Garmin features are off). */
export function garminApiOptions(config: Config, now: () => Date): GarminApiOptions | null {
  const { clientId, clientSecret } = config.garmin;
  if (!clientId || !clientSecret) return null;
  return {
    clientId,
    clientSecret,
    tokenUrl: config.garmin.tokenUrl,
    apiBaseUrl: config.garmin.apiBaseUrl,
    timeoutMs: config.garmin.requestTimeoutMs,
    now,
  };
}

/** PKCE S256: base64url(sha256(verifier)) (RFC 7636 4.2; Garmin's OAuth2 PKCE specification). */
export function codeChallenge(verifier: string): string {
  return createHash("sha256").update(verifier).digest("base64url");
}

const tokenSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1),
  expires_in: z.number().positive(),
});

const userIdSchema = z.object({ userId: z.union([z.string().min(1), z.number()]).transform(String) });

const permissionsSchema = z.union([
  z.array(z.string()),
  z.object({ permissions: z.array(z.string()) }).transform((o) => o.permissions),
]);

function describe(text: string): string {
  try {
    const j = JSON.parse(text) as Record<string, unknown>;
    const words = j.errorMessage ?? j.error_description ?? j.error ?? j.message;
    if (typeof words === "string") return words.slice(0, 200);
  } catch {}
  return text.replace(/\s+/g, " ").trim().slice(0, 120);
}

export type GarminApi = ReturnType<typeof createGarminApi>;

export function createGarminApi(o: GarminApiOptions) {
  async function send(
    what: string,
    url: string,
    init: RequestInit,
    kind: "api" | "token",
  ): Promise<{ status: number; text: string; bytes: Uint8Array }> {
    let res: Response;
    try {
      res = await fetch(url, { ...init, signal: AbortSignal.timeout(o.timeoutMs) });
    } catch (err) {
      const why = err instanceof Error && err.name === "TimeoutError" ? `no answer in ${o.timeoutMs} ms` : "";
      throw new GarminUnavailableError(`${what}: Garmin could not be reached${why ? ` (${why})` : ""}`, null);
    }
    // Read as bytes: an activity file is binary (FIT); everything else is UTF-8 JSON.
    const bytes = new Uint8Array(await res.arrayBuffer());
    const text = new TextDecoder().decode(bytes);
    if (res.ok) return { status: res.status, text, bytes };
    const message = `${what}: Garmin answered ${res.status} ${describe(text)}`.trim();
    if (res.status === 429 || res.status >= 500) throw new GarminUnavailableError(message, res.status);
    if (res.status === 401 || res.status === 403) throw new GarminAuthError(message, res.status);
    // The token endpoint refuses a used code or a retired refresh token with 400 (invalid_grant).
    if (kind === "token" && res.status === 400) throw new GarminAuthError(message, res.status);
    if (res.status === 412) throw new GarminPermissionError(message);
    throw new GarminError(message, res.status, false);
  }

  function json(what: string, text: string): unknown {
    try {
      return JSON.parse(text);
    } catch {
      throw new GarminResponseError(`${what}: Garmin's answer is not JSON`);
    }
  }

  async function token(what: string, form: Record<string, string>): Promise<GarminGrant> {
    const { text } = await send(
      what,
      o.tokenUrl,
      {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
        body: new URLSearchParams({
          ...form,
          client_id: o.clientId,
          client_secret: o.clientSecret,
        }).toString(),
      },
      "token",
    );
    const parsed = tokenSchema.safeParse(json(what, text));
    if (!parsed.success)
      throw new GarminResponseError(`${what}: Garmin's token answer lacks a field we need`);
    return {
      accessToken: parsed.data.access_token,
      refreshToken: parsed.data.refresh_token,
      expiresAt: new Date(o.now().getTime() + parsed.data.expires_in * 1000),
    };
  }

  const bearer = (accessToken: string) => ({
    authorization: `Bearer ${accessToken}`,
    accept: "application/json",
  });

  return {
    apiBaseUrl: o.apiBaseUrl,

    exchangeCode(p: { code: string; verifier: string; redirectUri: string }): Promise<GarminGrant> {
      return token("exchanging the authorization code", {
        grant_type: "authorization_code",
        code: p.code,
        code_verifier: p.verifier,
        redirect_uri: p.redirectUri,
      });
    },

    refreshToken(refreshToken: string): Promise<GarminGrant> {
      return token("refreshing the access token", {
        grant_type: "refresh_token",
        refresh_token: refreshToken,
      });
    },

    async userId(accessToken: string): Promise<string> {
      const what = "reading the Garmin user id";
      const { text } = await send(
        what,
        `${o.apiBaseUrl}/wellness-api/rest/user/id`,
        { headers: bearer(accessToken) },
        "api",
      );
      const parsed = userIdSchema.safeParse(json(what, text));
      if (!parsed.success) throw new GarminResponseError(`${what}: no userId in Garmin's answer`);
      return parsed.data.userId;
    },

    async permissions(accessToken: string): Promise<string[]> {
      const what = "reading the Garmin permissions";
      const { text } = await send(
        what,
        `${o.apiBaseUrl}/wellness-api/rest/user/permissions`,
        { headers: bearer(accessToken) },
        "api",
      );
      const parsed = permissionsSchema.safeParse(json(what, text));
      if (!parsed.success) throw new GarminResponseError(`${what}: not a list of permissions`);
      return parsed.data;
    },

    async deleteRegistration(accessToken: string): Promise<void> {
      await send(
        "deleting the Garmin registration",
        `${o.apiBaseUrl}/wellness-api/rest/user/registration`,
        { method: "DELETE", headers: bearer(accessToken) },
        "api",
      );
    },

    /**
     * The summaries a ping's callbackURL names. The caller checks that the URL points
     * at GARMIN_API_BASE_URL's origin first (isGarminCallback): the bearer token goes
     * nowhere else.
     */
    async pull(callbackUrl: string, accessToken: string): Promise<unknown[]> {
      const what = "pulling the notified summaries";
      const { text } = await send(what, callbackUrl, { headers: bearer(accessToken) }, "api");
      const body = text.trim() === "" ? [] : json(what, text);
      if (!Array.isArray(body)) throw new GarminResponseError(`${what}: not a list of summaries`);
      return body;
    },
    /** An activity file a ping announced (FIT, TCX or GPX), as Garmin sends it. */
    async pullFile(callbackUrl: string, accessToken: string): Promise<Uint8Array> {
      const { bytes } = await send(
        "downloading the notified activity file",
        callbackUrl,
        { headers: bearer(accessToken) },
        "api",
      );
      return bytes;
    },
  };
}

/** Whether a ping's callbackURL points at Garmin's API (GARMIN_API_BASE_URL's origin), so it may be fetched. */
export function isGarminCallback(callbackUrl: string, apiBaseUrl: string): boolean {
  try {
    const u = new URL(callbackUrl);
    return u.origin === new URL(apiBaseUrl).origin && u.username === "" && u.password === "";
  } catch {
    return false;
  }
}
