// A day is quality when any run on it is quality, easy when it has runs and none is
// quality, rest when it has none (DESIGN.md). Strength and other sports are not runs:
// a day with only a bike ride is a rest day for running.
import { round2 } from "./format.ts";
import type { Classification, DayClassification } from "./types.ts";

export interface DayRun {
  classification: Classification;
  title?: string;
  /** ISO 8601; with an offset its wall-clock time names the run in reasons */
  start?: string;
}

function describe(run: DayRun): string {
  const title = run.title?.trim() ? `"${run.title.trim()}"` : "a run";
  const time = run.start
    ? /T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?[+-]\d{2}:?\d{2}$/.exec(run.start)?.[1]
    : undefined;
  return time ? `${title} at ${time}` : title;
}

function subtypeWords(c: Classification): string {
  return c.subtype && c.subtype !== c.kind ? ` (${c.subtype})` : "";
}

export function classifyDay(date: string, runs: DayRun[]): DayClassification {
  const counted = runs.filter((r) => r.classification.kind === "easy" || r.classification.kind === "quality");
  const skipped = runs.length - counted.length;
  if (counted.length === 0) {
    return {
      date,
      kind: "rest",
      confidence: 1,
      reasons: [
        skipped
          ? `No run that day (only ${skipped} non-run ${skipped === 1 ? "activity" : "activities"}).`
          : "No run that day.",
      ],
    };
  }
  const quality = counted
    .filter((r) => r.classification.kind === "quality")
    .sort((a, b) => b.classification.confidence - a.classification.confidence);
  const decider = quality[0];
  if (decider) {
    const first = decider.classification.reasons[0];
    const reasons = [
      `${describe(decider)} is a quality run${subtypeWords(decider.classification)}${first ? `: ${first}` : "."}`,
    ];
    for (const other of quality.slice(1))
      reasons.push(`${describe(other)} is quality too${subtypeWords(other.classification)}.`);
    // One quality run makes the day quality, so the surest one sets the confidence.
    return { date, kind: "quality", confidence: round2(decider.classification.confidence), reasons };
  }
  // Every run must be easy for the day to be easy, so the least sure one sets it.
  const least =
    [...counted].sort((a, b) => a.classification.confidence - b.classification.confidence)[0] ?? counted[0];
  const reasons = counted.map((r) => {
    const first = r.classification.reasons[0];
    return `${describe(r)} is an easy run${subtypeWords(r.classification)}${first ? `: ${first}` : "."}`;
  });
  return { date, kind: "easy", confidence: round2(least?.classification.confidence ?? 0.5), reasons };
}
