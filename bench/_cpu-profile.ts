// Where a process's CPU time went, from the .cpuprofile `node --cpu-prof` writes:
// self time summed by where the code lives (a package under node_modules, a
// folder of src/, Node's own internals, the garbage collector, idle) and the
// functions with the most self time. Benchmarks print it beside their figures so
// a slow figure comes with the place to look.
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";

const Profile = z.object({
  nodes: z.array(
    z.object({
      id: z.number(),
      callFrame: z.object({ functionName: z.string(), url: z.string(), lineNumber: z.number() }),
    }),
  ),
  startTime: z.number(),
  samples: z.array(z.number()),
  timeDeltas: z.array(z.number()),
});

/** Where a script lives: `pkg:<name>` under node_modules, `src/<folder>`, `node:` internals, or V8's own names. */
export function placeOf(url: string, functionName: string): string {
  if (url === "") return functionName.startsWith("(") ? functionName : "(native)";
  if (url.startsWith("node:")) return "node: internals";
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url)?.[1];
  if (pkg !== undefined) return `pkg:${pkg}`;
  const src = /\/src\/(?:([^/]+)\/)?/.exec(url);
  if (src) return src[1] === undefined ? "src/" : `src/${src[1]}/`;
  return url.replace(/^.*\//, "");
}

export interface ProfileSummary {
  /** CPU ms sampled, idle excluded */
  busyMs: number;
  /** share of busy time by place, largest first (top 12) */
  byPlace: { place: string; ms: number; pct: number }[];
  /** functions with the most self time (top 12) */
  topFunctions: { fn: string; place: string; ms: number; pct: number }[];
}

/**
 * Summarises every .cpuprofile in `dir` (one per profiled process), summed,
 * leaving out each profile's first `skipMs` (the process's start-up).
 */
export function summariseProfiles(dir: string, skipMs = 0): ProfileSummary {
  const place = new Map<string, number>();
  const fns = new Map<string, { place: string; ms: number }>();
  let busyUs = 0;
  for (const file of readdirSync(dir).filter((f) => f.endsWith(".cpuprofile"))) {
    const p = Profile.parse(JSON.parse(readFileSync(join(dir, file), "utf8")));
    const byId = new Map(p.nodes.map((n) => [n.id, n.callFrame]));
    let atUs = 0;
    p.samples.forEach((id, i) => {
      const frame = byId.get(id);
      const us = p.timeDeltas[i] ?? 0;
      atUs += us;
      if (!frame || frame.functionName === "(idle)" || atUs < skipMs * 1000) return;
      busyUs += us;
      const where = placeOf(frame.url, frame.functionName);
      place.set(where, (place.get(where) ?? 0) + us);
      const fn = `${frame.functionName || "(anonymous)"} ${frame.url.replace(/^.*?\/(node_modules|src)\//, "$1/")}:${frame.lineNumber + 1}`;
      const f = fns.get(fn) ?? { place: where, ms: 0 };
      f.ms += us;
      fns.set(fn, f);
    });
  }
  const pct = (us: number) => Math.round((us / Math.max(busyUs, 1)) * 1000) / 10;
  const ms = (us: number) => Math.round(us / 1000);
  return {
    busyMs: ms(busyUs),
    byPlace: [...place]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([p, us]) => ({ place: p, ms: ms(us), pct: pct(us) })),
    topFunctions: [...fns]
      .sort((a, b) => b[1].ms - a[1].ms)
      .slice(0, 12)
      .map(([fn, f]) => ({ fn, place: f.place, ms: ms(f.ms), pct: pct(f.ms) })),
  };
}
