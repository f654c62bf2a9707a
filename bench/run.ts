// `npm run bench -- <name> [options]` runs bench/<name>.ts, which prints one JSON
// object on standard output. Benchmarks hold the speed and memory targets; unit
// tests never time anything.
import { readdirSync } from "node:fs";

const available = readdirSync(new URL(".", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (!name || !available.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${available.join("|")}> [options]\n`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { main: (args: string[]) => Promise<unknown> };
const result = await mod.main(args);
process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
