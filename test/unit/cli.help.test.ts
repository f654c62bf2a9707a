// `runstrong <command> --help` prints that command's usage and exits 0 without
// starting anything: no configuration read, no server, no migration, no backfill.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: string[] = [];
  const err: string[] = [];
  stdout.on("data", (d) => out.push(String(d)));
  stderr.on("data", (d) => err.push(String(d)));
  // An environment that could not start anything: were a command to start, it would
  // fail on its configuration (exit 2, a line on standard error), not print usage.
  const code = await main(argv, { stdin: new PassThrough(), stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, stdout: out.join(""), stderr: err.join("") };
}

const COMMANDS = ["start", "serve", "work", "migrate", "classify", "plan", "strava", "backfill"];

// Loading a command module (bullmq, drizzle, ...) takes seconds on a busy machine.
describe("runstrong <command> --help", { timeout: 60_000 }, () => {
  for (const name of COMMANDS) {
    it(`${name} --help prints its usage and starts nothing`, async () => {
      const result = await cli([name, "--help"]);
      expect(result).toEqual({
        code: 0,
        stdout: expect.stringMatching(`^usage: runstrong ${name}\\b`),
        stderr: "",
      });
      expect(result.stdout.trim().split("\n")).toHaveLength(1);
    });
  }

  it("takes -h too, and after other arguments", async () => {
    expect(await cli(["serve", "-h"])).toMatchObject({ code: 0, stderr: "" });
    expect((await cli(["classify", "run.json", "--help"])).stdout).toMatch(/^usage: runstrong classify /);
    expect((await cli(["strava", "subscribe", "-h"])).stdout).toMatch(/^usage: runstrong strava /);
  });
});
