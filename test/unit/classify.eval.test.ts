// The labelled evaluation set (test/fixtures/classify-eval: real recorded runs and runs
// constructed from them, each with a coach's label and the reason). Prints the agreement,
// the confusion table and how often confident answers are right.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Activity } from "../../src/domain/activity.ts";
import { deriveBaseline } from "../../src/domain/classify/baseline.ts";
import { classifyActivity } from "../../src/domain/classify/run.ts";
import type { Classification, ClassifyContext } from "../../src/domain/classify/types.ts";
import { readActivityFile } from "../../src/integrations/activity-file.ts";
import { mapStravaActivity } from "../../src/integrations/strava/activity.ts";
import { mapStravaZones } from "../../src/integrations/strava/zones.ts";
import { readReferenceBytes, readReferenceJson } from "../support/fixtures.ts";

interface Labelled {
  file: string;
  label: "easy" | "quality";
  reason: string;
  /** what the service would know about the athlete: their zones, their earlier runs */
  context?: { zones?: string; maxHr?: number; history?: string };
}

const EVAL = "classify-eval/";
const labels = JSON.parse(readReferenceBytes(`${EVAL}labels.json`).toString("utf8")) as Labelled[];

const histories = new Map<string, Activity[]>();
function history(path: string): Activity[] {
  let runs = histories.get(path);
  if (!runs) {
    runs = (readReferenceJson(path) as unknown[]).map(mapStravaActivity);
    histories.set(path, runs);
  }
  return runs;
}

function contextFor(l: Labelled, a: Activity): ClassifyContext {
  const c = l.context ?? {};
  return {
    hrZones: c.zones ? mapStravaZones(readReferenceJson(c.zones)) : null,
    maxHr: c.maxHr ?? null,
    // The baseline from the runs before this one, as the service builds it.
    baseline: c.history ? deriveBaseline(history(c.history), a.start) : null,
  };
}

interface Outcome {
  l: Labelled;
  c: Classification;
}

const outcomes: Outcome[] = labels.map((l) => {
  const { activity } = readActivityFile(
    readFileSync(new URL(`../fixtures/${EVAL}${l.file}`, import.meta.url)),
    l.file,
  );
  return { l, c: classifyActivity(activity, contextFor(l, activity)) };
});

const right = (o: Outcome) => o.c.kind === o.l.label;
const pct = (x: number) => `${(x * 100).toFixed(1)} %`;

function report(): string {
  const n = outcomes.length;
  const cell = (label: string, kind: string) =>
    outcomes.filter((o) => o.l.label === label && o.c.kind === kind).length;
  const sure = outcomes.filter((o) => o.c.confidence >= 0.8);
  const lines = [
    `classification evaluation: ${n} labelled runs, agreement ${pct(outcomes.filter(right).length / n)}`,
    "                 classified easy   classified quality",
    `  label easy     ${String(cell("easy", "easy")).padStart(15)}   ${String(cell("easy", "quality")).padStart(18)}`,
    `  label quality  ${String(cell("quality", "easy")).padStart(15)}   ${String(cell("quality", "quality")).padStart(18)}`,
    `  confidence >= 0.8: ${sure.length} runs, ${pct(sure.filter(right).length / (sure.length || 1))} right`,
    ...outcomes
      .filter((o) => !right(o))
      .map(
        (o) => `  miss: ${o.l.file} (${o.l.label}) -> ${o.c.kind} ${o.c.confidence}: ${o.c.reasons[0] ?? ""}`,
      ),
  ];
  return lines.join("\n");
}

describe("the labelled evaluation set", () => {
  it("holds at least 40 labelled runs, each with a reason", () => {
    expect(labels.length).toBeGreaterThanOrEqual(40);
    expect(labels.every((l) => l.reason.length > 10 && (l.label === "easy" || l.label === "quality"))).toBe(
      true,
    );
  });

  it("agrees with the coach's label on at least 95 % of the runs", () => {
    console.log(report());
    expect(outcomes.filter(right).length / outcomes.length).toBeGreaterThanOrEqual(0.95);
  });

  it("runs classified at a confidence of 0.8 or more are right at least 95 % of the time", () => {
    const sure = outcomes.filter((o) => o.c.confidence >= 0.8);
    expect(sure.length).toBeGreaterThanOrEqual(labels.length / 3);
    expect(sure.filter(right).length / sure.length).toBeGreaterThanOrEqual(0.95);
  });
});
