// `npm run bench -- classify [--rounds N]`: how many activities `runstrong classify` gets
// through per second, reading included: each file's bytes are decoded (FIT with the
// Garmin SDK, Strava and Garmin JSON through their zod schemas) and classified, as the
// CLI does, minus the disk (files are read into memory once). Inputs: the labelled
// evaluation set in test/fixtures/classify-eval (real and derived runs, 25 FIT files)
// and the 908 real Strava summaries, each classified with the baseline of its six weeks.
import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import type { Activity } from "../src/domain/activity.ts";
import { deriveBaseline } from "../src/domain/classify/baseline.ts";
import { classifyActivity } from "../src/domain/classify/run.ts";
import { readActivityFile } from "../src/integrations/activity-file.ts";
import { mapStravaActivity, parseStravaJson } from "../src/integrations/strava/activity.ts";

const FIXTURES = new URL("../test/fixtures/", import.meta.url);
const EVAL = new URL("classify-eval/", FIXTURES);

const round = (x: number, digits = 3): number => Number(x.toFixed(digits));

function arg(args: string[], name: string, fallback: number): number {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? Number(args[i + 1]) : fallback;
}

interface Input {
  file: string;
  bytes: Buffer;
  fit: boolean;
}

function inputs(): Input[] {
  return ["real", "built"].flatMap((dir) =>
    readdirSync(new URL(`${dir}/`, EVAL))
      .filter((f) => f.endsWith(".fit") || f.endsWith(".json"))
      .sort()
      .map((f) => ({
        file: `${dir}/${f}`,
        bytes: readFileSync(new URL(`${dir}/${f}`, EVAL)),
        fit: f.endsWith(".fit"),
      })),
  );
}

/** Decode and classify every input once; returns the milliseconds each kind of file took. */
function pass(files: Input[]): { fitMs: number; jsonMs: number; quality: number } {
  let fitMs = 0;
  let jsonMs = 0;
  let quality = 0;
  for (const f of files) {
    const t0 = performance.now();
    const { activity } = readActivityFile(f.bytes, f.file);
    if (classifyActivity(activity, {}).kind === "quality") quality++;
    const ms = performance.now() - t0;
    if (f.fit) fitMs += ms;
    else jsonMs += ms;
  }
  return { fitMs, jsonMs, quality };
}

export async function main(args: string[]): Promise<object> {
  const rounds = arg(args, "--rounds", 40);
  const files = inputs();
  const fitFiles = files.filter((f) => f.fit).length;
  for (let i = 0; i < 5; i++) pass(files);
  let fitMs = 0;
  let jsonMs = 0;
  let quality = 0;
  const t0 = performance.now();
  for (let i = 0; i < rounds; i++) {
    const r = pass(files);
    fitMs += r.fitMs;
    jsonMs += r.jsonMs;
    quality = r.quality;
  }
  const totalMs = performance.now() - t0;
  const classified = files.length * rounds;

  // Classification alone, on activities decoded beforehand: what the decoding costs is the rest.
  const decoded = files.map((f) => readActivityFile(f.bytes, f.file).activity);
  const c0 = performance.now();
  for (let i = 0; i < rounds; i++) for (const a of decoded) classifyActivity(a, {});
  const classifyMs = performance.now() - c0;

  // The 908 summaries: parse, map, and classify each against its own six-week baseline.
  const text = readFileSync(new URL("strava/strava-summary-runs-908-one-athlete.json", FIXTURES), "utf8");
  const history = () => {
    const runs: Activity[] = (parseStravaJson(text) as unknown[]).map(mapStravaActivity);
    let q = 0;
    for (const a of runs)
      if (classifyActivity(a, { baseline: deriveBaseline(runs, a.start) }).kind === "quality") q++;
    return { runs: runs.length, quality: q };
  };
  history();
  const h0 = performance.now();
  const h = history();
  const historyMs = performance.now() - h0;

  return {
    node: process.version,
    // The machine's 1-minute load average: on a shared machine the wall clock also counts others' work.
    loadAverage1m: round(loadavg()[0] ?? 0, 2),
    cpus: availableParallelism(),
    evaluationSet: {
      files: files.length,
      fitFiles,
      jsonFiles: files.length - fitFiles,
      quality,
      rounds,
      activities: classified,
      totalS: round(totalMs / 1000),
      // FIT decode (or JSON parse and zod validation) included
      activitiesPerSecond: Math.round(classified / (totalMs / 1000)),
      fitPerSecond: Math.round((fitFiles * rounds) / (fitMs / 1000)),
      jsonPerSecond: Math.round(((files.length - fitFiles) * rounds) / (jsonMs / 1000)),
      // the same activities already decoded: classification alone
      classifyOnlyPerSecond: Math.round(classified / (classifyMs / 1000)),
    },
    stravaHistory: {
      runs: h.runs,
      quality: h.quality,
      totalS: round(historyMs / 1000),
      // JSON parse, zod, the six-week baseline of each run and its classification
      activitiesPerSecond: Math.round(h.runs / (historyMs / 1000)),
    },
    heapUsedMB: round(process.memoryUsage().heapUsed / 1048576, 1),
  };
}
