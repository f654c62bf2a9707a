// `runstrong classify` in-process through run(args, io), on the real reference files:
// the output shape of contracts/cli.md, error lines with exit 2, bad flags.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough, Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.ts";
import { run } from "../../src/commands/classify.ts";
import type { CommandIO } from "../../src/commands/command.ts";
import { FIT, GARMIN_DOC_RUN, REFERENCE, readReferenceJson, STRAVA } from "../support/fixtures.ts";

interface Ran {
  code: number;
  lines: Array<Record<string, unknown>>;
  stdout: string;
  stderr: string;
}

async function classify(args: string[], stdin = ""): Promise<Ran> {
  const out = new PassThrough();
  const err = new PassThrough();
  const chunks = { out: [] as Buffer[], err: [] as Buffer[] };
  out.on("data", (c: Buffer) => chunks.out.push(c));
  err.on("data", (c: Buffer) => chunks.err.push(c));
  const io: CommandIO = {
    stdin: Readable.from([Buffer.from(stdin)]),
    stdout: out,
    stderr: err,
    env: {},
    // file arguments are relative to the reference folder, as a user in it would type them
    cwd: fileURLToPath(REFERENCE),
  };
  const code = await run(args, io);
  const stdout = Buffer.concat(chunks.out).toString("utf8");
  const stderr = Buffer.concat(chunks.err).toString("utf8");
  const lines = stdout
    .split("\n")
    .filter((l) => l !== "")
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { code, lines, stdout, stderr };
}

const CONTRACT_KEYS = ["file", "source", "id", "date", "sport", "kind", "subtype", "confidence", "reasons"];

