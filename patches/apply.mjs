#!/usr/bin/env node
// Applies the fixes in patches/*.patch to the installed packages, from package.json's
// `postinstall`, so `npm ci` (with or without dev dependencies: the Dockerfile installs
// with --omit=dev) always yields the patched code. It needs nothing but Node: the files
// are unified diffs in patch-package's format and naming (`<package>+<version>.patch`,
// paths under node_modules/), and each hunk is applied by its exact text.
//
//   node patches/apply.mjs            apply what is not applied yet (again: nothing)
//   node patches/apply.mjs --check    change nothing; exit 1 if a patch is not applied
//   --root DIR                        the project folder holding node_modules (default: ..)
//
// A patch made for another version than the one installed stops the install with a
// message: check whether the new release has the fix, then remake or delete the patch.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const PATCHES = dirname(fileURLToPath(import.meta.url));

class PatchError extends Error {}

/** `@scope+name+1.2.3.patch` -> { name: "@scope/name", version: "1.2.3" } */
function parseName(file) {
  const m = /^(.+)\+([^+]+)\.patch$/.exec(file);
  if (!m) throw new PatchError(`patches/${file}: expected a name like <package>+<version>.patch`);
  return { name: m[1].replaceAll("+", "/"), version: m[2] };
}

/** The diff's files, each with its hunks as the exact text before and after. */
function parseDiff(text, file) {
  const files = [];
  let current = null;
  let hunk = null;
  for (const line of text.split("\n")) {
    if (line.startsWith("diff --git ")) {
      current = null;
      hunk = null;
    } else if (line.startsWith("+++ ") && hunk === null) {
      const path = line.slice(4).replace(/^b\//, "");
      current = { path, hunks: [] };
      files.push(current);
    } else if (line.startsWith("@@ ") && current) {
      hunk = { before: [], after: [] };
      current.hunks.push(hunk);
    } else if (hunk && line.startsWith(" ")) {
      hunk.before.push(line.slice(1));
      hunk.after.push(line.slice(1));
    } else if (hunk && line.startsWith("-")) {
      hunk.before.push(line.slice(1));
    } else if (hunk && line.startsWith("+")) {
      hunk.after.push(line.slice(1));
    } else if (hunk && line === "") {
      // a blank context line whose leading space an editor trimmed, or the file's end
      hunk.before.push("");
      hunk.after.push("");
    }
  }
  if (files.length === 0 || files.some((f) => f.hunks.length === 0))
    throw new PatchError(`patches/${file}: no file or hunk found; is it a unified diff?`);
  for (const f of files)
    for (const h of f.hunks) {
      while (h.before.at(-1) === "" && h.after.at(-1) === "") {
        h.before.pop();
        h.after.pop();
      }
    }
  return files;
}

const count = (haystack, needle) => haystack.split(needle).length - 1;

/** Applies one patch file under root; returns how many files it changed. */
function applyOne(root, file, check) {
  const { name, version } = parseName(file);
  const manifest = join(root, "node_modules", name, "package.json");
  if (!existsSync(manifest))
    throw new PatchError(`patches/${file}: ${name} is not installed under ${join(root, "node_modules")}`);
  const installed = JSON.parse(readFileSync(manifest, "utf8")).version;
  if (installed !== version)
    throw new PatchError(
      `patches/${file} was made for ${name} ${version}, but ${installed} is installed: ` +
        "check whether that release has the fix, then remake the patch for it or delete it",
    );
  let changed = 0;
  for (const target of parseDiff(readFileSync(join(PATCHES, file), "utf8"), file)) {
    const path = join(root, target.path);
    const original = readFileSync(path, "utf8");
    let text = original;
    for (const [i, h] of target.hunks.entries()) {
      const before = `${h.before.join("\n")}\n`;
      const after = `${h.after.join("\n")}\n`;
      if (count(text, after) === 1) continue; // applied already
      if (count(text, before) !== 1)
        throw new PatchError(
          `patches/${file}: hunk ${i + 1} of ${target.path} matches neither the original nor the patched text`,
        );
      text = text.replace(before, () => after);
    }
    if (text === original) continue;
    if (check)
      throw new PatchError(`patches/${file}: ${target.path} is not patched (run: node patches/apply.mjs)`);
    writeFileSync(path, text);
    changed++;
  }
  return changed;
}

function main(argv) {
  const check = argv.includes("--check");
  const rootAt = argv.indexOf("--root");
  const root = rootAt >= 0 ? argv[rootAt + 1] : join(PATCHES, "..");
  if (!root) throw new PatchError("--root needs a folder");
  for (const file of readdirSync(PATCHES)
    .filter((f) => f.endsWith(".patch"))
    .sort()) {
    const changed = applyOne(root, file, check);
    console.log(
      `patches/${file}: ${check ? "applied" : changed > 0 ? `applied to ${changed} file(s)` : "already applied"}`,
    );
  }
}

try {
  main(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof PatchError)) throw err;
  console.error(err.message);
  process.exit(1);
}
