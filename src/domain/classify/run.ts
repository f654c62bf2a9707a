// Classification of one completed activity (provisional body; see DESIGN.md "Day classification").
import type { Activity } from "../activity.ts";
import type { Classification, ClassifyContext } from "./types.ts";

export function classifyActivity(activity: Activity, ctx: ClassifyContext): Classification {
  if (activity.sport === "strength")
    return { kind: "strength", subtype: null, confidence: 0.95, reasons: [] };
  if (activity.sport !== "run") return { kind: "other", subtype: null, confidence: 0.9, reasons: [] };
  if (ctx.override) {
    return {
      kind: ctx.override,
      subtype: ctx.override === "easy" ? "easy" : "workout",
      confidence: 1,
      reasons: [],
    };
  }
  return { kind: "easy", subtype: "easy", confidence: 0.4, reasons: [] };
}