describe("runstrong classify", () => {
  it("prints one line per file, in order, in the contract's shape", async () => {
    const r = await classify(["--zones", STRAVA.zones, STRAVA.race, STRAVA.splits, FIT.triathlon]);
    expect(r.code).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.lines.map((l) => l.file)).toEqual([STRAVA.race, STRAVA.splits, FIT.triathlon]);
    for (const line of r.lines) {
      expect(Object.keys(line).slice(0, CONTRACT_KEYS.length)).toEqual(CONTRACT_KEYS);
      expect(typeof line.confidence).toBe("number");
      expect((line.reasons as string[]).length).toBeGreaterThan(0);
    }
    expect(r.lines[0]).toMatchObject({
      source: "strava",
      id: "1946417534",
      date: "2018-11-04",
      sport: "run",
      kind: "quality",
      subtype: "race",
    });
    expect(r.lines[1]).toMatchObject({
      source: "strava",
      id: "1477353766",
      kind: "quality",
      subtype: "long",
    });
    expect(r.lines[2]).toMatchObject({ source: "fit", date: "2018-05-27", sport: "run", subtype: "race" });
    expect(r.lines[2]?.warnings).toEqual([expect.stringMatching(/multisport/)]);
  });

  it("judges heart rate with --max-hr when no zones are given", async () => {
    const without = await classify([FIT.walkRun]);
    const withMax = await classify(["--max-hr", "190", FIT.walkRun]);
    expect(without.lines[0]?.kind).toBe("easy");
    expect(withMax.lines[0]?.kind).toBe("easy");
    expect(withMax.lines[0]?.confidence as number).toBeGreaterThan(without.lines[0]?.confidence as number);
    const reasons = (withMax.lines[0]?.reasons ?? []) as string[];
    expect(reasons[0]).toMatch(/81% of max HR 190 bpm/);
  });

  it("prints an error line for an unreadable or unparseable file and exits 2 after the others", async () => {
    const r = await classify([STRAVA.race, "missing.json", STRAVA.zones, FIT.workout, STRAVA.summary]);
    expect(r.code).toBe(2);
    expect(r.lines).toHaveLength(5);
    expect(r.lines[1]).toEqual({ file: "missing.json", error: "no such file" });
    expect(r.lines[2]).toEqual({
      file: STRAVA.zones,
      error: expect.stringMatching(/neither a Strava activity/),
    });
    expect(r.lines[3]).toEqual({ file: FIT.workout, error: "a FIT workout file, not a recorded activity" });
    expect(r.lines[0]?.kind).toBe("quality");
    expect(r.lines[4]?.kind).toBe("quality");
  });

  it("names the missing field of a drifted payload in its error line", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runstrong-classify-"));
    const file = join(dir, "drifted.json");
    writeFileSync(
      file,
      JSON.stringify({ id: 1, sport_type: "Run", start_date: "2026-12-08T06:00:00Z", distance: 5000 }),
    );
    const r = await classify([file]);
    expect(r.code).toBe(2);
    expect(r.lines[0]?.error).toMatch(/not a Strava activity: elapsed_time: .*moving_time/);
  });

  it("reads a Garmin summary and dates it by the device's offset", async () => {
    const dir = mkdtempSync(join(tmpdir(), "runstrong-classify-"));
    const file = join(dir, "garmin.json");
    // 23:30 UTC, an offset of +2 h: the athlete's date is the next day
    writeFileSync(
      file,
      JSON.stringify([{ ...GARMIN_DOC_RUN, startTimeInSeconds: 1765236600, startTimeOffsetInSeconds: 7200 }]),
    );
    const r = await classify([file]);
    expect(r.code).toBe(0);
    expect(r.lines[0]).toMatchObject({
      file,
      source: "garmin",
      id: "5001968355",
      sport: "run",
      date: "2025-12-09",
    });
  });

  it("reads an activity from standard input as '-'", async () => {
    const json = JSON.stringify({ ...GARMIN_DOC_RUN, activityType: "STRENGTH_TRAINING" });
    const r = await classify(["-"], json);
    expect(r.lines[0]).toMatchObject({
      file: "-",
      source: "garmin",
      sport: "strength",
      kind: "strength",
      subtype: null,
    });
  });

  it.each([
    [["--bogus", STRAVA.race], /Unknown option '--bogus'/],
    [["--max-hr", "fast", STRAVA.race], /--max-hr must be a whole number/],
    [["--max-hr", "400", STRAVA.race], /between 100 and 250/],
    [["--zones", STRAVA.race, STRAVA.race], /--zones .*not Strava athlete zones/],
    [["--zones", "nope.json", STRAVA.race], /--zones nope.json: no such file/],
    [[], /no activity file given/],
  ])("refuses bad flags %j with one line on standard error and exit 2", async (args, message) => {
    const r = await classify(args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split("\n")).toHaveLength(1);
  });

  it("--history judges each run against the runs among the files in the six weeks before it", async () => {
    // One athlete's runs: the 2022-06-18 run he called "Easy" (HR 159, above his Strava
    // zones) and his runs of the six weeks before it, one file each.
    const all = readReferenceJson(STRAVA.runs908) as Array<{ id: number; start_date: string }>;
    const easy = all.find((a) => a.id === 7331230145);
    const from = Date.parse("2022-05-07T00:00:00Z");
    const before = all.filter(
      (a) =>
        Date.parse(a.start_date) >= from && Date.parse(a.start_date) < Date.parse("2022-06-18T00:00:00Z"),
    );
    expect(before.length).toBeGreaterThanOrEqual(3);
    const dir = mkdtempSync(join(tmpdir(), "runstrong-classify-"));
    const files = [...before, easy].map((a) => {
      const path = join(dir, `${a?.id}.json`);
      writeFileSync(path, JSON.stringify(a));
      return path;
    });
    const alone = await classify(["--zones", STRAVA.zones, ...files]);
    const history = await classify(["--zones", STRAVA.zones, "--history", ...files]);
    expect(alone.code).toBe(0);
    expect(history.code).toBe(0);
    const last = (r: Ran) => r.lines[r.lines.length - 1] ?? {};
    expect(last(alone)).toMatchObject({ id: "7331230145", kind: "quality" });
    expect(last(history)).toMatchObject({ id: "7331230145", kind: "easy" });
    expect((last(history).reasons as string[]).join(" ")).toMatch(/your usual easy-run HR of \d+ bpm/);
    // the same lines, in the same shape, for every file
    expect(history.lines.map((l) => Object.keys(l).slice(0, CONTRACT_KEYS.length))).toEqual(
      alone.lines.map(() => CONTRACT_KEYS),
    );
  });

  it("is reached through the command line's command table", async () => {
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const code = await main(["classify", fileURLToPath(new URL(STRAVA.summary, REFERENCE))], {
      stdin: Readable.from([]),
      stdout: out,
      stderr: new PassThrough(),
      env: {},
      cwd: process.cwd(),
    });
    expect(code).toBe(0);
    expect(JSON.parse(Buffer.concat(chunks).toString("utf8"))).toMatchObject({
      id: "16181809559",
      date: "2025-10-18",
    });
  });
});
