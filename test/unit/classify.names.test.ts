// What titles say, in English, German, French, Spanish and Dutch, and the words that
// look like quality but are not (a route called "course", Spanish "carrera" as "a run",
// Long Island, temporary), which must not decide a classification.
import { describe, expect, it } from "vitest";
import { DECISIVE, readName } from "../../src/domain/classify/names.ts";
import { classifyActivity } from "../../src/domain/classify/run.ts";
import { buildActivity } from "../support/fixtures.ts";

describe("quality words decide", () => {
  it.each([
    ["8x400", "intervals"],
    ["6 x 1km @ 10k pace", "intervals"],
    ["5×3' Z4", "intervals"],
    ["Track intervals", "intervals"],
    ["Intervalle auf der Bahn", "intervals"],
    ["Intervalltraining", "intervals"],
    ["Fractionné 10x400", "intervals"],
    ["VMA courte", "intervals"],
    ["Series de 1000", "intervals"],
    ["Intervallen op de baan", "intervals"],
    ["Tempo run", "tempo"],
    ["Tempolauf 8 km", "tempo"],
    ["Tempodauerlauf", "tempo"],
    ["Tempoduurloop 40 min", "tempo"],
    ["Threshold 3x10", "intervals"],
    ["Schwellenlauf", "tempo"],
    ["Seuil 2x15", "intervals"],
    ["Sortie au seuil", "tempo"],
    ["Umbral 30 min", "tempo"],
    ["Drempeltraining", "tempo"],
    ["Progression run", "tempo"],
    ["Half marathon race pace", "tempo"],
    ["Race day!", "race"],
    ["Saturday parkrun", "race"],
    ["Wettkampf Stadtlauf", "race"],
    ["Wedstrijd 10 km", "race"],
    ["Carrera popular San Silvestre", "race"],
    ["Compétition régionale", "race"],
    ["Fartlek in the park", "workout"],
    ["Long run", "long"],
    ["Langer Lauf", "long"],
    ["Sortie longue", "long"],
    ["Tirada larga", "long"],
    ["Lange duurloop", "long"],
  ])("%s -> %s", (title, verdict) => {
    const hint = readName(title);
    expect(hint?.verdict).toBe(verdict);
    expect(hint?.strength).toBeGreaterThanOrEqual(DECISIVE);
  });

  it("keeps the words as the athlete wrote them, accents included", () => {
    expect(readName("Fractionné 10x400 au stade")?.words).toBe("10x400");
    expect(readName("Le fractionné du mardi")?.words).toBe("fractionné");
  });
});

describe("easy words", () => {
  it.each([
    ["Easy 8k", "easy"],
    ["Recovery jog", "recovery"],
    ["Lockerer Dauerlauf", "easy"],
    ["Regeneration", "recovery"],
    ["Footing tranquille", "easy"],
    ["Récup", "recovery"],
    ["Rodaje suave", "easy"],
    ["Carrera continua", "easy"],
    ["Rustige duurloop", "easy"],
    ["Herstelloop", "recovery"],
    ["Post-race shakeout", "recovery"],
  ])("%s -> %s", (title, verdict) => {
    expect(readName(title)?.verdict).toBe(verdict);
  });
});

describe("traps do not decide", () => {
  it.each([
    "Course du soir",
    "Course à pied au bord du lac",
    "Carrera de la mañana",
    "Long Island loop",
    "Temporary detour",
    "Temporada nueva",
    "Morning Run",
    "Reverse Post Marathon Usual",
    "Marathon High",
    "TCSNYCMarathonTraining 15M",
  ])("%s is not a decisive quality word", (title) => {
    const hint = readName(title);
    const decisiveQuality =
      hint &&
      hint.strength >= DECISIVE &&
      ["intervals", "tempo", "race", "workout", "long"].includes(hint.verdict);
    expect(decisiveQuality).toBeFalsy();
  });

  it("a race word beside an easy one names the occasion, not the effort", () => {
    const hint = readName("Warm-up to the race");
    expect(hint?.verdict).toBe("easy");
    expect(hint?.note).toMatch(/occasion/);
  });

  it("strides are not intervals", () => {
    expect(readName("Easy + 6x20s strides")?.verdict).toBe("easy");
  });

  it("an easy word beside a workout word weakens it", () => {
    const both = readName("Easy tempo");
    const tempo = readName("Tempo");
    expect(both?.verdict).toBe("tempo");
    expect(both?.strength ?? 1).toBeLessThan(tempo?.strength ?? 0);
  });

  it("a run named 'course' stays easy; one named 'Wettkampf' becomes quality", () => {
    expect(classifyActivity(buildActivity({ name: "Course du dimanche" }), {}).kind).toBe("easy");
    expect(classifyActivity(buildActivity({ name: "Wettkampf Stadtlauf" }), {}).kind).toBe("quality");
  });
});
