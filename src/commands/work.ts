import { boot } from "../runtime/bootstrap.ts";
import { runService } from "../runtime/process.ts";
import type { CommandRun } from "./command.ts";

export const run: CommandRun = async (_args, io) => {
  const booted = await boot(io, "worker", { postgres: true, redis: true });
  if (typeof booted === "number") return booted;
  return runService(booted.config, booted.logger, { http: false, workers: true });
};
