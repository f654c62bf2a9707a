import { boot } from "../runtime/bootstrap.ts";
import type { CommandRun } from "./command.ts";

export const USAGE = "usage: runstrong work   (runs the queue workers only; configured from the environment)";

export const run: CommandRun = async (_args, io) => {
  const booted = await boot(io, "worker", { postgres: true, redis: true });
  if (typeof booted === "number") return booted;
  // Loaded after the checks so a configuration or dependency error answers at once.
  const { runService } = await import("../runtime/process.ts");
  return runService(booted.config, booted.logger, { http: false, workers: true });
};
