import type { CommandIO } from "../commands/command.ts";
import { type Config, ConfigError, loadConfig } from "../config.ts";
import { createLogger, type Logger } from "../observability/logger.ts";
import { checkPostgres, checkRedis, formatMissing } from "./dependencies.ts";

export interface Booted {
  config: Config;
  logger: Logger;
}

/**
 * Configuration, logger and the dependency check shared by the long-running
 * commands. Returns an exit code (2) instead when something must be fixed
 * first, after printing one readable line per problem.
 */
export async function boot(
  io: CommandIO,
  role: string,
  needs: { postgres: boolean; redis: boolean; createDatabase?: boolean },
  /** one-shot commands whose standard output is their answer log warnings only, to standard error */
  output: "service" | "answer" = "service",
): Promise<Booted | number> {
  let config: Config;
  try {
    config = loadConfig(io.env, io.cwd);
  } catch (err) {
    if (err instanceof ConfigError) {
      io.stderr.write(`runstrong: invalid configuration\n${err.problems.map((p) => `  ${p}\n`).join("")}`);
      return 2;
    }
    throw err;
  }
  const logger =
    output === "service"
      ? createLogger({ level: config.logLevel }).child({ role })
      : createLogger({ level: "warn" }, io.stderr).child({ role });
  if (config.secrets.generatedFile) {
    logger.info(
      { file: config.secrets.generatedFile },
      "development secrets in use (set TOKEN_ENCRYPTION_KEY and SESSION_SECRET in production)",
    );
  }
  const missing = (
    await Promise.all([
      needs.postgres
        ? checkPostgres(config.databaseUrl, { createIfMissing: needs.createDatabase ?? false })
        : null,
      needs.redis ? checkRedis(config.redis.url) : null,
    ])
  ).filter((m) => m !== null);
  if (missing.length > 0) {
    io.stderr.write(`${formatMissing(missing)}\n`);
    return 2;
  }
  return { config, logger };
}

/** Resolves on the first SIGTERM or SIGINT; a second one while shutting down exits at once. */
export function untilSignal(logger: Logger): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.off("SIGTERM", onSignal);
      process.off("SIGINT", onSignal);
      process.once("SIGTERM", () => process.exit(130));
      process.once("SIGINT", () => process.exit(130));
      logger.info({ signal }, "shutting down");
      resolve(signal);
    };
    process.on("SIGTERM", onSignal);
    process.on("SIGINT", onSignal);
  });
}
