import { boot } from "../runtime/bootstrap.ts";
import { migrateDatabase } from "../runtime/migrate-database.ts";
import type { CommandRun } from "./command.ts";

export const USAGE =
  "usage: runstrong migrate   (creates the database named by DATABASE_URL if missing, then applies the migrations)";

export const run: CommandRun = async (_args, io) => {
  const booted = await boot(io, "migrate", { postgres: true, redis: false, createDatabase: true });
  if (typeof booted === "number") return booted;
  await migrateDatabase(booted.config, booted.logger);
  return 0;
};
