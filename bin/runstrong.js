#!/usr/bin/env node
// Entry point of the `runstrong` command. The source is TypeScript, and the web
// pages are .tsx: Node 22.18+ and 24 strip types from .ts but cannot run JSX
// (ERR_UNKNOWN_FILE_EXTENSION for the first page `start` or `serve` loads), so tsx
// is registered on every Node (on 22.15+ it hooks in-thread through
// module.registerHooks, on Node 20 through module.register's loader thread).
import { pathToFileURL } from "node:url";

// V8's young generation: Node 24 lets each of its two semi-spaces grow to 64 MB,
// Node 20 to 16 MB, and a busy process keeps them at their largest, resident for
// good: 128 MB of a Node 24 process's 300 MB idle (bench/rss.ts). 8 MB each keeps
// `runstrong start` under 200 MB; scavenges come more often and stay short, since
// a job's or a request's objects die young. The flag only works on the command
// line, so the process re-executes itself with it where Node can (process.execve,
// Node 22.15+ and 23.11+; same pid, nothing loaded yet). On Node 20, or to choose
// another size, set it in NODE_OPTIONS; one given there or on the command line wins.
const SEMI_SPACE_FLAG = "--max-semi-space-size";
const semiSpaceSet = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)].some((a) =>
  a.startsWith(SEMI_SPACE_FLAG),
);
if (!semiSpaceSet && typeof process.execve === "function") {
  process.execve(process.execPath, [
    process.execPath,
    `${SEMI_SPACE_FLAG}=8`,
    ...process.execArgv,
    ...process.argv.slice(1),
  ]);
}

const { register } = await import("tsx/esm/api");
register();
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
