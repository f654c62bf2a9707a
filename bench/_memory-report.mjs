// Preloaded into a benchmark's `runstrong` process (`node --import`): on SIGUSR2
// it writes one line to stderr, `runstrong-memory <json>`, with what
// process.memoryUsage() and V8's heap spaces say, so bench/rss.ts can tell the JS
// heap from code, buffers and the rest of VmRSS, and (under --expose-gc) live data
// from garbage by what a full collection leaves. Plain JavaScript, so every Node
// loads it before tsx is registered. The app itself never loads it.
import { getHeapSpaceStatistics } from "node:v8";

const mb = (bytes) => Math.round((bytes / 1_048_576) * 10) / 10;

process.on("SIGUSR2", () => {
  const m = process.memoryUsage();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((s) => [
      s.space_name,
      { sizeMb: mb(s.space_size), usedMb: mb(s.space_used_size) },
    ]),
  );
  const report = {
    rssMb: mb(m.rss),
    heapTotalMb: mb(m.heapTotal),
    heapUsedMb: mb(m.heapUsed),
    externalMb: mb(m.external),
    arrayBuffersMb: mb(m.arrayBuffers),
    spaces,
  };
  // With --expose-gc: what is left after a full collection, live data and not garbage waiting for one.
  if (typeof globalThis.gc === "function") {
    globalThis.gc();
    const after = process.memoryUsage();
    report.afterFullGc = {
      rssMb: mb(after.rss),
      heapTotalMb: mb(after.heapTotal),
      heapUsedMb: mb(after.heapUsed),
    };
  }
  process.stderr.write(`runstrong-memory ${JSON.stringify(report)}\n`);
});
