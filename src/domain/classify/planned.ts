// A future run known only by its title and planned length (a weekly template entry or
// an event in the athlete's training-plan calendar). A plan's title is written on
// purpose, so its words weigh more than an activity's name; the length decides a long
// run as it does for a done run.
import { duration } from "./format.ts";
import { DECISIVE, isQualityVerdict, readName } from "./names.ts";
import type { Classification, RunSubtype } from "./types.ts";

const LONG_RUN_MIN = 90;

/**
 * kind is "quality" or "easy" for a run, and "other" when the title says the day is a
 * rest day ("Rest", "Ruhetag", "Repos", "Descanso", "Rustdag"), which is not a run.
 */
export function classifyPlannedRun(title: string, durationMin: number | null): Classification {
  const hint = readName(title);
  const name = title.trim() || "(untitled)";
  const long = durationMin !== null && durationMin >= LONG_RUN_MIN;
  const lengthReason =
    durationMin !== null && long ? `${duration(durationMin * 60)} is a long run (90 min or more).` : null;

  if (hint?.verdict === "rest" && !long) {
    return {
      kind: "other",
      subtype: null,
      confidence: 0.9,
      reasons: [`The plan says "${hint.words}": a rest day, not a run.`],
    };
  }
  if (hint && isQualityVerdict(hint.verdict) && hint.strength >= DECISIVE) {
    const subtype = hint.verdict as RunSubtype;
    const reasons = [
      `The plan calls it "${name}"${hint.note ? ` (${hint.note})` : ""}: ${subtypeWords(subtype)}.`,
    ];
    if (lengthReason && subtype !== "long") reasons.push(lengthReason);
    return { kind: "quality", subtype, confidence: Math.min(0.9, hint.strength + 0.1), reasons };
  }
  if (long) {
    const reasons = [lengthReason ?? ""];
    if (hint && !isQualityVerdict(hint.verdict))
      reasons.push(`The title says "${hint.words}", but long runs are key sessions.`);
    return { kind: "quality", subtype: "long", confidence: 0.8, reasons };
  }
  if (hint && (hint.verdict === "easy" || hint.verdict === "recovery")) {
    return {
      kind: "easy",
      subtype: hint.verdict,
      confidence: 0.85,
      reasons: [`The plan calls it "${name}"${hint.note ? ` (${hint.note})` : ""}: an easy run.`],
    };
  }
  const reasons = [
    `Nothing in "${name}" marks it as a quality session${durationMin !== null ? ` and ${duration(durationMin * 60)} is not a long run` : ""}.`,
  ];
  if (hint) reasons.push(`"${hint.words}" alone is too vague to call it quality.`);
  return { kind: "easy", subtype: "easy", confidence: hint ? 0.5 : 0.6, reasons };
}

function subtypeWords(s: RunSubtype): string {
  return {
    intervals: "an interval session",
    tempo: "a tempo or threshold run",
    race: "a race",
    workout: "a workout",
    long: "a long run",
    easy: "an easy run",
    recovery: "a recovery run",
  }[s];
}
