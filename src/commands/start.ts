import { boot } from "../runtime/bootstrap.ts";
import { migrateDatabase } from "../runtime/migrate-database.ts";
import type { CommandRun } from "./command.ts";

export const USAGE =
  "usage: runstrong start   (migrates the database, then serves HTTP and runs the workers; configured from the environment)";

/** The small-install default: migrate, then HTTP and workers in one process. */
export const run: CommandRun = async (_args, io) => {
  const booted = await boot(io, "all", { postgres: true, redis: true, createDatabase: true });
  if (typeof booted === "number") return booted;
  await migrateDatabase(booted.config, booted.logger);
  const { runService } = await import("../runtime/process.ts");
  return runService(booted.config, booted.logger, { http: true, workers: true });
};
