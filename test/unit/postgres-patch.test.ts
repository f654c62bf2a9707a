// patches/apply.mjs (package.json's postinstall) applies patches/postgres+3.4.9.patch to
// the installed postgres.js, so `npm ci`, with or without dev dependencies, yields the
// driver that fails a query on a dropped connection instead of throwing from a timer or
// leaving a rejection unhandled (test/integration/db.connection-drop.test.ts shows the
// behaviour). These tests show the
// installed driver is patched, and that the applier refuses a version it was not made for
// and a file it cannot match, instead of installing an unpatched driver quietly.
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const APPLY = join(ROOT, "patches/apply.mjs");
const DRIVER = join(ROOT, "node_modules/postgres");
const BUILDS = ["src", "cjs/src", "cf/src"];

function apply(...args: string[]) {
  const r = spawnSync(process.execPath, [APPLY, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout + r.stderr };
}

let scratch: string | undefined;
afterEach(() => {
  if (scratch) rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
});

/** A project folder holding a copy of the installed driver's package.json and patched files. */
function copyOfDriver(): string {
  scratch = mkdtempSync(join(tmpdir(), "runstrong-patch-"));
  const to = join(scratch, "node_modules/postgres");
  mkdirSync(to, { recursive: true });
  cpSync(join(DRIVER, "package.json"), join(to, "package.json"));
  for (const build of BUILDS) {
    mkdirSync(join(to, build), { recursive: true });
    for (const file of ["connection.js", "index.js"])
      cpSync(join(DRIVER, build, file), join(to, build, file));
  }
  return scratch;
}

describe("the postgres.js patch", () => {
  it("is applied to the installed driver, in each of its builds (ESM, CommonJS, workerd)", () => {
    expect(apply("--check")).toEqual({ code: 0, out: "patches/postgres+3.4.9.patch: applied\n" });
    for (const build of BUILDS) {
      const connection = readFileSync(join(DRIVER, build, "connection.js"), "utf8");
      expect(connection).toContain("if (socket === null)\n      return dropWrite(fn)");
      expect(connection).toContain("return fetchArrayTypes().catch(noop)");
      expect(readFileSync(join(DRIVER, build, "index.js"), "utf8")).toContain(
        "if (c.reserved !== reservation)",
      );
    }
  });

  it("applied a second time changes nothing", () => {
    const root = copyOfDriver();
    const before = readFileSync(join(root, "node_modules/postgres/src/connection.js"), "utf8");
    expect(apply("--root", root)).toEqual({
      code: 0,
      out: "patches/postgres+3.4.9.patch: already applied\n",
    });
    expect(readFileSync(join(root, "node_modules/postgres/src/connection.js"), "utf8")).toBe(before);
  });

  it("stops the install when another postgres.js version is installed", () => {
    const root = copyOfDriver();
    const manifest = join(root, "node_modules/postgres/package.json");
    const pkg = JSON.parse(readFileSync(manifest, "utf8")) as Record<string, unknown>;
    writeFileSync(manifest, JSON.stringify({ ...pkg, version: "3.4.10" }));
    const r = apply("--root", root);
    expect(r.code).toBe(1);
    expect(r.out).toContain("was made for postgres 3.4.9, but 3.4.10 is installed");
  });

  it("stops the install when a file matches neither the original nor the patched text", () => {
    const root = copyOfDriver();
    const file = join(root, "node_modules/postgres/cjs/src/connection.js");
    writeFileSync(
      file,
      readFileSync(file, "utf8").replace("function nextWrite(fn) {", "function nextWrite(f) {"),
    );
    const r = apply("--root", root);
    expect(r.code).toBe(1);
    expect(r.out).toContain("hunk 1 of node_modules/postgres/cjs/src/connection.js matches neither");
    expect(apply("--check", "--root", root).code).toBe(1);
  });
});
