import { redactUrl } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { ensureDatabase, runMigrations } from "../db/migrate.ts";
import { boot } from "../runtime/bootstrap.ts";
import type { CommandRun } from "./command.ts";

export const run: CommandRun = async (_args, io) => {
  const booted = await boot(io, "migrate", { postgres: true, redis: false, createDatabase: true });
  if (typeof booted === "number") return booted;
  const { config, logger } = booted;
  if (await ensureDatabase(config.databaseUrl))
    logger.info({ database: redactUrl(config.databaseUrl) }, "created database");
  const pool = openDatabase(config.databaseUrl, { max: 2, applicationName: "runstrong-migrate" });
  try {
    await runMigrations(pool);
    logger.info("migrations applied");
    return 0;
  } finally {
    await pool.close();
  }
};
