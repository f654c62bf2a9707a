// Property-based fuzzing of Strava's OAuth callback against the real app and
// Postgres, msw as Strava: missing, forged, mangled and replayed state, arbitrary
// codes, scopes and errors, and a code for an account another athlete holds.
import { createApp } from "../../src/server/app.ts";
import { ALL_STRAVA_SCOPES, oauthCallbackFuzz } from "../support/fuzz-oauth.ts";
import { STRAVA_TEST_ENV, stravaFixture, useStravaFake } from "../support/strava-fake.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({
  ...STRAVA_TEST_ENV,
  PUBLIC_URL: "https://runstrong.example.org",
  RATE_LIMIT_OAUTH_START_PER_MINUTE: "0",
});
useStravaFake();
const app = createApp({
  config: env.config,
  db: env.pool.db,
  queues: env.queues,
  logger: env.logger,
  metrics: env.metrics,
  readiness: [],
  now: () => new Date(),
});
// The fake's token exchange always answers its fixture's athlete.
const STRAVA_ATHLETE = String(
  stravaFixture<{ athlete: { id: number } }>("strava-oauth-token-exchange.json").athlete.id,
);

oauthCallbackFuzz({
  provider: "strava",
  env,
  app,
  goodCode: () => "code-from-strava",
  accountOf: () => STRAVA_ATHLETE,
  extra: { scope: ALL_STRAVA_SCOPES },
});
