// `runstrong classify [--zones FILE] [--max-hr N] [--history] FILE...` (docs/cli.md): one
// JSON line per file, in order. A file that cannot be read or parsed gets an error line
// and the command exits 2 after the others; bad flags stop it at once with one line on
// standard error. By default each file is classified on its own (no baseline from the
// others), so a file's answer does not depend on what else was named beside it. With
// --history the files are one athlete's history: each run is judged against the easy
// pace, easy HR and usual length of the runs among them in the six weeks before it, the
// baseline the service builds from past runs.
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { type Activity, ActivityParseError, activityLocalDate } from "../domain/activity.ts";
import { deriveBaseline } from "../domain/classify/baseline.ts";
import { classifyActivity } from "../domain/classify/run.ts";
import type { ClassifyContext, HeartRateZone } from "../domain/classify/types.ts";
import { readActivityFile } from "../integrations/activity-file.ts";
import { mapStravaZones } from "../integrations/strava/zones.ts";
import { type CommandIO, type CommandRun, EXIT_OK, EXIT_USAGE, UsageError } from "./command.ts";

export const USAGE = "usage: runstrong classify [--zones FILE] [--max-hr N] [--history] FILE...";

const FLAGS = {
  options: { zones: { type: "string" }, "max-hr": { type: "string" }, history: { type: "boolean" } },
  allowPositionals: true,
  strict: true,
} as const;

interface Options {
  zones: HeartRateZone[] | null;
  maxHr: number | null;
  history: boolean;
  files: string[];
}

async function readInput(file: string, io: CommandIO): Promise<Buffer> {
  if (file === "-") {
    const chunks: Buffer[] = [];
    for await (const chunk of io.stdin)
      chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : (chunk as Buffer));
    return Buffer.concat(chunks);
  }
  return readFile(resolve(io.cwd, file));
}

async function options(args: string[], io: CommandIO): Promise<Options> {
  let parsed: ReturnType<typeof parseArgs<typeof FLAGS>>;
  try {
    parsed = parseArgs({ ...FLAGS, args });
  } catch (e) {
    // node:util's messages run over several lines; the contract wants one.
    throw new UsageError(`${e instanceof Error ? (e.message.split("\n")[0] ?? "") : String(e)} (${USAGE})`);
  }
  const { values, positionals } = parsed;
  if (positionals.length === 0) throw new UsageError(`no activity file given (${USAGE})`);
  let maxHr: number | null = null;
  if (values["max-hr"] !== undefined) {
    const n = Number(values["max-hr"]);
    if (!/^\d+$/.test(values["max-hr"]) || n < 100 || n > 250) {
      throw new UsageError(
        `--max-hr must be a whole number of beats per minute between 100 and 250, got "${values["max-hr"]}"`,
      );
    }
    maxHr = n;
  }
  let zones: HeartRateZone[] | null = null;
  if (values.zones !== undefined) {
    try {
      zones = mapStravaZones(JSON.parse((await readInput(values.zones, io)).toString("utf8")));
    } catch (e) {
      throw new UsageError(`--zones ${values.zones}: ${message(e)}`);
    }
  }
  return { zones, maxHr, history: values.history === true, files: positionals };
}

function message(e: unknown): string {
  if (e instanceof ActivityParseError || e instanceof SyntaxError) return e.message;
  const err = e as NodeJS.ErrnoException;
  if (err?.code === "ENOENT") return "no such file";
  if (err?.code === "EISDIR") return "is a directory";
  if (err?.code === "EACCES") return "permission denied";
  return e instanceof Error ? e.message : String(e);
}

export const run: CommandRun = async (args, io) => {
  let opts: Options;
  try {
    opts = await options(args, io);
  } catch (e) {
    io.stderr.write(`runstrong classify: ${e instanceof UsageError ? e.message : message(e)}\n`);
    return EXIT_USAGE;
  }
  // Every file is read first: with --history each one is part of the others' baseline.
  const read: Array<
    { file: string; activity: Activity; warnings: string[] } | { file: string; error: string }
  > = [];
  for (const file of opts.files) {
    try {
      read.push({ file, ...readActivityFile(await readInput(file, io), file) });
    } catch (e) {
      read.push({ file, error: message(e) });
    }
  }
  const history = opts.history ? read.flatMap((r) => ("activity" in r ? [r.activity] : [])) : [];
  let failed = false;
  for (const r of read) {
    if ("error" in r) {
      failed = true;
      io.stdout.write(`${JSON.stringify(r)}\n`);
      continue;
    }
    const { file, activity, warnings } = r;
    const ctx: ClassifyContext = {
      hrZones: opts.zones,
      maxHr: opts.maxHr,
      baseline: opts.history ? deriveBaseline(history, activity.start) : null,
    };
    const c = classifyActivity(activity, ctx);
    const line = {
      file,
      source: activity.source,
      id: activity.id,
      date: activityLocalDate(activity),
      sport: activity.sport,
      kind: c.kind,
      subtype: c.subtype,
      confidence: c.confidence,
      reasons: c.reasons,
      ...(warnings.length ? { warnings } : {}),
    };
    io.stdout.write(`${JSON.stringify(line)}\n`);
  }
  return failed ? EXIT_USAGE : EXIT_OK;
};
