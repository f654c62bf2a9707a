import { type Config, redactUrl } from "../config.ts";
import { openDatabase } from "../db/client.ts";
import { ensureDatabase, runMigrations } from "../db/migrate.ts";
import type { Logger } from "../observability/logger.ts";

/** `runstrong migrate`, and the first step of `runstrong start`: create the database when missing, then migrate. */
export async function migrateDatabase(config: Config, logger: Logger): Promise<void> {
  if (await ensureDatabase(config.databaseUrl))
    logger.info({ database: redactUrl(config.databaseUrl) }, "created database");
  const pool = openDatabase(config.databaseUrl, { max: 2, applicationName: "runstrong-migrate" });
  try {
    await runMigrations(pool);
  } finally {
    await pool.close();
  }
  logger.info("migrations applied");
}
