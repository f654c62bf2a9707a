// `npm run bench` runs every benchmark in turn; `npm run bench -- <name> [options]`
// runs bench/<name>.ts alone. Each prints one JSON object on one line: the
// benchmark's name, this machine's cores (os.availableParallelism()) and 1-minute
// load average when it started and when it ended (the machine is shared: a figure
// means little without it), and the benchmark's own figures, units and targets.
// Defaults are quick except roll-forward's, the 10,000 athletes (about
// ten minutes on a quiet 2-core machine; ROLL_FORWARD_ATHLETES=1000 for a short
// suite); the options at the head of each file change sizes. Benchmarks hold the
// speed and memory targets; unit tests never time anything.
import { readdirSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";

const available = readdirSync(new URL(".", import.meta.url))
  .filter((f) => f.endsWith(".ts") && f !== "run.ts" && !f.startsWith("_"))
  .map((f) => f.slice(0, -3))
  .sort();

const [name, ...args] = process.argv.slice(2);
if (name !== undefined && !available.includes(name)) {
  process.stderr.write(`usage: npm run bench [-- <${available.join("|")}> [options]]\n`);
  process.exit(2);
}

async function runOne(bench: string, options: string[]): Promise<boolean> {
  const startedAt = Date.now();
  const loadAvg1mAtStart = Math.round((loadavg()[0] ?? 0) * 100) / 100;
  try {
    const mod = (await import(`./${bench}.ts`)) as { main: (args: string[]) => Promise<object> };
    const result = await mod.main(options);
    const line = {
      name: bench,
      cores: availableParallelism(),
      loadAvg1mAtStart,
      loadAvg1m: Math.round((loadavg()[0] ?? 0) * 100) / 100,
      wallS: Math.round((Date.now() - startedAt) / 100) / 10,
      ...result,
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return true;
  } catch (err) {
    const message = err instanceof Error ? (err.stack ?? err.message) : String(err);
    process.stderr.write(`bench ${bench} failed: ${message}\n`);
    process.stdout.write(`${JSON.stringify({ name: bench, error: message.split("\n")[0] })}\n`);
    return false;
  }
}

let ok = true;
if (name !== undefined) ok = await runOne(name, args);
else for (const bench of available) ok = (await runOne(bench, [])) && ok;
process.exit(ok ? 0 : 1);
