// A clone of the repository has nothing beside it: no file the product or its
// tests read may reach outside the checkout (the reference material the fixtures
// came from lives elsewhere; copies with their sources are in test/fixtures).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SCANNED = ["src", "test", "bench", "docs", "README.md"];
const TEXT = /\.(ts|js|json|md|sql|yml|yaml)$/;

function files(path: string): string[] {
  if (statSync(path).isFile()) return [path];
  return readdirSync(path).flatMap((name) =>
    name === "node_modules" || name === "fixtures" ? [] : files(join(path, name)),
  );
}

describe("the repository stands alone", () => {
  it("nothing under src, test, bench, docs or the README reads or links a folder beside the checkout", () => {
    const outside = /\.\.\/(\.\.\/)*shared\b/;
    const offenders = SCANNED.flatMap((p) => files(join(ROOT, p)))
      .filter((f) => TEXT.test(f) && f !== fileURLToPath(import.meta.url))
      .filter((f) => outside.test(readFileSync(f, "utf8")))
      .map((f) => relative(ROOT, f));
    expect(offenders).toEqual([]);
  });

  it("every fixture file is accounted for in test/fixtures/SOURCES.md", () => {
    const dir = join(ROOT, "test/fixtures");
    const sources = readFileSync(join(dir, "SOURCES.md"), "utf8");
    const listed = readdirSync(dir, { recursive: true, encoding: "utf8" })
      .filter((f) => /\.(json|fit)$/.test(f) && !f.includes("classify-eval"))
      .map((f) => f.split("/").pop() as string);
    expect(listed.length).toBeGreaterThan(20);
    const missing = listed.filter((name) => !sources.includes(name) && !name.startsWith("sdk_workout_"));
    expect(missing).toEqual([]);
  });
});
