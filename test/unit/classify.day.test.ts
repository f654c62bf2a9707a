// A day is quality when any run is, easy when it has runs and none is, rest when none.
import { describe, expect, it } from "vitest";
import { classifyDay } from "../../src/domain/classify/day.ts";
import type { Classification } from "../../src/domain/classify/types.ts";

const easy = (confidence = 0.8): Classification => ({
  kind: "easy",
  subtype: "easy",
  confidence,
  reasons: ["Average HR 130 bpm stayed at or below your zone-2 ceiling of 139 bpm."],
});
const quality = (confidence = 0.85): Classification => ({
  kind: "quality",
  subtype: "intervals",
  confidence,
  reasons: ["6 work laps at 3:35/km alternating with 6 recoveries at 5:40/km."],
});
const strength: Classification = { kind: "strength", subtype: null, confidence: 0.95, reasons: ["lifting"] };
const ride: Classification = { kind: "other", subtype: null, confidence: 0.95, reasons: ["a ride"] };

describe("classifyDay", () => {
  it("is quality when any run is, naming the deciding run with its time and first reason", () => {
    const d = classifyDay("2026-12-08", [
      { classification: easy(), title: "Shakeout", start: "2026-12-08T07:00:00+01:00" },
      { classification: quality(), title: "6x400", start: "2026-12-08T18:00:00+01:00" },
    ]);
    expect(d.kind).toBe("quality");
    expect(d.date).toBe("2026-12-08");
    expect(d.reasons[0]).toBe(
      '"6x400" at 18:00 is a quality run (intervals): 6 work laps at 3:35/km alternating with 6 recoveries at 5:40/km.',
    );
    expect(d.confidence).toBe(0.85);
  });

  it("takes the surest quality run as the decider", () => {
    const d = classifyDay("2026-12-08", [
      { classification: quality(0.6), title: "maybe tempo" },
      { classification: quality(0.9), title: "race" },
    ]);
    expect(d.confidence).toBe(0.9);
    expect(d.reasons[0]).toMatch(/^"race"/);
    expect(d.reasons[1]).toMatch(/"maybe tempo" is quality too/);
  });

  it("is easy when every run is, as sure as the least sure run", () => {
    const d = classifyDay("2026-12-09", [
      { classification: easy(0.9) },
      { classification: easy(0.5), title: "Jog" },
    ]);
    expect(d.kind).toBe("easy");
    expect(d.confidence).toBe(0.5);
    expect(d.reasons).toHaveLength(2);
    expect(d.reasons[0]).toMatch(/^a run is an easy run/);
  });

  it("is rest with no runs, and strength or other sports do not make a day easy", () => {
    expect(classifyDay("2026-12-10", []).kind).toBe("rest");
    const d = classifyDay("2026-12-10", [{ classification: strength }, { classification: ride }]);
    expect(d.kind).toBe("rest");
    expect(d.reasons[0]).toMatch(/only 2 non-run activities/);
  });

  it("does not show a clock time for an instant written in UTC (it is not the athlete's wall clock)", () => {
    const d = classifyDay("2026-12-08", [
      { classification: quality(), title: "Intervals", start: "2026-12-08T17:00:00Z" },
    ]);
    expect(d.reasons[0]).toMatch(/^"Intervals" is a quality run/);
  });
});
