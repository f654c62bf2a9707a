// `runstrong strava subscribe | status | unsubscribe` and `runstrong backfill`,
// run in-process through the command table against real Postgres and Redis, with
// msw as Strava.
import { Readable, Writable } from "node:stream";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import type { CommandIO } from "../../src/commands/command.ts";
import { STRAVA_SUBSCRIPTION_KEY } from "../../src/db/repos/strava-data.ts";
import { activities, appState } from "../../src/db/schema/index.ts";
import { REDIS_URL } from "../support/databases.ts";
import {
  detailedActivity,
  runWorkers,
  STRAVA_TEST_ENV,
  seedStravaAthlete,
  stravaFixture,
  useStravaFake,
} from "../support/strava-fake.ts";
import { useTestEnv } from "../support/test-env.ts";

const PUBLIC_URL = "https://runstrong.example.org";
const env = await useTestEnv({ ...STRAVA_TEST_ENV, PUBLIC_URL });
const fake = useStravaFake();
const SUBSCRIPTION = stravaFixture<{ id: number }[]>("strava-push-subscriptions-list.json")[0]?.id;

/** The process environment the commands would see: this file's database, Redis prefix and keys. */
function processEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return {
    NODE_ENV: "test",
    LOG_LEVEL: "warn",
    DATABASE_URL: env.config.databaseUrl,
    REDIS_URL,
    REDIS_PREFIX: env.prefix,
    TOKEN_ENCRYPTION_KEY: env.config.secrets.tokenEncryptionKey.toString("base64"),
    SESSION_SECRET: env.config.secrets.sessionSecret,
    PUBLIC_URL,
    REPLAN_DEBOUNCE_MS: "0",
    ...STRAVA_TEST_ENV,
    ...extra,
  };
}

async function cli(args: string[], extraEnv: Record<string, string | undefined> = {}) {
  let stdout = "";
  let stderr = "";
  const sink = (write: (s: string) => void) =>
    new Writable({
      write(chunk, _enc, done) {
        write(String(chunk));
        done();
      },
    });
  const io: CommandIO = {
    stdin: Readable.from([]),
    stdout: sink((s) => {
      stdout += s;
    }),
    stderr: sink((s) => {
      stderr += s;
    }),
    env: processEnv(extraEnv),
    cwd: process.cwd(),
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

async function storedSubscription() {
  const [row] = await env.pool.db.select().from(appState).where(eq(appState.key, STRAVA_SUBSCRIPTION_KEY));
  return row?.value ?? null;
}

describe("runstrong strava", () => {
  it("subscribe creates the subscription for PUBLIC_URL/webhooks/strava/{secret} and stores its id", async () => {
    const { code, stdout, stderr } = await cli(["strava", "subscribe"]);
    expect(stderr).toBe("");
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: SUBSCRIPTION });
    expect(await storedSubscription()).toEqual({ id: SUBSCRIPTION });
    const post = fake.requests.find((r) => r.method === "POST" && r.path === "/push_subscriptions");
    expect(post).toBeDefined();
    expect(post?.token).toBeNull();
    expect(post?.form?.get("callback_url")).toBe(
      `${PUBLIC_URL}/webhooks/strava/${STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET}`,
    );
    expect(post?.form?.get("verify_token")).toBe(STRAVA_TEST_ENV.STRAVA_VERIFY_TOKEN);
    // The secret goes to Strava only: not to the terminal, not to the log.
    expect(stdout + stderr).not.toContain(STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET);
  });

  it("status says when Strava calls an address that is not this server's webhook", async () => {
    // The recorded subscription's callback is an ngrok URL with no secret.
    const { code, stderr } = await cli(["strava", "status"]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/not this server's webhook address.*unsubscribe.*subscribe/);
    expect(stderr).not.toContain(STRAVA_TEST_ENV.STRAVA_WEBHOOK_SECRET);
  });

  it("status prints the subscription as JSON", async () => {
    const { code, stdout } = await cli(["strava", "status"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ id: SUBSCRIPTION, applicationId: 24523 });
    expect(fake.count("GET", /^\/push_subscriptions$/)).toBe(1);
    const q = new URLSearchParams(fake.requests[0]?.search);
    expect(q.get("client_id")).toBe(STRAVA_TEST_ENV.STRAVA_CLIENT_ID);
  });

  it("unsubscribe deletes it on Strava and forgets the id", async () => {
    const { code, stdout } = await cli(["strava", "unsubscribe"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ deleted: [SUBSCRIPTION] });
    expect(fake.count("DELETE", new RegExp(`^/push_subscriptions/${SUBSCRIPTION}$`))).toBe(1);
    expect(await storedSubscription()).toBeNull();
  });

  it("usage errors are one line on standard error with exit 2, before anything is called", async () => {
    for (const args of [["strava"], ["strava", "subscribe-now"], ["strava", "status", "extra"]]) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.trim().split("\n")).toHaveLength(1);
      expect(stderr).toMatch(
        /^runstrong strava: .*usage: runstrong strava subscribe \| status \| unsubscribe/,
      );
    }
    expect(fake.requests).toHaveLength(0);
  });

  it("names the missing settings when Strava is not configured", async () => {
    const { code, stderr } = await cli(["strava", "subscribe"], { STRAVA_VERIFY_TOKEN: undefined });
    expect(code).toBe(2);
    expect(stderr).toMatch(/STRAVA_VERIFY_TOKEN/);
    expect(fake.requests).toHaveLength(0);
  });
});

