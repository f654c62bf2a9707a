// The HTTP edge reaches the workers only to hand them work: a route parses input,
// calls one verb of the application layer (src/plan) and maps its errors, so no
// file under src/server imports from src/workers except the job registry, the
// queues and the helpers that enqueue through them.
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SERVER = join(ROOT, "src/server");

/** Modules of src/workers a server file may import anything from. */
const ALLOWED_MODULES = [/^jobs\.ts$/, /^queues\.ts$/, /^replan-trigger\.ts$/, /(^|\/)event-jobs\.ts$/];
/** From any other module of src/workers, only helpers that enqueue. */
const ENQUEUE_HELPER = /^(type\s+)?(enqueue|queue)[A-Z]\w*$/;

const IMPORT = /import\s+(type\s+)?\{([^}]*)\}\s+from\s+"([^"]+)"|import\s+[^"{]*from\s+"([^"]+)"/g;

function serverFiles(): string[] {
  return readdirSync(SERVER, { recursive: true, encoding: "utf8" })
    .filter((f) => /\.tsx?$/.test(f))
    .map((f) => join(SERVER, f));
}

/** `file: name from module` for each import of a worker module that is neither allowed nor an enqueue helper. */
function offenders(): string[] {
  const out: string[] = [];
  for (const file of serverFiles()) {
    for (const m of readFileSync(file, "utf8").matchAll(IMPORT)) {
      const spec = m[3] ?? m[4] ?? "";
      if (!spec.startsWith(".")) continue;
      const target = relative(join(ROOT, "src/workers"), resolve(dirname(file), spec));
      if (target.startsWith("..")) continue;
      if (ALLOWED_MODULES.some((re) => re.test(target))) continue;
      const names = m[2]
        ?.split(",")
        .map((n) => n.trim())
        .filter(Boolean) ?? ["(default or namespace)"];
      for (const name of names)
        if (!ENQUEUE_HELPER.test(name))
          out.push(`${relative(ROOT, file)}: ${name} from src/workers/${target}`);
    }
  }
  return out;
}

describe("src/server and src/workers", () => {
  it("no server file imports from the workers except to enqueue through the job registry", () => {
    expect(serverFiles().length).toBeGreaterThan(20);
    expect(offenders()).toEqual([]);
  });
});
