// `runstrong plan [FILE]` (contracts/cli.md): reads the plan input from FILE or
// standard input, validates it, classifies runs that come as full Strava
// activities (the domain knows no Strava), and prints planStrength's output.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { Activity } from "../domain/activity.ts";
import { deriveBaseline } from "../domain/classify/baseline.ts";
import { classifyActivity } from "../domain/classify/run.ts";
import {
  describeInputError,
  type PlanInput,
  PlanInputSchema,
  type PlanRunInput,
} from "../domain/plan/input.ts";
import { planStrength } from "../domain/plan/plan.ts";
import { mapStravaActivity, parseStravaJson } from "../integrations/strava/activity.ts";
import { type CommandRun, EXIT_OK, EXIT_USAGE, readAll, UsageError } from "./command.ts";

const USAGE = "usage: runstrong plan [FILE]   (reads standard input without FILE or with -)";

export const run: CommandRun = async (args, io) => {
  if (args.includes("--help") || args.includes("-h")) {
    io.stdout.write(`${USAGE}\n`);
    return EXIT_OK;
  }
  try {
    const input = await readInput(args, io);
    const output = planStrength(input);
    io.stdout.write(`${JSON.stringify(output, null, 2)}\n`);
    return EXIT_OK;
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr.write(`runstrong plan: ${error.message}\n`);
      return EXIT_USAGE;
    }
    throw error;
  }
};

async function readInput(args: string[], io: Parameters<CommandRun>[1]): Promise<PlanInput> {
  if (args.length > 1) throw new UsageError(`expected at most one FILE, got ${args.length}; ${USAGE}`);
  const file = args[0];
  let text: string;
  if (file === undefined || file === "-") text = await readAll(io.stdin);
  else {
    try {
      text = await readFile(resolve(io.cwd, file), "utf8");
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  }
  let json: unknown;
  try {
    // Keeps Strava ids beyond 2^53 exact inside embedded activities.
    json = parseStravaJson(text);
  } catch (error) {
    throw new UsageError(`invalid JSON: ${(error as Error).message}`);
  }
  const parsed = PlanInputSchema.safeParse(json);
  if (!parsed.success) throw new UsageError(describeInputError(parsed.error));
  return classifyActivities(parsed.data);
}

/**
 * Runs given as a full Strava activity and no `kind` are classified here, with a
 * baseline from the other activities of the input. A strength activity among the
 * runs is logged strength, as DESIGN.md says: it joins strengthDone.
 */
function classifyActivities(input: ReturnType<typeof PlanInputSchema.parse>): PlanInput {
  const mapped: Array<Activity | null> = input.runs.map((r, i) => {
    if (!r.activity || r.kind) return null;
    try {
      return mapStravaActivity(r.activity);
    } catch (error) {
      throw new UsageError(`runs[${i}].activity: ${(error as Error).message}`);
    }
  });
  const activities = mapped.filter((a): a is Activity => a !== null);
  const runs: PlanRunInput[] = [];
  const strengthDone = [...input.strengthDone];
  input.runs.forEach((r, i) => {
    const activity = mapped[i];
    if (!activity) {
      runs.push(r);
      return;
    }
    if (activity.sport === "strength") {
      strengthDone.push({ start: r.start, durationMin: r.durationMin });
      return;
    }
    const classification = classifyActivity(activity, {
      baseline: deriveBaseline(activities, activity.start),
    });
    runs.push({ ...r, title: r.title ?? activity.name, classification });
  });
  return { ...input, runs, strengthDone };
}