describe("runstrong backfill", () => {
  it("usage errors are one line on standard error with exit 2", async () => {
    for (const args of [
      ["backfill"],
      ["backfill", "--athlete"],
      ["backfill", "--athlete", "x"],
      ["backfill", "--athlete", "1", "--weeks", "0"],
      ["backfill", "--athlete", "1", "--weeks", "53"],
      ["backfill", "--athlete", "1", "--since", "2026-01-01"],
      ["backfill", "--athlete", "999999"],
    ]) {
      const { code, stdout, stderr } = await cli(args);
      expect(code, args.join(" ")).toBe(2);
      expect(stdout).toBe("");
      expect(stderr.trim().split("\n"), args.join(" ")).toHaveLength(1);
      expect(stderr).toMatch(/^runstrong backfill: /);
    }
  });

  it("with no worker running, runs the backfill itself and shows its progress", async () => {
    const owner = 8001;
    const { athlete } = await seedStravaAthlete(env, { ownerId: owner });
    for (const id of [51, 52, 53])
      fake.activities.set(
        String(id),
        detailedActivity({
          id,
          athleteId: owner,
          startDate: new Date(Date.now() - id * 3_600_000).toISOString(),
        }),
      );
    const { code, stdout, stderr } = await cli(["backfill", "--athlete", String(athlete.id), "--weeks=2"]);
    expect(stderr).toMatch(/no worker is running; running the backfill here/);
    expect(stderr).toMatch(/backfill .* 3\/3 activities/);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      athleteId: athlete.id,
      weeks: 2,
      status: "done",
      listed: 3,
      imported: 3,
    });
    const after = Number(
      new URLSearchParams(fake.requests.find((r) => r.path === "/athlete/activities")?.search).get("after"),
    );
    expect(Math.abs(after * 1000 - (Date.now() - 14 * 86_400_000))).toBeLessThan(60_000);
    const rows = await env.pool.db.select().from(activities).where(eq(activities.athleteId, athlete.id));
    expect(rows).toHaveLength(3);
  });

  it("with a worker running, follows the worker's job", async () => {
    const owner = 8002;
    const { athlete } = await seedStravaAthlete(env, { ownerId: owner });
    fake.activities.set(
      "61",
      detailedActivity({ id: 61, athleteId: owner, startDate: new Date().toISOString() }),
    );
    runWorkers(env, ["strava"], 1);
    const { code, stdout, stderr } = await cli(["backfill", "--athlete", String(athlete.id)]);
    expect(stderr).not.toMatch(/no worker is running/);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      athleteId: athlete.id,
      weeks: 6,
      status: "done",
      imported: 1,
    });
  });
});
