// Property-based fuzzing of the FIT decoders with mutated bytes of real files
// (test/fixtures/fit): flipped, cut, inserted and overwritten bytes. Each decoder
// answers a reading or ActivityParseError, the error the import paths record as a
// failed import with its reason; any other error would be retried as if transient.
import { readdirSync, readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ActivityParseError } from "../../src/domain/activity.ts";
import { mapFitActivity } from "../../src/integrations/fit/activity.ts";
import { fitStrengthSets } from "../../src/integrations/fit/strength-sets.ts";

const DIR = new URL("../fixtures/fit/", import.meta.url);
const files = readdirSync(DIR)
  .filter((f) => f.endsWith(".fit"))
  .map((f) => new Uint8Array(readFileSync(new URL(f, DIR))));

const mutation = fc.oneof(
  fc.record({ op: fc.constant("flip" as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ op: fc.constant("set" as const), at: fc.nat(), byte: fc.integer({ min: 0, max: 255 }) }),
  fc.record({ op: fc.constant("cut" as const), at: fc.nat() }),
  fc.record({
    op: fc.constant("insert" as const),
    at: fc.nat(),
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
);

/** A fixture with one to four mutations, mostly in its first kilobytes where the definitions are. */
const mutatedFit = fc
  .tuple(fc.nat({ max: files.length - 1 }), fc.array(mutation, { minLength: 1, maxLength: 4 }), fc.boolean())
  .map(([i, steps, nearHead]) => {
    let bytes = files[i] ?? new Uint8Array();
    for (const s of steps) {
      const at = s.at % (nearHead ? Math.min(bytes.length, 2048) : Math.max(bytes.length, 1));
      if (s.op === "flip") bytes = Uint8Array.from(bytes, (b, j) => (j === at ? b ^ (1 << s.bit) : b));
      else if (s.op === "set") bytes = Uint8Array.from(bytes, (b, j) => (j === at ? s.byte : b));
      else if (s.op === "cut") bytes = bytes.slice(0, at);
      else bytes = new Uint8Array([...bytes.slice(0, at), ...s.bytes, ...bytes.slice(at)]);
    }
    return bytes;
  });

function readsOrRefuses(decode: (b: Uint8Array) => unknown, bytes: Uint8Array): "read" | "refused" {
  try {
    decode(bytes);
    return "read";
  } catch (err) {
    if (!(err instanceof ActivityParseError)) throw err;
    expect(err.message.length).toBeGreaterThan(0);
    return "refused";
  }
}

describe("the FIT decoders under mutated files", () => {
  it("the activity decoder reads or refuses with ActivityParseError, nothing else", () => {
    const seen = { read: 0, refused: 0 };
    fc.assert(
      fc.property(
        fc.oneof(
          { weight: 9, arbitrary: mutatedFit },
          { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }) },
        ),
        (bytes) => {
          seen[readsOrRefuses(mapFitActivity, bytes)]++;
        },
      ),
      { numRuns: 300 },
    );
    expect(seen.read).toBeGreaterThan(0);
    expect(seen.refused).toBeGreaterThan(0);
  });

  it("the strength-set decoder (Garmin's strength files) reads or refuses with ActivityParseError, nothing else", () => {
    fc.assert(
      fc.property(mutatedFit, (bytes) => {
        readsOrRefuses(fitStrengthSets, bytes);
      }),
      { numRuns: 300 },
    );
  });
});
