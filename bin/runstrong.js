#!/usr/bin/env node
// Entry point of the `runstrong` command. The source is TypeScript that uses only
// erasable syntax: Node 22.18+ and 24 run it as is; Node 20 goes through tsx.
import { pathToFileURL } from "node:url";

if (!process.features.typescript) {
  const { register } = await import("tsx/esm/api");
  register();
}
const { main } = await import(pathToFileURL(new URL("../src/cli.ts", import.meta.url).pathname).href);
const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  cwd: process.cwd(),
});
// Long-running commands (serve, work, start) resolve only once they have shut
// down, so nothing is left to wait for; exiting here also stops a library's stray
// timer (ioredis keeps its connect timeout armed after a refused connection) from
// holding a failed start for seconds. Writes to pipes and files are synchronous
// on Linux, so no output is lost.
process.exit(code);
