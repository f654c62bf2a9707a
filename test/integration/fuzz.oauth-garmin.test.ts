// Property-based fuzzing of Garmin's OAuth callback (PKCE) against the real app and
// Postgres, msw as Garmin: missing, forged, mangled and replayed state, arbitrary
// codes and errors, and a code for an account another athlete holds.
import { createApp } from "../../src/server/app.ts";
import { oauthCallbackFuzz } from "../support/fuzz-oauth.ts";
import { GARMIN_TEST_ENV, useGarminFake } from "../support/garmin-fake.ts";
import { useTestEnv } from "../support/test-env.ts";

const env = await useTestEnv({
  ...GARMIN_TEST_ENV,
  PUBLIC_URL: "https://runstrong.example.org",
  RATE_LIMIT_OAUTH_START_PER_MINUTE: "0",
});
const garmin = useGarminFake();
const app = createApp({
  config: env.config,
  db: env.pool.db,
  queues: env.queues,
  logger: env.logger,
  metrics: env.metrics,
  readiness: [],
  now: () => new Date(),
});

oauthCallbackFuzz({
  provider: "garmin",
  env,
  app,
  goodCode: (challenge, account) => garmin.consent(challenge, account),
  accountOf: (account) => account,
  extra: {},
});
