import { redactUrl } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { ensureDatabase, runMigrations } from "../db/migrate.ts";
import { boot } from "../runtime/bootstrap.ts";
import type { CommandRun } from "./command.ts";

/** The small-install default: migrate, then HTTP and workers in one process. */
export const run: CommandRun = async (_args, io) => {
  const booted = await boot(io, "all", { postgres: true, redis: true, createDatabase: true });
  if (typeof booted === "number") return booted;
  const { config, logger } = booted;
  if (await ensureDatabase(config.databaseUrl))
    logger.info({ database: redactUrl(config.databaseUrl) }, "created database");
  const pool = openDatabase(config.databaseUrl, { max: 2, applicationName: "runstrong-migrate" });
  try {
    await runMigrations(pool);
  } finally {
    await pool.close();
  }
  logger.info("migrations applied");
  const { runService } = await import("../runtime/process.ts");
  return runService(config, logger, { http: true, workers: true });
};
