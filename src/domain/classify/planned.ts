// Classification of a future run known only by its title and planned duration.
import type { Classification } from "./types.ts";

export function classifyPlannedRun(title: string, durationMin: number | null): Classification {
  const t = title.toLowerCase();
  if (/\b(race|tempo|interval|threshold|fartlek|parkrun)\b|\d+\s*x\s*\d+/.test(t)) {
    return {
      kind: "quality",
      subtype: "workout",
      confidence: 0.6,
      reasons: [`The plan calls it "${title}".`],
    };
  }
  if (/\blong\b/.test(t) || (durationMin !== null && durationMin >= 90)) {
    return { kind: "quality", subtype: "long", confidence: 0.6, reasons: [`"${title}" is a long run.`] };
  }
  return { kind: "easy", subtype: "easy", confidence: 0.5, reasons: [`"${title}" reads as an easy run.`] };
}
