// `runstrong strava subscribe | status | unsubscribe`: the application's one Strava
// push subscription (webhook). Strava validates the callback while creating it,
// so `subscribe` needs the server running and reachable at PUBLIC_URL. The callback
// carries STRAVA_WEBHOOK_SECRET in its path; nothing here prints or logs it.
import type { Config } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { deleteAppState, setAppState } from "../db/repos/app-state.ts";
import { getStravaSubscriptionId, STRAVA_SUBSCRIPTION_KEY } from "../db/repos/strava-data.ts";
import {
  createSubscription,
  deleteSubscription,
  listSubscriptions,
  StravaError,
  type StravaPushSubscription,
} from "../integrations/strava/api.ts";
import type { Logger } from "../observability/logger.ts";
import { boot } from "../runtime/bootstrap.ts";
import { redactWebhookUrl, webhookPath } from "../server/webhook-path.ts";
import { type CommandIO, type CommandRun, EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError } from "./command.ts";

export const USAGE = "usage: runstrong strava subscribe | status | unsubscribe";
const ACTIONS = ["subscribe", "status", "unsubscribe"] as const;
type Action = (typeof ACTIONS)[number];

/** The webhook address Strava is given: PUBLIC_URL/webhooks/strava/{STRAVA_WEBHOOK_SECRET}. */
export function callbackUrl(config: Config): string {
  return `${config.http.publicUrl}${webhookPath("strava", config.strava.webhookSecret ?? "")}`;
}

function parseArgs(args: string[]): Action {
  const [action, ...rest] = args;
  if (!action) throw new UsageError(`missing action; ${USAGE}`);
  if (!(ACTIONS as readonly string[]).includes(action))
    throw new UsageError(`unknown action "${action}"; ${USAGE}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"; ${USAGE}`);
  return action as Action;
}

/** What is missing from the configuration for the action, one line, or null. */
function missingConfig(config: Config, action: Action): string | null {
  const missing: string[] = [];
  if (!config.strava.clientId) missing.push("STRAVA_CLIENT_ID");
  if (!config.strava.clientSecret) missing.push("STRAVA_CLIENT_SECRET");
  if (action === "subscribe" && !config.strava.verifyToken) missing.push("STRAVA_VERIFY_TOKEN");
  if (action === "subscribe" && !config.strava.webhookSecret) missing.push("STRAVA_WEBHOOK_SECRET");
  return missing.length > 0
    ? `set ${missing.join(", ")} first (docs/strava.md shows how to create a Strava API application)`
    : null;
}

function json(s: StravaPushSubscription | null): string {
  return `${JSON.stringify(
    s
      ? {
          id: s.id,
          callbackUrl: s.callbackUrl ? redactWebhookUrl(s.callbackUrl) : s.callbackUrl,
          applicationId: s.applicationId,
        }
      : null,
  )}\n`;
}

export const run: CommandRun = async (args, io) => {
  let action: Action;
  try {
    action = parseArgs(args);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr.write(`runstrong strava: ${err.message}\n`);
    return EXIT_USAGE;
  }
  const booted = await boot(io, "strava", { postgres: true, redis: false }, "answer");
  if (typeof booted === "number") return booted;
  const { config, logger } = booted;
  const missing = missingConfig(config, action);
  if (missing) {
    io.stderr.write(`runstrong strava ${action}: ${missing}\n`);
    return EXIT_USAGE;
  }
  const pool = openDatabase(config.databaseUrl, { max: 1, applicationName: "runstrong-strava" });
  try {
    const deps = { config, logger, db: pool.db, io };
    if (action === "subscribe") return await subscribe(deps);
    if (action === "status") return await status(deps);
    return await unsubscribe(deps);
  } catch (err) {
    if (!(err instanceof StravaError)) throw err;
    io.stderr.write(`runstrong strava ${action}: Strava answered: ${err.message}\n`);
    return EXIT_FAILURE;
  } finally {
    await pool.close();
  }
};

interface Deps {
  config: Config;
  logger: Logger;
  db: ReturnType<typeof openDatabase>["db"];
  io: CommandIO;
}

async function subscribe({ config, logger, db, io }: Deps): Promise<number> {
  const url = callbackUrl(config);
  let created: StravaPushSubscription;
  try {
    created = await createSubscription(
      config,
      { callbackUrl: url, verifyToken: config.strava.verifyToken ?? "" },
      logger,
    );
  } catch (err) {
    if (!(err instanceof StravaError)) throw err;
    // An application has at most one subscription: Strava refuses a second one.
    const existing = (await listSubscriptions(config, logger).catch(() => []))[0];
    if (existing?.callbackUrl === url) {
      await setAppState(db, STRAVA_SUBSCRIPTION_KEY, { id: existing.id });
      io.stdout.write(json(existing));
      return EXIT_OK;
    }
    io.stderr.write(
      existing
        ? `runstrong strava subscribe: this Strava application already has subscription ${existing.id} for ${existing.callbackUrl ? redactWebhookUrl(existing.callbackUrl) : "another callback"}; Strava cannot change a callback, so move it: \`runstrong strava unsubscribe\`, then subscribe again (docs/strava.md)\n`
        : `runstrong strava subscribe: Strava refused the subscription (${err.message}). While subscribing, Strava calls ${redactWebhookUrl(url)}: the server must be running (runstrong start or serve), reachable from the internet at PUBLIC_URL, and started with the same STRAVA_VERIFY_TOKEN and STRAVA_WEBHOOK_SECRET as this command\n`,
    );
    return EXIT_FAILURE;
  }
  await setAppState(db, STRAVA_SUBSCRIPTION_KEY, { id: created.id });
  logger.info(
    { subscriptionId: created.id, callbackUrl: redactWebhookUrl(url) },
    "strava push subscription created",
  );
  io.stdout.write(json(created));
  return EXIT_OK;
}

async function status({ config, logger, db, io }: Deps): Promise<number> {
  const [current] = await listSubscriptions(config, logger);
  const stored = await getStravaSubscriptionId(db);
  if ((current?.id ?? null) !== stored)
    io.stderr.write(
      `runstrong strava status: the database remembers ${stored === null ? "no subscription" : `subscription ${stored}`}, Strava has ${current ? `subscription ${current.id}` : "none"}; run \`runstrong strava subscribe\` to bring them together\n`,
    );
  // An old callback (no secret, an older secret or another PUBLIC_URL) gets no event through.
  if (current?.callbackUrl && config.strava.webhookSecret && current.callbackUrl !== callbackUrl(config))
    io.stderr.write(
      `runstrong strava status: Strava calls ${redactWebhookUrl(current.callbackUrl)}, which is not this server's webhook address (PUBLIC_URL, STRAVA_WEBHOOK_SECRET); move the subscription: \`runstrong strava unsubscribe\`, then \`runstrong strava subscribe\` (docs/strava.md)\n`,
    );
  io.stdout.write(json(current ?? null));
  return EXIT_OK;
}

async function unsubscribe({ config, logger, db, io }: Deps): Promise<number> {
  const current = await listSubscriptions(config, logger);
  for (const s of current) {
    await deleteSubscription(config, s.id, logger);
    logger.info({ subscriptionId: s.id }, "strava push subscription deleted");
  }
  await deleteAppState(db, STRAVA_SUBSCRIPTION_KEY);
  io.stdout.write(`${JSON.stringify({ deleted: current.map((s) => s.id) })}\n`);
  return EXIT_OK;
}
